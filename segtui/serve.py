"""``segtui serve``: an SSH server whose only service is the console, one per person.

Each authenticated session gets its own console process (``python -m segtui.cli``) in
its own pseudo-terminal, with the client's terminal type and size, the actor and role
of the key it logged in with, and a clean environment. When the session ends, for
whatever reason, the console's process group is hung up, then killed, and reaped.

Who may log in is an authorized-keys file of our own (``parse_authorized_keys``)::

    # ROLE   NAME    PUBLIC KEY (the line of the person's id_ed25519.pub)
    admin    alice   ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alice@laptop
    viewer   bob     ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... bob@desk

Only public-key authentication exists; password and keyboard-interactive
authentication, port, agent and X11 forwarding, subsystems (sftp, scp) and exec
requests are refused. One line on stderr for each connection, authentication
(accepted or refused), refused request and session end.

asyncssh is an optional dependency (the ``serve`` extra). The CLI imports this module
only for ``segtui serve``, and without asyncssh the command explains what to install.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import logging
import os
import re
import resource
import signal
import stat
import struct
import subprocess
import sys
import sysconfig
import termios
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import config, i18n
from .core import files
from .core.db_errors import describe
from .core.display import printable
from .core.errors import InvalidInput, SegtuiError
from .i18n import N_, Message, _, _n

try:  # the optional extra
    import asyncssh
except ImportError:  # pragma: no cover - exercised by hand without the extra
    asyncssh = None

ROLES = ("admin", "viewer")
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}\Z")
TERM_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}\Z")
HANGUP_GRACE = 2.0  # seconds between SIGHUP and SIGKILL
MAX_PENDING_INPUT = 1 << 20
# What one session may cost the server, whoever holds the key (a viewer too):
MAX_COLS, MAX_ROWS = 1000, 500  # a bigger window is drawn at this size
OUTPUT_RATE = 8 << 20  # bytes per second sent to a client, after a burst of OUTPUT_BURST
OUTPUT_BURST = 32 << 20
FORMAT_HELP = N_("""\
The authorized-keys file has one person per line: ROLE NAME PUBLIC-KEY, e.g.
    admin   alice  ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alice@laptop
    viewer  bob    ssh-rsa AAAAB3NzaC1yc2EAAAA... bob@desk
ROLE is admin (may change things) or viewer (read-only console); NAME is the actor
recorded in the audit log (letters, digits and . _ @ + -); the rest is the line of the
person's public key file (~/.ssh/id_ed25519.pub). Empty lines and # comments are ignored.""")
# What a console left on the client's terminal when it is stopped from outside: leave the
# alternate screen, stop mouse reporting and bracketed paste, show the cursor.
TERMINAL_RESET = (b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l"
                  b"\x1b[?1049l\x1b[?25h\x1b[0m\r\n")
# What the SSH client is told (in its language: session_language); "\n" becomes "\r\n" on the wire
NO_TERMINAL = N_(
    "segtui: the console needs a terminal, and this session has none.\n"
    "  Connect with:  ssh -t -p {port} HOST\n"
)
NO_COMMANDS = N_(
    "segtui: this server runs only the segtui console; commands are not run here.\n"
    "  Connect without a command:  ssh -t -p {port} HOST\n"
)
# The client's locale variables (ssh -o SendEnv=LANG) the console may take, each only when it is
# a plain locale name: a language, a territory, a UTF-8 charset, a modifier, at most. Anything
# else (a shell metacharacter, an escape sequence, a path, a long string) is dropped, never cleaned.
CLIENT_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
CLIENT_LOCALE = re.compile(r"(?:C|POSIX|[a-z]{2,3}(?:_[A-Z]{2})?)(?:\.(?:UTF-8|utf-8|UTF8|utf8))?(?:@[a-z]{1,16})?")
CLIENT_LOCALE_MAX = 32


class ServeUnavailable(SegtuiError):
    """The ``serve`` extra (asyncssh) is not installed."""


def require_asyncssh() -> None:
    if asyncssh is None:
        raise ServeUnavailable(
            "segtui serve needs asyncssh, which comes with the 'serve' extra: "
            "pip install 'segtui[serve]' (or pip install asyncssh)"
        )


def client_locale(client_env) -> dict[str, str]:
    """The locale variables the SSH client sent that pass the check (see CLIENT_LOCALE)."""
    chosen = {}
    for name in CLIENT_LOCALE_VARIABLES:
        value = client_env.get(name)
        if isinstance(value, str) and len(value) <= CLIENT_LOCALE_MAX and CLIENT_LOCALE.fullmatch(value):
            chosen[name] = value
    return chosen


