"""``segtui serve`` end to end: a real server process, real SSH clients, real consoles.

The server runs as ``python -m segtui.cli ... serve`` on 127.0.0.1 and a port it picks
(``--port 0``; the port is read from its "listening" log line), on a small demo database
with a fixed clock. The clients are asyncssh's and the system's OpenSSH ``ssh``. What the
consoles draw is read through a tiny terminal emulator (cursor moves and text; styles are
dropped), what they change is checked through the core, and what they leave behind
through /proc. Every wait has a deadline: nothing here can hang.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
import unicodedata
from pathlib import Path

import pytest

asyncssh = pytest.importorskip("asyncssh")

import segtui  # noqa: E402
from segtui import serve  # noqa: E402
from segtui.core import db as dbmod  # noqa: E402
from segtui.core import segments  # noqa: E402
from segtui.core.errors import InvalidInput  # noqa: E402
from segtui.core.models import AuditEntry, ConversionRecord, database_proxy  # noqa: E402

NOW = "2026-11-26T10:30:00+01:00"
TZ = "Europe/Paris"
WORKER_INTERVAL = 1.0
SOURCE_ROOT = str(Path(segtui.__file__).resolve().parents[1])
SIZE = (100, 30)
KEYS = {"alice": "admin", "carol": "admin", "bob": "viewer"}


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEGTUI_", "SSH_"))}
    # the server speaks English whatever the machine's locale; a client's LANG may change its console's
    env.update(SEGTUI_NOW=NOW, SEGTUI_TZ=TZ, PYTHONPATH=SOURCE_ROOT, TEXTUAL_ANIMATIONS="none", SEGTUI_LANG="en")
    return env


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "segtui.cli", *args], capture_output=True, text=True,
                          env=base_env(), timeout=timeout)


# -- a terminal, just enough to read what Textual draws -------------------------------------
ESCAPE = re.compile(
    r"\x1b\[(?P<params>[0-?]*)[ -/]*(?P<final>[@-~])"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1bP.*?\x1b\\"  # DCS
    r"|\x1b[()][0-9A-Za-z]|\x1b[=>78DEMc]",
    re.S,
)


class Screen:
    def __init__(self, cols: int, rows: int) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.pending = ""
        self.resize(cols, rows)

    def resize(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.x = self.y = 0

    def put(self, char: str) -> None:
        width = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if 0 <= self.y < self.rows and 0 <= self.x < self.cols:
            self.grid[self.y][self.x] = char
            if width == 2 and self.x + 1 < self.cols:
                self.grid[self.y][self.x + 1] = ""
        self.x += width

    def csi(self, params: str, final: str) -> None:
        numbers = [int(p) if p.isdigit() else 0 for p in params.lstrip("?<>=").split(";")] if params else []
        first = numbers[0] if numbers else 0
        if final in "Hf":
            self.y = max((numbers[0] if numbers else 1), 1) - 1
            self.x = max((numbers[1] if len(numbers) > 1 else 1), 1) - 1
        elif final == "J" and first == 2 or params == "?1049" and final in "hl":
            self.grid = [[" "] * self.cols for _ in range(self.rows)]
        elif final == "K" and 0 <= self.y < self.rows:
            for x in range(self.x, self.cols):
                self.grid[self.y][x] = " "
        elif final == "A":
            self.y -= max(first, 1)
        elif final == "B":
            self.y += max(first, 1)
        elif final == "C":
            self.x += max(first, 1)
        elif final == "D":
            self.x -= max(first, 1)
        elif final == "G":
            self.x = max(first, 1) - 1

    def feed(self, data: bytes) -> None:
        text = self.pending + self.decoder.decode(data)
        self.pending = ""
        i = 0
        while i < len(text):
            char = text[i]
            if char == "\x1b":
                match = ESCAPE.match(text, i)
                if match is None:
                    if len(text) - i < 64 and "\x1b" not in text[i + 1:]:
                        self.pending = text[i:]  # an escape sequence cut in two: wait for its end
                        return
                    i += 1
                    continue
                if match.group("final"):
                    self.csi(match.group("params"), match.group("final"))
                i = match.end()
                continue
            if char == "\r":
                self.x = 0
            elif char == "\n":
                self.y = min(self.y + 1, self.rows - 1)
            elif char == "\b":
                self.x = max(self.x - 1, 0)
            elif char >= " ":
                self.put(char)
            i += 1

    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.grid]

    def text(self) -> str:
        return "\n".join(self.lines())

    def line_with(self, needle: str) -> str:
        return next((line for line in self.lines() if needle in line), "")


# -- the server -----------------------------------------------------------------------------
class Server:
    """``segtui serve`` as a child process, its stderr collected line by line."""

    def __init__(self, workdir: Path, database: Path, authorized_keys: Path, *extra: str) -> None:
        self.log: list[str] = []
        self.changed = threading.Condition()
        argv = [sys.executable, "-m", "segtui.cli", "--db", str(database), "--worker-interval", str(WORKER_INTERVAL),
                "serve", "--host", "127.0.0.1", "--port", "0", "--authorized-keys", str(authorized_keys),
                "--host-key", str(workdir / "host_key"), *extra]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=base_env(), cwd=workdir, text=True)
        threading.Thread(target=self._collect, daemon=True).start()
        line = self.wait_log(r"listening host=127\.0\.0\.1 port=(\d+)", timeout=30)
        self.port = int(re.search(r"port=(\d+)", line).group(1))

    def _collect(self) -> None:
        for line in self.proc.stderr:
            with self.changed:
                self.log.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def wait_log(self, pattern: str, timeout: float = 30, start: int = 0) -> str:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for line in self.log[start:]:
                    if re.search(pattern, line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None and not self.changed.wait(0.2):
                    raise AssertionError(f"no log line matching {pattern!r}; log:\n" + "\n".join(self.log))
                self.changed.wait(min(left, 0.5))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
                raise AssertionError("segtui serve did not stop on SIGTERM") from None


def alive(pid: int) -> bool:
    """Still in the process table (running, or a zombie nobody reaped)."""
    return os.path.exists(f"/proc/{pid}")


def in_session(sid: int) -> list[int]:
    """Every process whose session is ``sid``: a console's whole family."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2:].split()
            if int(fields[3]) == sid:  # state ppid pgrp session ...
                found.append(int(entry))
    return found


