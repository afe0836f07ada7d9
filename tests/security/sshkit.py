"""``segtui serve`` driven by the system's OpenSSH client, for the adversarial tests.

Reuses the server runner, the tiny terminal and the OpenSSH client of tests/serve; adds a
server started with an environment and a working folder of the test's choosing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ..serve.test_serve import (  # noqa: F401
    NOW, TZ, SSH, OpenSSHConsole, Screen, Server, base_env, cli, first_row, openssh_argv, require_ssh, ssh_run,
)

asyncssh = pytest.importorskip("asyncssh")


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
