"""Domain errors, with messages written for the person at the keyboard.

Every foreseeable failure raises one of these; the console shows the message and the
CLI prints it and exits 2 (bad input) or 1 (anything else).

An error is built from an English template and its parameters,
``InvalidInput("{what} cannot be empty", what=...)``, and reads in the language of whoever
shows it (``segtui.i18n``; the catalogues take the first argument of every SegtuiError class
as a message to translate). A ready ``Message`` is taken as it is.
"""

from __future__ import annotations

from ..i18n import Message


class SegtuiError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str | Message, /, **params: object):
        self.text = message if isinstance(message, Message) else Message(message, **params)
        super().__init__(self.text.template)

    @property
    def message(self) -> str:
        """In the language shown now."""
        return str(self.text)

    def __str__(self) -> str:
        return self.message


class InvalidInput(SegtuiError):
    """The user gave a value the rules refuse. Nothing was changed."""

    exit_code = 2


class InvalidFilter(InvalidInput):
    pass


class InvalidSchedule(InvalidInput):
    pass


class InvalidName(InvalidInput):
    pass


class ImportRefused(InvalidInput):
    """A CSV file was refused whole; ``problems`` lists (line, message)."""

    def __init__(self, message: str | Message, problems: list[tuple[int, str]], /, **params: object):
        super().__init__(message, **params)
        self.problems = problems


class NotFound(InvalidInput):
    pass


class SegmentNotFound(NotFound):
    pass


class RecordNotFound(NotFound):
    pass


class ConversionNotAllowed(InvalidInput):
    pass


class MembershipNotAllowed(InvalidInput):
    pass


class StaleSegment(SegtuiError):
    """Someone else changed the segment since it was read. The message is the console's
    (which shows the segment again); the CLI says ``for_command_line()``. ``changed`` says who
    changed what when (a Message), ``what``, if given, what changed."""

    exit_code = 1

    def __init__(self, changed: Message, what: Message | str | None = None):
        self.changed, self.what = changed, what
        if what:
            super().__init__(Message("{changed} since you opened it ({what}); it has been reloaded: check it and "
                                     "try again", changed=changed, what=what))
        else:
            super().__init__(Message("{changed} since you opened it; it has been reloaded: check it and try again",
                                     changed=changed))

    def for_command_line(self) -> str:
        if self.what:
            return str(Message("{changed} while this command ran ({what}); nothing was changed: look at it again "
                               "and run the command again if it still applies", changed=self.changed, what=self.what))
        return str(Message("{changed} while this command ran; nothing was changed: look at it again "
                           "and run the command again if it still applies", changed=self.changed))


class ReadOnly(SegtuiError):
    exit_code = 2


class DatabaseProblem(SegtuiError):
    """The database cannot be used as asked (locked, read-only, newer schema...).

    ``retryable``: the same act may work in a moment (locked, server unreachable).
    """

    exit_code = 1

    def __init__(self, message: str | Message, /, *, retryable: bool = False, **params: object):
        super().__init__(message, **params)
        self.retryable = retryable


def refuse_nul(text: str, what: str) -> str:
    """Text that every database can store: PostgreSQL refuses the NUL character, so both do."""
    if "\x00" in text:
        raise InvalidInput("{what} cannot contain a NUL character (\\x00)", what=what)
    return text