def wait_gone(pid: int, timeout: float = 8) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid) and not in_session(pid):
            return
        time.sleep(0.05)
    raise AssertionError(f"console {pid} (or its session {in_session(pid)}) is still there")


def run(coro, timeout: float = 40):
    """Run one async scenario with a deadline."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    """A demo database with nothing due, keys for alice, carol (admins), bob (viewer), a stranger."""
    root = tmp_path_factory.mktemp("serve")
    database = root / "demo.db"
    for args in (["--db", str(database), "demo", "--contacts", "200"], ["--db", str(database), "worker", "--once"]):
        done = cli(*args)
        assert done.returncode == 0, done.stderr
    keys = {}
    lines = ["# ROLE NAME PUBLIC-KEY"]
    for name in [*KEYS, "stranger"]:
        key = asyncssh.generate_private_key("ssh-ed25519", comment=f"{name}@test")
        key.write_private_key(str(root / name))
        os.chmod(root / name, 0o600)
        keys[name] = key
        if name in KEYS:
            lines.append(f"{KEYS[name]} {name} {key.export_public_key().decode().strip()}")
    authorized = root / "authorized_keys"
    authorized.write_text("\n".join(lines) + "\n")
    authorized.chmod(0o644)
    return {"root": root, "db": database, "keys": keys, "authorized": authorized}


@pytest.fixture(scope="module")
def server(place):
    srv = Server(place["root"], place["db"], place["authorized"], "--max-sessions", "8")
    yield srv
    srv.stop()
    assert any("stopped" in line for line in srv.log)


@contextlib.contextmanager
def core(database: Path):
    """The same database, opened in the test process to check what the consoles did."""
    handle = dbmod.open_database(str(database))
    try:
        yield
    finally:
        handle.close()
        database_proxy.close()


# -- an asyncssh client with a terminal -----------------------------------------------------
async def ssh_connect(server: Server, key=None, **options):
    options.setdefault("client_keys", [key] if key is not None else None)
    return await asyncssh.connect("127.0.0.1", server.port, username="tester", known_hosts=None, agent_path=None,
                                  config=None, **options)


def first_row(text: str) -> str:
    """The segments list's first row as the screen shows it (the line under its headings), or ''."""
    lines = text.splitlines()
    for heading, row in zip(lines, lines[1:]):
        if heading.split()[1:2] == ["Type"]:  # Name (Nom) then Type, in either language
            return row
    return ""