def session_language(client_env) -> str:
    """The language of a session: the client's locale variables decide, as they do for a
    console run at home (a language segtui does not speak is English); without them, the
    server's own language."""
    chosen = client_locale(client_env)
    return i18n.resolve(None, chosen) if chosen else i18n.language()


@contextmanager
def speaking(code: str):
    """Words for one session in its language. The server's language is the process's: set
    and put back around the words, with no await in between (one event loop, one thread)."""
    spoken = i18n.language()
    i18n.set_language(code)
    try:
        yield
    finally:
        i18n.set_language(spoken)


def log_text(text: str, limit: int = 80) -> str:
    """Text from the network, safe for a log line: one token, nothing raw."""
    return printable(text, limit=limit, unsafe=" ", replacement="?")


# -- the authorized-keys file ---------------------------------------------------------------
@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    fingerprint: str
    line: int

    @property
    def read_only(self) -> bool:
        return self.role == "viewer"


def parse_authorized_keys(text: str, source: str | None = None) -> dict[bytes, Identity]:
    """The people who may log in, by their public key's wire form.

    A malformed file is refused whole, with every line at fault named."""
    require_asyncssh()
    source = source or _("authorized keys")
    problems: list[str] = []
    keys: dict[bytes, Identity] = {}
    roles: dict[str, tuple[str, int]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        fields = line.split(None, 2)
        if len(fields) < 3 or len(fields[2].split()) < 2:
            problems.append(_("line {number}: expected ROLE NAME KEYTYPE KEY, got {line!r}").format(
                number=number, line=log_text(line, 60)))
            continue
        role, name, key_text = fields
        if role not in ROLES:
            problems.append(_("line {number}: the role {role!r} is neither admin nor viewer").format(
                number=number, role=log_text(role, 30)))
            continue
        if not NAME_RE.match(name):
            problems.append(_("line {number}: the name {name!r} may hold only letters, digits "
                              "and . _ @ + - (64 at most, starting with a letter or digit)").format(
                number=number, name=log_text(name, 30)))
            continue
        if "-cert-v01@openssh.com" in key_text.split()[0]:
            problems.append(_("line {number}: certificates are not supported, give the public key itself").format(
                number=number))
            continue
        try:
            key = asyncssh.import_public_key(key_text)
        except (asyncssh.KeyImportError, ValueError) as exc:
            problems.append(_("line {number}: not a valid public key ({reason})").format(number=number, reason=exc))
            continue
        fingerprint = key.get_fingerprint("sha256")
        if key.public_data in keys:
            other = keys[key.public_data]
            problems.append(_("line {number}: this key is already on line {other} (for {name})").format(
                number=number, other=other.line, name=other.name))
            continue
        if name in roles and roles[name][0] != role:
            problems.append(_("line {number}: {name} is {role} on line {other} and {again} here").format(
                number=number, name=name, role=roles[name][0], other=roles[name][1], again=role))
            continue
        roles.setdefault(name, (role, number))
        keys[key.public_data] = Identity(name=name, role=role, fingerprint=fingerprint, line=number)
    if problems:
        raise InvalidInput("{source} is refused:\n{problems}\n{help}", source=source,
                           problems="\n".join("  " + problem for problem in problems), help=Message(FORMAT_HELP))
    if not keys:
        raise InvalidInput("{source} holds no key: nobody could log in.\n{help}", source=source,
                           help=Message(FORMAT_HELP))
    return keys


def read_authorized_keys(path: Path) -> dict[bytes, Identity]:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput("The authorized-keys file {path} is not a regular file.", path=path)
        if info.st_mode & 0o022:
            raise InvalidInput("The authorized-keys file {path} can be changed by other users, so anyone could "
                               "make themselves admin: chmod go-w {path}", path=path)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput("No authorized-keys file at {path} (choose one with --authorized-keys).\n{help}",
                           path=path, help=Message(FORMAT_HELP)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("Cannot read the authorized-keys file {path}: {reason}", path=path, reason=exc) from None
    return parse_authorized_keys(text, source=str(path))


# -- the host key ---------------------------------------------------------------------------
def load_or_create_host_key(path: Path, log=None):
    """The server's private key: generated (Ed25519, mode 0600) on first run, then reused."""
    require_asyncssh()
    if path.exists():
        mode = path.stat().st_mode
        if mode & 0o077:
            raise InvalidInput("The host key {path} is readable by other users (mode {mode}): chmod 600 {path}",
                               path=path, mode=format(stat.S_IMODE(mode), "o"))
        try:
            return asyncssh.read_private_key(str(path))
        except (asyncssh.KeyImportError, OSError, ValueError) as exc:
            raise InvalidInput("Cannot read the host key {path}: {reason}", path=path, reason=exc) from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = asyncssh.generate_private_key("ssh-ed25519", comment="segtui serve host key")
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key.export_private_key())
        path.with_name(path.name + ".pub").write_bytes(key.export_public_key())
    except OSError as exc:
        raise InvalidInput("Cannot create the host key {path}: {reason}", path=path,
                           reason=exc.strerror or exc) from None
    if log:
        log("host key generated", file=str(path))
    return key


# -- settings and shared state --------------------------------------------------------------
@dataclass
class Settings:
    host: str
    port: int
    authorized_keys: Path
    host_key: Path
    max_sessions: int
    idle_timeout: float
    db_url: str
    tz: str
    worker_interval: float
    read_only: bool = False
    python: str = sys.executable
    cwd: str = field(default_factory=os.getcwd)
    # the consoles' files folder (their imports and exports)
    files_dir: str = field(default_factory=lambda: str(files.default_files_dir()))
    max_memory_mb: int = config.SERVE_MAX_MEMORY_MB


def log_line(event: str, **fields) -> None:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    parts = [f"{key}={value}" for key, value in fields.items() if value is not None]
    print(" ".join([stamp, "segtui-serve:", event, *parts]), file=sys.stderr, flush=True)


class Hub:
    """What every connection shares: the settings, the keys, the running sessions."""

    def __init__(self, settings: Settings, keys: dict[bytes, Identity], log=log_line) -> None:
        self.settings = settings
        self.keys = keys
        self.log = log
        self.sessions: set[ConsoleSession] = set()
        self.stopping: set[asyncio.Task] = set()
        self.closing = False
        self.connections: dict[str, ConsoleServer] = {}  # by asyncssh's log context, "conn=N"
        self._keys_stamp = self._stamp()

    def _stamp(self):
        try:
            info = self.settings.authorized_keys.stat()
            return info.st_mtime_ns, info.st_size, info.st_ino, info.st_mode, info.st_ctime_ns
        except OSError:
            return None

    def current_keys(self) -> dict[bytes, Identity]:
        """The keys file is read again when it changed (mtime, size, inode, mode): people are
        added and removed without a restart. It fails closed: a file that is gone, unreadable,
        writable by others or with one bad line lets nobody in until it is fixed."""
        stamp = self._stamp()
        if stamp != self._keys_stamp:
            self._keys_stamp = stamp
            try:
                self.keys = read_authorized_keys(self.settings.authorized_keys)
                self.log("authorized keys reloaded", file=str(self.settings.authorized_keys), keys=len(self.keys))
            except SegtuiError as exc:
                self.keys = {}
                first = str(exc).splitlines()[0]
                self.log("authorized keys REFUSED: NOBODY CAN LOG IN until the file is fixed",
                         file=str(self.settings.authorized_keys), reason=repr(first))
        return self.keys

    def child_argv(self, identity: Identity) -> list[str]:
        # -P: neither the working folder nor a script folder goes on sys.path (a console never
        # imports a json.py lying there)
        argv = [self.settings.python, "-P", "-m", "segtui.cli", "--actor", identity.name,
                "--worker-interval", repr(float(self.settings.worker_interval)),
                "--files-dir", self.settings.files_dir]
        if identity.read_only or self.settings.read_only:
            argv.append("--read-only")
        return argv

    def child_env(self, term: str, client_env) -> dict[str, str]:
        """A clean environment: nothing of the server's or the client's but these. The language:
        the client's locale variables that pass the check (client_locale) replace the server's
        (its LC_ALL too: the client's choice decides); without them, the server's language."""
        env = {
            "TERM": term,
            "LANG": os.environ.get("LANG") or "C.UTF-8",
            "HOME": os.environ.get("HOME") or self.settings.cwd,
            "PATH": os.environ.get("PATH") or os.defpath,
            config.ENV_DB: self.settings.db_url,  # not in argv: a PostgreSQL password stays out of ps
            config.ENV_TZ: self.settings.tz,
        }
        for name in ("LC_ALL", config.ENV_NOW):
            if os.environ.get(name):
                env[name] = os.environ[name]
        chosen = client_locale(client_env)
        if chosen:
            env.pop("LC_ALL", None)
            env.update(chosen)
        else:  # what the server speaks, however it was chosen (--lang, SEGTUI_LANG, its locale)
            env[i18n.ENV_LANG] = i18n.language()
        package_root = str(Path(__file__).resolve().parents[1])
        if package_root not in {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}:
            # a source checkout: the console runs the very code this server runs
            extra = os.environ.get("PYTHONPATH")
            env["PYTHONPATH"] = package_root + (os.pathsep + extra if extra else "")
        if client_env.get("COLORTERM") in ("truecolor", "24bit"):
            env["COLORTERM"] = client_env["COLORTERM"]
        if "NO_COLOR" in client_env:
            env["NO_COLOR"] = "1"
        return env

    def full(self) -> bool:
        return len(self.sessions) >= self.settings.max_sessions


# -- the SSH side ---------------------------------------------------------------------------
_ServerBase = asyncssh.SSHServer if asyncssh else object
_SessionBase = asyncssh.SSHServerSession if asyncssh else object


class ConsoleServer(_ServerBase):
    """One per connection: public-key authentication against the hub's keys."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.conn = None
        self.peer = "?"
        self.username = ""
        self.candidate: Identity | None = None
        self.identity: Identity | None = None
        self.refused: set[str] = set()

    def connection_made(self, conn) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("?", 0)
        self.peer = f"{peer[0]}:{peer[1]}"
        self.context = _log_context(conn)
        if self.context:
            self.hub.connections[self.context] = self
        self.hub.log("connection", peer=self.peer)

    def connection_lost(self, exc) -> None:
        self.hub.connections.pop(getattr(self, "context", None), None)
        if self.identity is None:
            self.hub.log("connection closed without authentication", peer=self.peer,
                         user=log_text(self.username, 40) if self.username else None)
        else:
            self.hub.log("connection closed", name=self.identity.name, key=self.identity.fingerprint, peer=self.peer)

    def begin_auth(self, username: str) -> bool:
        self.username = username
        self.hub.current_keys()
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key) -> bool:
        identity = self.hub.current_keys().get(key.public_data)
        if identity is None:
            fingerprint = key.get_fingerprint("sha256")
            if fingerprint not in self.refused:
                self.refused.add(fingerprint)
                self.hub.log("auth refused", reason="unknown-key", key=fingerprint, peer=self.peer,
                             user=log_text(username, 40))
            return False
        # Not yet accepted: asyncssh calls this for a key query and again for the signed request,
        # then checks the signature and only then calls auth_completed, so the last candidate
        # is the key whose private half the client has just proven it holds.
        self.candidate = identity
        return True

    def auth_completed(self) -> None:
        self.identity = self.candidate
        self.hub.log("auth accepted", name=self.identity.name, role=self.identity.role,
                     key=self.identity.fingerprint, peer=self.peer, user=log_text(self.username, 40))

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def session_requested(self):
        if self.identity is None:
            return False
        return ConsoleSession(self.hub, self.identity, self.peer)

    def _refuse(self, what: str) -> bool:
        who = self.identity.name if self.identity else None
        self.hub.log("request refused", what=what, name=who, peer=self.peer)
        return False

    def connection_requested(self, dest_host, dest_port, orig_host, orig_port):
        return self._refuse("port-forwarding")

    def server_requested(self, listen_host, listen_port):
        return self._refuse("remote-port-forwarding")

    def unix_connection_requested(self, dest_path):
        return self._refuse("unix-socket-forwarding")

    def unix_server_requested(self, listen_path):
        return self._refuse("unix-socket-forwarding")

    def tun_requested(self, unit):
        return self._refuse("tun")

    def tap_requested(self, unit):
        return self._refuse("tap")


def _set_winsize(fd: int, cols: int, rows: int, xpixels: int = 0, ypixels: int = 0) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, xpixels, ypixels))


def _take_terminal() -> None:  # runs in the child between fork and exec, after setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _clamp_size(cols: int, rows: int) -> tuple[int, int]:
    """The window the console gets: the client's, at most MAX_COLS x MAX_ROWS (0: unknown)."""
    cols = min(cols, MAX_COLS) if cols > 0 else 80
    rows = min(rows, MAX_ROWS) if rows > 0 else 24
    return cols, rows


class OutputBudget:
    """A token bucket: how long to wait before sending more, so that a session sends at most
    ``rate`` bytes a second after a burst of ``burst``. ``clock`` is monotonic seconds."""

    def __init__(self, rate: float, burst: float, clock) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = burst
        self.last = clock()

    def spend(self, size: int) -> float:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        self.tokens -= size
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


def _log_context(conn) -> str | None:
    """asyncssh's "conn=N" for this connection, as its log messages carry it."""
    try:
        prefix, _ = conn.logger.process("", {})
    except Exception:
        return None
    found = re.search(r"conn=\d+", prefix)
    return found.group(0) if found else None


class RefusedForwardingLog(logging.Handler):
    """asyncssh refuses agent and X11 forwarding itself and only says so in its own log:
    turn those messages into our "request refused" line, with the person's name and key."""

    WHAT = {"Agent forwarding request denied": "agent-forwarding", "X11 forwarding request denied": "x11-forwarding"}

    def __init__(self, hub: Hub) -> None:
        super().__init__(logging.INFO)
        self.hub = hub

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            what = next((w for text, w in self.WHAT.items() if text in message), None)
            if what is None:
                return
            found = re.search(r"conn=\d+", message)
            server = self.hub.connections.get(found.group(0)) if found else None
            identity = server.identity if server else None
            self.hub.log("request refused", what=what, name=identity.name if identity else None,
                         key=identity.fingerprint if identity else None, peer=server.peer if server else None)
        except Exception:  # a log line must never break a session
            pass


def _limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        limit = megabytes << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class ConsoleSession(_SessionBase):
    """One SSH session channel: a console process on a pseudo-terminal, bytes both ways."""

    def __init__(self, hub: Hub, identity: Identity, peer: str) -> None:
        self.hub = hub
        self.identity = identity
        self.peer = peer
        self.loop = asyncio.get_running_loop()
        self.chan = None
        self.term = ""
        self.size = (80, 24, 0, 0)
        self.has_pty = False
        self.command_refused = False
        self.proc: subprocess.Popen | None = None
        self.master: int | None = None
        self.pidfd: int | None = None
        self.reading = False
        self.pty_eof = False
        self.paused = False
        self.pending = bytearray()
        self.writing = False
        self.started_at = 0.0
        self.last_input = 0.0
        self.idle_handle = None
        self.ended = False
        self.exited = asyncio.Event()
        self.budget = OutputBudget(OUTPUT_RATE, OUTPUT_BURST, self.loop.time)
        self.throttle_handle = None
        self.language = i18n.language()  # the client's, once its environment is known

    # -- channel requests ---------------------------------------------------------------
    def connection_made(self, chan) -> None:
        self.chan = chan

    def pty_requested(self, term_type, term_size, term_modes) -> bool:
        self.has_pty = True
        self.term = term_type if term_type and TERM_RE.match(term_type) else "xterm-256color"
        cols, rows = _clamp_size(term_size[0], term_size[1])
        self.size = (cols, rows, term_size[2], term_size[3])
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command) -> bool:
        # accepted only to tell the person, on stderr, why nothing runs (session_started), as
        # for a session without a terminal; the client then sees exit status 2
        self.hub.log("request refused", what="exec", name=self.identity.name, key=self.identity.fingerprint,
                     command=repr(log_text(str(command), 60)), peer=self.peer)
        self.command_refused = True
        return True

    def subsystem_requested(self, subsystem) -> bool:
        self.hub.log("request refused", what="subsystem", subsystem=log_text(str(subsystem), 40),
                     name=self.identity.name, key=self.identity.fingerprint, peer=self.peer)
        return False

    def break_received(self, msec) -> bool:
        return False

    def signal_received(self, signal_name) -> None:
        pass

    def _text(self, template: str, **params) -> str:
        """``template`` (marked with N_) in the session's language, ready for the wire."""
        with speaking(self.language):
            return _(template).format(**params).replace("\n", "\r\n")

    def session_started(self) -> None:
        self.language = session_language(self.chan.get_environment())
        if self.command_refused:
            try:
                self.chan.write_stderr(self._text(NO_COMMANDS, port=self.hub.settings.port).encode("utf-8"))
            except Exception:
                pass
            self.chan.exit(2)
            return
        if not self.has_pty:
            self._say(self._text(NO_TERMINAL, port=self.hub.settings.port))
            self.hub.log("session refused", reason="no-terminal", name=self.identity.name,
                         key=self.identity.fingerprint, peer=self.peer)
            self.chan.exit(2)
            return
        if self.hub.closing:
            self._say(self._text(N_("segtui serve is stopping: try again in a moment.\n")))
            self.chan.exit(1)
            return
        if self.hub.full():
            limit = self.hub.settings.max_sessions
            with speaking(self.language):
                # TRANSLATORS: the English says "all 1 console sessions" too
                refusal = _n("segtui serve: all {n} console sessions are in use; try again later.",
                             "segtui serve: all {n} console sessions are in use; try again later.", limit)
            self._say(refusal + "\r\n")
            self.hub.log("session refused", reason="max-sessions", limit=limit, name=self.identity.name,
                         key=self.identity.fingerprint, peer=self.peer)
            self.chan.exit(1)
            return
        try:
            self._spawn()
        except OSError as exc:
            self._close_fds()
            self._say(self._text(N_("segtui serve: the console could not start ({reason}).\n"),
                                 reason=exc.strerror or exc))
            self.hub.log("session failed", name=self.identity.name, error=repr(str(exc)))
            self.chan.exit(1)

    def _spawn(self) -> None:
        cols, rows, xpixels, ypixels = self.size
        master, slave = os.openpty()
        self.master = master
        try:
            _set_winsize(master, cols, rows, xpixels, ypixels)
            memory = self.hub.settings.max_memory_mb
            self.proc = subprocess.Popen(
                self.hub.child_argv(self.identity), stdin=slave, stdout=slave, stderr=slave,
                env=self.hub.child_env(self.term, self.chan.get_environment()), cwd=self.hub.settings.cwd,
                start_new_session=True, preexec_fn=lambda: (_take_terminal(), _limit_memory(memory)),
                close_fds=True,
            )
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self.hub.sessions.add(self)
        self.started_at = self.last_input = self.loop.time()
        self._start_reading()
        try:
            self.pidfd = os.pidfd_open(self.proc.pid)
            self.loop.add_reader(self.pidfd, self._child_exited)
        except (AttributeError, OSError):  # no pidfd: look every 100 ms
            self.loop.call_later(0.1, self._poll_child)
        if self.hub.settings.idle_timeout > 0:
            self.idle_handle = self.loop.call_later(self.hub.settings.idle_timeout, self._check_idle)
        self.hub.log("session started", name=self.identity.name, role=self.identity.role,
                     key=self.identity.fingerprint, pid=self.proc.pid, term=self.term, size=f"{cols}x{rows}",
                     peer=self.peer)

    # -- bytes both ways ----------------------------------------------------------------
    def _say(self, text: str) -> None:
        self._send(text.encode("utf-8"))

    def _send(self, data: bytes) -> None:
        try:
            if self.chan is not None:
                self.chan.write(data)
        except Exception:  # the client is gone: nothing more to tell it
            pass

    def _start_reading(self) -> None:
        if (self.master is not None and not self.reading and not self.pty_eof and not self.paused
                and self.throttle_handle is None):
            self.loop.add_reader(self.master, self._pty_readable)
            self.reading = True

    def _stop_reading(self) -> None:
        if self.reading and self.master is not None:
            self.loop.remove_reader(self.master)
        self.reading = False

    def _pty_readable(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO: every process holding the terminal has closed it
            data = b""
        if not data:
            self.pty_eof = True
            self._stop_reading()
            return
        self._send(data)
        wait = self.budget.spend(len(data))
        if wait > 0:  # over the rate: the console's writes block on its full terminal meanwhile
            self._stop_reading()
            self.throttle_handle = self.loop.call_later(wait, self._end_throttle)

    def _end_throttle(self) -> None:
        self.throttle_handle = None
        self._start_reading()

    def _drain(self) -> None:
        """What the console wrote before it exited goes to the client too."""
        while self.master is not None and not self.pty_eof:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                break
            if not data:
                break
            self._send(data)

    def pause_writing(self) -> None:
        self.paused = True
        self._stop_reading()

    def resume_writing(self) -> None:
        self.paused = False
        self._start_reading()

    def data_received(self, data, datatype) -> None:
        self.last_input = self.loop.time()
        if self.master is None or self.ended:
            return
        if len(self.pending) + len(data) > MAX_PENDING_INPUT:
            return  # the console does not read: drop rather than hoard
        self.pending += data
        self._flush_input()

    def _flush_input(self) -> None:
        while self.pending and self.master is not None:
            try:
                written = os.write(self.master, self.pending)
            except BlockingIOError:
                if not self.writing:
                    self.loop.add_writer(self.master, self._flush_input)
                    self.writing = True
                return
            except OSError:
                self.pending.clear()
                break
            del self.pending[:written]
        if self.writing and self.master is not None:
            self.loop.remove_writer(self.master)
        self.writing = False

    def eof_received(self) -> bool:
        return False  # no half-open sessions: the channel closes, the console stops

    def terminal_size_changed(self, width, height, pixwidth, pixheight) -> None:
        cols, rows = _clamp_size(width, height)
        self.size = (cols, rows, pixwidth, pixheight)
        if self.master is None or self.proc is None or self.ended:
            return
        try:
            _set_winsize(self.master, cols, rows, pixwidth, pixheight)
            os.killpg(self.proc.pid, signal.SIGWINCH)
        except OSError:
            pass
        self.hub.log("window changed", name=self.identity.name, pid=self.proc.pid, size=f"{cols}x{rows}")

    # -- the end --------------------------------------------------------------------------
    def connection_lost(self, exc) -> None:
        self.chan = None
        self.finish("client disconnected")

    def _child_exited(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            self.exited.set()
            if self.pidfd is not None:
                self.loop.remove_reader(self.pidfd)
            self.finish("console exited")

    def _poll_child(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            self.exited.set()
            self.finish("console exited")
        elif self.proc is not None:
            self.loop.call_later(0.1, self._poll_child)

    def _check_idle(self) -> None:
        timeout = self.hub.settings.idle_timeout
        left = self.last_input + timeout - self.loop.time()
        if left > 0:
            self.idle_handle = self.loop.call_later(left, self._check_idle)
            return
        self.finish("idle timeout", notice=self._text(
            N_("segtui serve: the session was closed after {seconds} s without a key press.\n"),
            seconds=i18n.decimal(timeout, 3)))

    def finish(self, reason: str, notice: str | None = None) -> None:
        if self.ended:
            return
        self.ended = True
        if self.idle_handle is not None:
            self.idle_handle.cancel()
        if self.throttle_handle is not None:
            self.throttle_handle.cancel()
        if self.proc is None:
            return
        task = self.loop.create_task(self._stop(reason, notice))
        self.hub.stopping.add(task)
        task.add_done_callback(self.hub.stopping.discard)

    async def _wait_exit(self, seconds: float) -> bool:
        deadline = self.loop.time() + seconds
        while self.proc.poll() is None and self.loop.time() < deadline:
            try:
                await asyncio.wait_for(self.exited.wait(), timeout=0.05)
            except TimeoutError:
                pass
        return self.proc.poll() is not None

    async def _stop(self, reason: str, notice: str | None) -> None:
        """Hang up the console's process group, kill what is left, reap: nothing stays behind."""
        pid = self.proc.pid
        try:
            if self.proc.poll() is None:
                try:
                    os.killpg(pid, signal.SIGHUP)
                except ProcessLookupError:
                    pass
                await self._wait_exit(HANGUP_GRACE)
            try:  # stragglers of the group, or a console that ignored the hang-up
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if not await self._wait_exit(10.0):
                self.proc.wait()
            self._stop_reading()
            if reason == "console exited":
                self._drain()
        finally:
            self._close_fds()
            self.hub.sessions.discard(self)
        code = self.proc.returncode
        status = code if code >= 0 else 128 - code
        self.hub.log("session ended", name=self.identity.name, key=self.identity.fingerprint, pid=pid,
                     reason=reason.replace(" ", "-"), exit=code if code >= 0 else None,
                     signal=_signal_name(-code) if code < 0 else None,
                     seconds=f"{self.loop.time() - self.started_at:.1f}", peer=self.peer)
        if self.chan is not None:
            if notice:
                self._send(TERMINAL_RESET + notice.encode("utf-8"))
            try:
                self.chan.exit(status)
            except Exception:
                pass

    def _close_fds(self) -> None:
        if self.master is not None:
            self._stop_reading()
            if self.writing:
                self.loop.remove_writer(self.master)
                self.writing = False
            os.close(self.master)
            self.master = None
        if self.pidfd is not None:
            try:
                self.loop.remove_reader(self.pidfd)
            except Exception:
                pass
            os.close(self.pidfd)
            self.pidfd = None


# -- running --------------------------------------------------------------------------------
async def serve_forever(settings: Settings, keys: dict[bytes, Identity], host_key, *, log=log_line,
                        ready=None) -> None:
    import logging

    hub = Hub(settings, keys, log)
    ssh_log = logging.getLogger("asyncssh")  # its own lines are not ours: only refused forwardings
    ssh_log.setLevel(logging.INFO)
    ssh_log.propagate = False
    ssh_log.handlers[:] = [RefusedForwardingLog(hub)]
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop.set)
    try:
        server = await asyncssh.create_server(
            lambda: ConsoleServer(hub), settings.host, settings.port,
            server_host_keys=[host_key], public_key_auth=True, password_auth=False, kbdint_auth=False,
            host_based_auth=False, gss_host=None, allow_pty=True, line_editor=False, encoding=None,
            x11_forwarding=False, agent_forwarding=False, allow_scp=False, sftp_factory=None,
            login_timeout=60, keepalive_interval=30, keepalive_count_max=3, reuse_address=True,
        )
    except OSError as exc:
        reason = {errno.EADDRINUSE: Message("the port is already in use (choose another with --port)"),
                  errno.EACCES: Message("permission denied (ports below 1024 need privileges)"),
                  errno.EADDRNOTAVAIL: Message("this machine has no such address")}.get(exc.errno, str(exc))
        raise InvalidInput("Cannot listen on {host}:{port}: {reason}", host=settings.host, port=settings.port,
                           reason=reason) from None
    ports = sorted({sock.getsockname()[1] for sock in server.sockets})
    settings.port = ports[0] if ports else settings.port
    log("listening", host=settings.host, port=",".join(str(p) for p in ports),
        host_key=host_key.get_fingerprint("sha256"), keys=len(keys), max_sessions=settings.max_sessions,
        idle_timeout=f"{settings.idle_timeout:g}", max_size=f"{MAX_COLS}x{MAX_ROWS}",
        max_memory=f"{settings.max_memory_mb}MB" if settings.max_memory_mb else "none",
        output_rate=f"{OUTPUT_RATE >> 20}MB/s", files=settings.files_dir, db=describe(settings.db_url))
    if ready is not None:
        ready(settings.port)
    await stop.wait()
    log("stopping", sessions=len(hub.sessions))
    hub.closing = True
    server.close()
    for session in list(hub.sessions):
        session.finish("server stopping", notice=session._text(N_("segtui serve is stopping: the session is closed.\n")))
    if hub.stopping:
        await asyncio.wait(list(hub.stopping), timeout=15)
    await asyncio.sleep(0.1)  # let the last exit-status packets leave
    await server.wait_closed()
    log("stopped")


def run_server(args, ctx) -> int:
    """``segtui serve``: check everything that can be checked, then serve until stopped."""
    require_asyncssh()
    if not 0 <= args.port <= 65535:
        raise InvalidInput("--port must be between 0 and 65535 (0 picks a free port)")
    if args.max_sessions < 1:
        raise InvalidInput("--max-sessions must be at least 1")
    if args.idle_timeout < 0:
        raise InvalidInput("--idle-timeout must be a number of seconds, 0 for none")
    if args.max_memory < 0 or 0 < args.max_memory < 256:
        raise InvalidInput("--max-memory must be at least 256 (megabytes), or 0 for no limit")
    url = config.database_url(args.db)
    if "://" not in url:
        url = os.path.abspath(url)
    settings = Settings(
        host=args.host, port=args.port,
        authorized_keys=Path(args.authorized_keys or config.default_authorized_keys()).expanduser(),
        host_key=Path(args.host_key or config.default_host_key()).expanduser(),
        max_sessions=args.max_sessions, idle_timeout=float(args.idle_timeout), db_url=url, tz=ctx.tz,
        worker_interval=args.worker_interval, read_only=ctx.read_only,
        files_dir=str(files.prepare_folder(args.files_dir)), max_memory_mb=args.max_memory,
    )
    keys = read_authorized_keys(settings.authorized_keys)
    host_key = load_or_create_host_key(settings.host_key, log=log_line)
    try:
        asyncio.run(serve_forever(settings, keys, host_key))
    except KeyboardInterrupt:
        pass
    return 0
