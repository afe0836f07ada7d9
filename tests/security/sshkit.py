"""``segtui serve`` driven by the system's OpenSSH client, for the adversarial tests.

Reuses the server runner and the tiny terminal of tests/serve; adds a server started
with an environment and a working folder of the test's choosing, and ``ssh`` on a
terminal of its own (pty.fork) whose window size the test sets.
"""

from __future__ import annotations

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
from pathlib import Path

import pytest

from ..serve.test_serve import NOW, TZ, Screen, Server, base_env, cli, openssh_argv  # noqa: F401

asyncssh = pytest.importorskip("asyncssh")
SSH = shutil.which("ssh")


def require_ssh() -> None:
    if SSH is None:
        (pytest.fail if os.environ.get("CI") else pytest.skip)("the OpenSSH client (ssh) is not installed")


def make_place(root: Path, people: dict[str, str]) -> dict:
    """A small demo database and one key per person (role from ``people``), plus a stranger."""
    database = root / "demo.db"
    for args in (["--db", str(database), "demo", "--contacts", "60"], ["--db", str(database), "worker", "--once"]):
        done = cli(*args)
        assert done.returncode == 0, done.stderr
    keys, lines = {}, ["# ROLE NAME PUBLIC-KEY"]
    for name in [*people, "stranger"]:
        key = asyncssh.generate_private_key("ssh-ed25519", comment=f"{name}@test")
        key.write_private_key(str(root / name))
        os.chmod(root / name, 0o600)
        keys[name] = key
        if name in people:
            lines.append(f"{people[name]} {name} {key.export_public_key().decode().strip()}")
    authorized = root / "authorized_keys"
    authorized.write_text("\n".join(lines) + "\n")
    authorized.chmod(0o644)
    return {"root": root, "db": database, "keys": keys, "authorized": authorized, "lines": lines}


class ServerIn(Server):
    """``segtui serve`` with a HOME, a working folder and options of the test's choosing."""

    def __init__(self, workdir: Path, database: Path, authorized_keys: Path, *extra: str, home: Path,
                 before: tuple[str, ...] = ()) -> None:
        self.log: list[str] = []
        self.changed = threading.Condition()
        env = base_env()
        env["HOME"] = str(home)
        argv = [sys.executable, "-m", "segtui.cli", "--db", str(database), "--worker-interval", "1", *before,
                "serve", "--host", "127.0.0.1", "--port", "0", "--authorized-keys", str(authorized_keys),
                "--host-key", str(workdir / "host_key"), *extra]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=env, cwd=workdir, text=True)
        threading.Thread(target=self._collect, daemon=True).start()
        line = self.wait_log(r"listening host=127\.0\.0\.1 port=(\d+)", timeout=30)
        self.port = int(re.search(r"port=(\d+)", line).group(1))
        self.listening = line


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
        if pid == 0:
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

    def started(self, name: str) -> str:
        line = self.server.wait_log(rf"session started name={name} ", timeout=25, start=self.mark)
        self.console_pid = int(re.search(r"pid=(\d+)", line).group(1))
        return line

    def keys(self, *keys: str, pause: float = 0.3) -> None:
        for key in keys:
            os.write(self.fd, key.encode())
            deadline = time.monotonic() + pause
            while time.monotonic() < deadline:
                self.pump(0.05)

    def resize(self, cols: int, rows: int) -> None:
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)