class Console:
    def __init__(self, server: Server, conn, process, cols: int, rows: int) -> None:
        self.server, self.conn, self.process = server, conn, process
        self.screen = Screen(cols, rows)
        self.raw = bytearray()
        self.reader = asyncio.ensure_future(self._read())
        self.pid = 0

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                data = await self.process.stdout.read(65536)
                if not data:
                    return
                self.raw += data
                self.screen.feed(data)

    async def wait_for(self, test, timeout: float = 15, what: str = "") -> None:
        if isinstance(test, str):
            needle, test = test, (lambda text, needle=test: needle in text)
            what = what or repr(needle)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if test(self.screen.text()):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the console never showed {what}; its screen:\n{self.screen.text()}")

    async def keys(self, *keys: str, pause: float = 0.25) -> None:
        for key in keys:
            self.process.stdin.write(key.encode())
            await asyncio.sleep(pause)

    async def open_segment(self, name: str) -> None:
        """Search the list and open the segment, the list seen filtered before Enter (sent
        blind, the Enter could reach a loaded console before the list was filtered)."""
        await self.keys("/", name[:12])
        await self.wait_for(lambda text: name[:12] in first_row(text), what=f"the list filtered by {name[:12]!r}")
        await self.keys("\r", "\r")
        await self.wait_for(lambda text: "Actions ▾" in text and name in text, what=f"the detail of {name!r}")

    def close(self) -> None:
        self.reader.cancel()
        self.conn.close()


async def open_console(server: Server, key, size=SIZE, env=None) -> Console:
    conn = await ssh_connect(server, key)
    local_port = conn.get_extra_info("sockname")[1]
    process = await conn.create_process(term_type="xterm-256color", term_size=size, encoding=None, env=env or {})
    console = Console(server, conn, process, *size)
    line = await asyncio.to_thread(server.wait_log, rf"session started .* peer=127\.0\.0\.1:{local_port}\b", 15)
    console.pid = int(re.search(r"pid=(\d+)", line).group(1))
    await console.wait_for("Hand-picked VIPs", what="the segments list")
    return console


# -- the authorized-keys file and the host key ----------------------------------------------
def test_authorized_keys_format_and_refusals(tmp_path):
    good = [asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip() for _ in range(2)]
    keys = serve.parse_authorized_keys(f"# people\n\nadmin alice {good[0]}\n  viewer bob {good[1]}  \n")
    assert sorted((i.name, i.role, i.line) for i in keys.values()) == [("alice", "admin", 3), ("bob", "viewer", 4)]
    assert all(i.fingerprint.startswith("SHA256:") for i in keys.values())

    bad = "\n".join([
        f"admin alice {good[0]}",
        f"owner carol {good[1]}",  # 2: role
        f"admin al!ce {good[1]}",  # 3: name
        "viewer dave ssh-ed25519",  # 4: no key
        "viewer erin ssh-ed25519 AAAAnotbase64",  # 5: not a key
        f"viewer frank {good[0]}",  # 6: the same key as line 1
        f"viewer alice {good[1]}",  # 7: alice is admin on line 1
    ])
    with pytest.raises(InvalidInput) as refused:
        serve.parse_authorized_keys(bad, source="keys.txt")
    message = str(refused.value)
    for number in (2, 3, 4, 5, 6, 7):
        assert f"line {number}:" in message
    assert "line 1:" not in message and "ROLE NAME PUBLIC-KEY" in message
    with pytest.raises(InvalidInput, match="no key"):
        serve.parse_authorized_keys("# nobody yet\n")

    path = tmp_path / "authorized_keys"
    path.write_text(f"admin alice {good[0]}\n")
    path.chmod(0o666)
    with pytest.raises(InvalidInput, match="chmod go-w"):
        serve.read_authorized_keys(path)
    with pytest.raises(InvalidInput, match="No authorized-keys file"):
        serve.read_authorized_keys(tmp_path / "missing")


