"""Domain errors, with messages written for the person at the keyboard.

Every foreseeable failure raises one of these; the console shows the message and the
CLI prints it and exits 2 (bad input) or 1 (anything else).
"""


class SegtuiError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

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

    def __init__(self, message: str, problems: list[tuple[int, str]]):
        super().__init__(message)
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
    (which shows the segment again); the CLI says ``for_command_line()``."""

    exit_code = 1

    def __init__(self, changed: str, what: str | None = None):
        self.changed, self.what = changed, what
        detail = f" ({what})" if what else ""
        super().__init__(f"{changed} since you opened it{detail}; it has been reloaded: check it and try again")

    def for_command_line(self) -> str:
        detail = f" ({self.what})" if self.what else ""
        return (f"{self.changed} while this command ran{detail}; nothing was changed: look at it again "
                "and run the command again if it still applies")


class ReadOnly(SegtuiError):
    exit_code = 2


class DatabaseProblem(SegtuiError):
    """The database cannot be used as asked (locked, read-only, newer schema...).

    ``retryable``: the same act may work in a moment (locked, server unreachable).
    """

    exit_code = 1

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


def refuse_nul(text: str, what: str) -> str:
    """Text that every database can store: PostgreSQL refuses the NUL character, so both do."""
    if "\x00" in text:
        raise InvalidInput(f"{what} cannot contain a NUL character (\\x00)")
    return text