def test_host_key_is_made_once_and_kept_private(tmp_path):
    path = tmp_path / "state" / "host_key"
    first = serve.load_or_create_host_key(path)
    assert (path.stat().st_mode & 0o777) == 0o600
    again = serve.load_or_create_host_key(path)
    assert again.get_fingerprint() == first.get_fingerprint()
    path.chmod(0o644)
    with pytest.raises(InvalidInput, match="chmod 600"):
        serve.load_or_create_host_key(path)


def test_cli_refuses_a_malformed_keys_file_and_explains_a_missing_extra(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("admin alice not-a-key\n")
    done = cli("--db", str(tmp_path / "x.db"), "serve", "--port", "0", "--authorized-keys", str(keys),
               "--host-key", str(tmp_path / "hk"))
    assert done.returncode == 2 and "line 1:" in done.stderr
    probe = ("import sys; sys.modules['asyncssh'] = None; from segtui.cli import main; "
             f"sys.exit(main(['--db', {str(tmp_path / 'y.db')!r}, 'serve']))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=base_env(), timeout=60)
    assert done.returncode == 1 and "pip install 'segtui[serve]'" in done.stderr


# -- sessions --------------------------------------------------------------------------------
def test_admin_converts_a_segment_as_the_key_name(server, place):
    async def scenario():
        console = await open_console(server, place["keys"]["alice"])
        try:
            assert "read-only" not in console.screen.lines()[0]
            await console.open_segment("Events 2025, Bretagne")
            await console.keys("\x10", pause=0.5)  # ctrl+p: the command palette offers the conversion
            await console.keys("Convert")
            await console.wait_for("Convert to static", what="the palette's entry")
            await console.keys("\x1b")
            await console.wait_for(lambda text: "Convert to static" not in text, what="the palette closed")
            await console.keys("a")
            await console.wait_for("─ Actions ─", what="the Actions menu")
            assert "Convert to static" in console.screen.text()
            await console.keys("\r")
            await console.wait_for("to static?", what="the confirmation")
            await console.keys("\r")
            await console.wait_for("is now static", what="the conversion's notice")
            await console.keys("\x11")  # ctrl+q: the console ends, and so does the session
            finished = await asyncio.wait_for(console.process.wait(), 15)
            await asyncio.wait_for(console.reader, 5)
            assert finished.exit_status == 0
            assert b"\x1b[?1049l" in console.raw[-4000:]  # the console's goodbye reached the client
        finally:
            console.close()
        return console.pid

    pid = run(scenario())
    with core(place["db"]):
        segment = segments.get("Events 2025, Bretagne")
        assert segment.type == "static"
        records = list(ConversionRecord.select().where(ConversionRecord.segment == segment.id))
        assert [(r.direction, r.trigger, r.actor) for r in records] == [("to_static", "manual", "alice")]
        assert AuditEntry.select().where(AuditEntry.segment_id == segment.id, AuditEntry.actor == "alice").exists()
    wait_gone(pid)


def test_viewer_is_read_only_and_cannot_convert(server, place):
    name = "Customers not in VIPs"
    with core(place["db"]):
        before = segments.get(name)
        conversions_before = ConversionRecord.select().count()

    async def scenario():
        console = await open_console(server, place["keys"]["bob"])
        try:
            await console.wait_for(lambda text: "read-only" in text.splitlines()[0], what="read-only in the header")
            await console.open_segment(name)
            await console.keys("a")
            await console.wait_for("─ Actions ─", what="the Actions menu")
            menu = console.screen.text()
            for mutating in ("Convert to static", "Convert to active", "Refresh members now", "Edit filters"):
                assert mutating not in menu
            assert "Automatic conversion settings" in menu  # shown to a viewer, read-only (issue 15)
            await console.keys("\x1b", pause=0.5)
            await console.keys("\x10", pause=0.5)  # ctrl+p: the command palette
            await console.keys("Convert to static")
            await console.wait_for("🔎 Convert to static", what="the palette with the words typed")
            # the palette finished its search: nothing a viewer may run answers to those words
            await console.wait_for("No matches found", what="the palette's answer")
            typed = [line for line in console.screen.lines() if "Convert to static" in line]
            assert len(typed) == 1 and "🔎" in typed[0], typed  # the words typed, and no entry
        finally:
            console.close()

    run(scenario())
    with core(place["db"]):
        after = segments.get(name)
        assert (after.type, after.version, after.size) == (before.type, before.version, before.size)
        assert ConversionRecord.select().count() == conversions_before


def test_two_sessions_see_each_others_conversions(server, place):
    first, second = "Spring campaign, engaged", "Newsletter, Normandie or Bretagne"

    def static_in_list(label):
        return lambda text: "Static" in next((line for line in text.splitlines() if label in line), "")

    async def converted(database, segment_name, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with core(database):
                if segments.get(segment_name).type == "static":
                    return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{segment_name!r} was never converted")

    async def convert(console, segment_name):
        await console.open_segment(segment_name)
        await console.keys("a")
        await console.wait_for("Convert to static")
        await console.keys("\r")
        await console.wait_for("to static?", what="the confirmation")
        await console.keys("\r")

    async def scenario():
        alice = await open_console(server, place["keys"]["alice"])
        carol = await open_console(server, place["keys"]["carol"])
        try:
            # the order of events, not their timing: each console shows the other's conversion
            # only after it happened, and announces it
            assert not static_in_list(first[:15])(carol.screen.text()), "static before anyone converted it"
            await convert(alice, first)
            await converted(place["db"], first)
            await carol.wait_for(static_in_list(first[:15]), timeout=20, what=f"{first!r} static")
            await carol.wait_for("Segment converted", timeout=20, what="the notice of alice's conversion")
            await alice.keys("\x1b", "\x1b", pause=0.4)  # back to the list, and clear its search
            await alice.wait_for(lambda text: "Newsletter" in text, what="the whole list")
            assert not static_in_list("Newsletter")(alice.screen.text()), "static before anyone converted it"
            await convert(carol, second)
            await converted(place["db"], second)
            await alice.wait_for(static_in_list("Newsletter"), timeout=20, what=f"{second!r} static")
            await alice.wait_for("Segment converted", timeout=20, what="the notice of carol's conversion")
        finally:
            alice.close()
            carol.close()

    run(scenario(), timeout=120)
    with core(place["db"]):
        actors = {r.segment.name: r.actor for r in ConversionRecord.select().where(ConversionRecord.trigger == "manual")}
        assert actors[first] == "alice" and actors[second] == "carol"


def test_clean_environment_resize_and_a_killed_client_leaves_nothing(server, place):
    async def scenario():
        client_env = {"COLORTERM": "truecolor", "NO_COLOR": "1", "LD_PRELOAD": "/tmp/evil.so", "SEGTUI_DB": "/x"}
        console = await open_console(server, place["keys"]["alice"], env=client_env)
        environ = dict(item.split("=", 1) for item in
                       Path(f"/proc/{console.pid}/environ").read_text().split("\0") if "=" in item)
        assert set(environ) <= {"TERM", "LANG", "LC_ALL", "LC_MESSAGES", "HOME", "PATH", "SEGTUI_DB", "SEGTUI_TZ",
                                "SEGTUI_NOW", "SEGTUI_LANG", "PYTHONPATH", "COLORTERM", "NO_COLOR"}, environ
        assert (environ["TERM"], environ["COLORTERM"], environ["NO_COLOR"]) == ("xterm-256color", "truecolor", "1")
        assert (environ["SEGTUI_DB"], environ["SEGTUI_TZ"], environ["SEGTUI_NOW"]) == (str(place["db"]), TZ, NOW)
        mark = len(server.log)
        console.screen.resize(120, 40)
        console.process.change_terminal_size(120, 40)
        await asyncio.to_thread(server.wait_log, rf"window changed name=alice pid={console.pid} size=120x40", 10, mark)
        # the console's own terminal has the new size ...
        tty = os.open(f"/proc/{console.pid}/fd/0", os.O_RDWR | os.O_NOCTTY)
        try:
            rows, cols = struct.unpack("HHHH", fcntl.ioctl(tty, termios.TIOCGWINSZ, b"\0" * 8))[:2]
        finally:
            os.close(tty)
        assert (cols, rows) == (120, 40)
        # ... and the console drew itself again at that size: a wider table, a footer on row 40
        await console.wait_for(lambda text: "Last activity" in text and console.screen.lines()[39].strip() != "",
                               what="a 120x40 layout")
        console.conn.abort()  # the client dies: no goodbye
        console.reader.cancel()
        return console.pid

    pid = run(scenario())
    server.wait_log(rf"session ended name=alice .*pid={pid} reason=client-disconnected", timeout=10)
    wait_gone(pid)


def console_environ(pid: int) -> dict[str, str]:
    return dict(item.split("=", 1) for item in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in item)


def test_a_client_sending_a_french_lang_gets_a_french_console(server, place):
    """ssh -o SendEnv=LANG with LANG=fr_FR.UTF-8: the console speaks French; the same server
    gives an English console to a client that sends nothing, and says its own refusals in
    the client's language."""
    async def scenario():
        french = await open_console(server, place["keys"]["alice"], env={"LANG": "fr_FR.UTF-8"})
        english = await open_console(server, place["keys"]["carol"])
        try:
            environ = console_environ(french.pid)
            assert environ["LANG"] == "fr_FR.UTF-8" and "SEGTUI_LANG" not in environ and "LC_ALL" not in environ
            assert console_environ(english.pid)["SEGTUI_LANG"] == "en"
            for console in (french, english):
                await console.open_segment("Events 2025, Bretagne")
            await french.wait_for("Échap Retour", what="the French footer")
            await english.wait_for("esc Back", what="the English footer")
            assert "esc Back" not in french.screen.text()
        finally:
            french.close()
            english.close()
        async with await ssh_connect(server, place["keys"]["bob"]) as conn:
            command = await conn.run("segtui segments list", env={"LANG": "fr_FR.UTF-8"}, timeout=15)
            assert command.exit_status == 2
            assert "ce serveur n'exécute que la console segtui" in command.stderr and "HÔTE" in command.stderr
            no_pty = await conn.run(env={"LANG": "fr_FR.UTF-8"}, timeout=15)
            assert no_pty.exit_status == 2 and "la console a besoin d'un terminal" in no_pty.stdout
        return french.pid

    wait_gone(run(scenario(), timeout=90))


def test_a_hostile_lang_from_the_client_never_reaches_the_console(server, place):
    hostile = {"LANG": "fr_FR.UTF-8; touch /tmp/segtui-owned", "LC_ALL": "\x1b]0;owned\x07" + "A" * 4000,
               "LC_MESSAGES": "$(reboot)", "LANGUAGE": "fr", "LC_CTYPE": "fr_FR.UTF-8"}

    async def scenario():
        console = await open_console(server, place["keys"]["carol"], env=hostile)
        try:
            environ = console_environ(console.pid)
            assert environ["LANG"] == (os.environ.get("LANG") or "C.UTF-8")  # the server's
            assert environ["SEGTUI_LANG"] == "en"
            for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LC_CTYPE"):
                assert name not in environ
            raw = Path(f"/proc/{console.pid}/environ").read_bytes()
            assert b"owned" not in raw and b"reboot" not in raw and b"\x1b" not in raw
            await console.open_segment("Events 2025, Bretagne")
            await console.wait_for("esc Back", what="the English footer")
        finally:
            console.close()
        return console.pid

    wait_gone(run(scenario(), timeout=60))


def test_refused_keys_passwords_exec_subsystems_forwarding_and_no_pty(server, place):
    stranger = place["keys"]["stranger"]

    async def scenario():
        with pytest.raises(asyncssh.PermissionDenied):
            await ssh_connect(server, stranger)
        with pytest.raises(asyncssh.PermissionDenied):
            await ssh_connect(server, None, password="hunter2")
        with pytest.raises(asyncssh.PermissionDenied):
            await ssh_connect(server, None, password="hunter2", kbdint_auth=True, preferred_auth="keyboard-interactive")
        async with await ssh_connect(server, place["keys"]["alice"]) as conn:
            command = await conn.run("segtui segments list", timeout=15)  # told why, on stderr; nothing runs
            assert command.exit_status == 2 and "runs only the segtui console" in command.stderr
            assert command.stdout == ""
            with pytest.raises((asyncssh.ChannelOpenError, asyncssh.SFTPError)):
                await conn.start_sftp_client()
            with pytest.raises(asyncssh.ChannelOpenError):
                await conn.open_connection("127.0.0.1", server.port)
            with pytest.raises(asyncssh.ChannelListenError):
                await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 22)
            no_pty = await conn.run(timeout=15)  # a shell without a terminal: advice, no console
            assert no_pty.exit_status == 2 and "ssh -t" in no_pty.stdout

    run(scenario())
    fingerprint = stranger.get_fingerprint("sha256")
    server.wait_log(rf"auth refused reason=unknown-key key={re.escape(fingerprint)}")
    server.wait_log(r"connection closed without authentication")
    server.wait_log(r"request refused what=exec name=alice .*command='segtui")
    server.wait_log(r"request refused what=subsystem subsystem=sftp name=alice")
    server.wait_log(r"request refused what=port-forwarding name=alice")
    server.wait_log(r"request refused what=remote-port-forwarding name=alice")
    server.wait_log(r"session refused reason=no-terminal name=alice")
    assert not any("session started" in line and "reason=no-terminal" in line for line in server.log)


def test_max_sessions_and_idle_timeout(place, tmp_path):
    srv = Server(tmp_path, place["db"], place["authorized"], "--max-sessions", "1", "--idle-timeout", "3")
    try:
        async def scenario():
            console = await open_console(srv, place["keys"]["bob"])
            async with await ssh_connect(srv, place["keys"]["carol"]) as conn:
                second = await conn.run(term_type="xterm", term_size=(80, 24), timeout=15)
                assert second.exit_status == 1 and "all 1 console sessions are in use" in second.stdout
            await console.wait_for("without a key press", timeout=10, what="the idle notice")
            console.close()
            last = await open_console(srv, place["keys"]["alice"])  # the place is free again
            await asyncio.to_thread(srv.stop)  # the server stops with a session open
            await last.wait_for("segtui serve is stopping", timeout=5)
            last.close()
            return console.pid, last.pid

        idle, stopped = run(scenario())
        srv.wait_log(r"session refused reason=max-sessions limit=1 name=carol")
        srv.wait_log(rf"session ended name=bob .*pid={idle} reason=idle-timeout")
        srv.wait_log(rf"session ended name=alice .*pid={stopped} reason=server-stopping")
        assert srv.proc.returncode == 0
        wait_gone(idle)
        wait_gone(stopped)
    finally:
        srv.stop()


# -- the system's OpenSSH client (tests/security uses the same helpers) ----------------------
SSH = shutil.which("ssh")


def require_ssh() -> None:
    if SSH is None:  # CI installs it (.ci/run): there a missing client is a failure
        (pytest.fail if os.environ.get("CI") else pytest.skip)("the OpenSSH client (ssh) is not installed")


def openssh_argv(server: Server, key: Path, *extra: str) -> list[str]:
    return [SSH, "-p", str(server.port), "-i", str(key), "-F", "/dev/null", "-o", "IdentitiesOnly=yes",
            "-o", "IdentityAgent=none", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", *extra, "localhost"]


def ssh_run(server: Server, key: Path, *args: str, command: tuple[str, ...] = (),
            env: dict | None = None) -> subprocess.CompletedProcess:
    """One ``ssh`` with ``args`` as options, and a ``command`` after the host."""
    return subprocess.run(openssh_argv(server, key, *args) + list(command), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=30, env=env or base_env())


class OpenSSHConsole:
    """``ssh -tt`` on a pseudo-terminal of ``cols`` x ``rows``: what it shows, keys to send."""

    def __init__(self, server: Server, key: Path, cols: int = 100, rows: int = 30, *options: str,
                 env: dict | None = None, agent: Path | None = None) -> None:
        argv = openssh_argv(server, key, "-tt", *options)
        if agent is not None:  # ssh takes the first value of an option: the agent replaces "none"
            argv[argv.index("IdentityAgent=none")] = f"IdentityAgent={agent}"
        self.server = server
        self.mark = len(server.log)
        self.screen = Screen(min(cols, 300), min(rows, 100))
        self.raw = bytearray()
        pid, fd = pty.fork()
        if pid == 0:  # the child: ssh on a terminal of its own
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                child_env = dict(env or base_env())
                child_env["TERM"] = "xterm-256color"
                os.execve(SSH, argv, child_env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.console_pid = 0

    def pump(self, seconds: float = 0.1) -> None:
        if select.select([self.fd], [], [], seconds)[0]:
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:
                return
            self.raw += data
            self.screen.feed(data)

    def wait_for(self, needle: str, timeout: float = 25) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.screen.text():
            assert time.monotonic() < deadline, f"ssh never showed {needle!r}:\n{self.screen.text()}"
            self.pump()

    def wait_gone(self, needle: str, timeout: float = 25) -> None:
        deadline = time.monotonic() + timeout
        while needle in self.screen.text():
            assert time.monotonic() < deadline, f"ssh still shows {needle!r}:\n{self.screen.text()}"
            self.pump()

    def wait_until(self, test, what: str, timeout: float = 25) -> None:
        deadline = time.monotonic() + timeout
        while not test(self.screen.text()):
            assert time.monotonic() < deadline, f"ssh never showed {what}:\n{self.screen.text()}"
            self.pump()

    def started(self, name: str) -> str:
        line = self.server.wait_log(rf"session started name={name} ", timeout=25, start=self.mark)
        self.console_pid = int(re.search(r"pid=(\d+)", line).group(1))
        return line

    def wait_log(self, pattern: str, start: int, timeout: float = 30) -> str:
        """A server log line after ``start``, reading what ssh writes meanwhile: a full
        terminal buffer would stall ssh before it forwards a resize."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.server.log[start:]:
                if re.search(pattern, line):
                    return line
            assert time.monotonic() < deadline, f"no log line matching {pattern!r}:\n" + "\n".join(self.server.log)
            self.pump()

    def keys(self, *keys: str, pause: float = 0.3) -> None:
        for key in keys:
            os.write(self.fd, key.encode())
            deadline = time.monotonic() + pause
            while time.monotonic() < deadline:
                self.pump(0.05)

    def resize(self, cols: int, rows: int) -> None:
        """The kernel tells ssh, which tells the server."""
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def test_openssh_client_lands_in_the_console(server, place):
    require_ssh()
    root = place["root"]
    mark = len(server.log)
    console = OpenSSHConsole(server, root / "carol", *SIZE)
    try:
        console.wait_for("Hand-picked VIPs")
        line = console.started("carol")
        assert re.search(r"term=xterm-256color size=100x30", line), line
        resized = len(server.log)
        console.resize(120, 40)
        console.wait_log(rf"window changed name=carol pid={console.console_pid} size=120x40", start=resized)
    finally:
        console.close()
    server.wait_log(rf"session ended name=carol .*pid={console.console_pid} reason=client-disconnected", start=mark)
    wait_gone(console.console_pid)

    refused = ssh_run(server, root / "stranger")
    assert refused.returncode == 255 and "Permission denied (publickey)" in refused.stderr
    exec_request = ssh_run(server, root / "alice", command=("segtui", "segments", "list"))
    assert exec_request.returncode != 0 and "Customers" not in exec_request.stdout
