"""Findings 1-4 and 10 of issue 10 against ``segtui serve``, through the system's ``ssh``.

An admin key exported to ``~/.ssh/authorized_keys2`` and to ``json.py`` in the server's
working folder (which broke every later console), any key asked for a 9999x9999 window,
revoked keys kept working, agent and X11 forwarding went unlogged and ``ssh host ls``
got no sentence. Each is tried here with the real client and shown refused.
"""

from __future__ import annotations

import os
import re
import subprocess
import time

import pytest

from segtui import serve

from .sshkit import OpenSSHConsole, ServerIn, base_env, first_row, make_place, require_ssh, ssh_run

pytestmark = pytest.mark.sqlite_only
PEOPLE = {"alice": "admin", "bob": "viewer"}
HOSTILE_JSON = "raise SystemExit('a json.py of the working folder was imported')\n"


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    require_ssh()
    root = tmp_path_factory.mktemp("ssh")
    found = make_place(root, PEOPLE)
    found["home"] = root / "home"
    (found["home"] / ".ssh").mkdir(parents=True)
    found["files"] = root / "files"
    found["cwd"] = root / "server-cwd"
    found["cwd"].mkdir()
    return found


@pytest.fixture(scope="module")
def server(place):
    srv = ServerIn(place["cwd"], place["db"], place["authorized"], home=place["home"],
                   before=("--files-dir", str(place["files"])))
    # what an export to json.py used to leave in the server's working folder, for every later console
    (place["cwd"] / "json.py").write_text(HOSTILE_JSON)
    yield srv
    srv.stop()


def test_the_listening_line_names_the_files_folder_and_the_limits(server, place):
    line = server.listening
    assert f"files={place['files']}" in line
    assert "max_size=1000x500" in line and "max_memory=1024MB" in line and "output_rate=" in line


def type_export_name(console: OpenSSHConsole, name: str) -> None:
    """Open the export dialog and submit ``name``, each step seen on screen before the next.
    Sent blind, the keys once ended in an empty name being submitted on a loaded CI machine;
    now a failure names the step that did not happen."""
    console.keys("x", pause=0.3)
    console.wait_for("Saved as")  # the dialog, with its proposed name in the input
    console.keys("\x15", pause=0.3)  # ctrl+u clears the proposed name
    console.wait_gone("Saved as")
    console.keys(name, pause=0.3)
    console.wait_for(name)
    console.keys("\r", pause=0.3)


def test_a_json_py_in_the_working_folder_changes_nothing_and_exports_stay_in_the_folder(server, place):
    console = OpenSSHConsole(server, place["root"] / "alice")
    try:
        console.started("alice")
        console.wait_for("Hand-picked VIPs")  # the console started: json.py was not imported
        assert os.readlink(f"/proc/{console.console_pid}/cwd") == str(place["cwd"])  # where json.py lies
        console.keys("/", "Hand-picked", pause=0.5)
        console.wait_until(lambda text: "Hand-picked" in first_row(text), "the list filtered by 'Hand-picked'")
        console.keys("\r", "\r", pause=0.5)
        console.wait_for("Actions")
        for attempt, refusal in (("~/.ssh/authorized_keys2", "not a path"), ("json.py", "must end with .csv"),
                                 ("../escape.csv", "not a path")):
            type_export_name(console, attempt)
            console.wait_for(refusal)
            console.keys("\x1b", pause=0.5)
            console.wait_gone("Files folder:")
        type_export_name(console, "vips.csv")
        console.wait_for("Exported")
    finally:
        console.close()
    assert not (place["home"] / ".ssh" / "authorized_keys2").exists()
    assert os.listdir(place["files"]) == ["vips.csv"]
    assert sorted(os.listdir(place["cwd"])) == ["host_key", "host_key.pub", "json.py"]
    assert not (place["root"] / "escape.csv").exists()


def test_a_huge_window_is_capped_and_the_console_has_a_memory_ceiling(server, place):
    console = OpenSSHConsole(server, place["root"] / "bob", 9999, 9999)
    try:
        line = console.started("bob")
        assert "size=1000x500" in line, line
        limits = open(f"/proc/{console.console_pid}/limits").read()
        assert re.search(r"Max address space\s+1073741824\s+1073741824", limits), limits
        mark = len(server.log)
        console.resize(5000, 3000)
        changed = console.wait_log("window changed name=bob", start=mark)
        assert "size=1000x500" in changed, changed
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # it draws at 1000x500 within its ceiling
            console.pump()
            if b"Hand-picked VIPs" in console.raw:
                break
        assert b"Hand-picked VIPs" in console.raw
        assert os.path.exists(f"/proc/{console.console_pid}")
    finally:
        console.close()


def test_exec_requests_get_a_sentence_and_forwarding_refusals_are_logged(server, place):
    mark = len(server.log)
    done = ssh_run(server, place["root"] / "alice", "-T", command=("ls", "-la"))
    assert done.returncode != 0 and "runs only the segtui console" in done.stderr, done.stderr
    server.wait_log(r"request refused what=exec name=alice", start=mark)

    agent_socket = place["root"] / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(agent_socket)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not agent_socket.exists():
            assert time.monotonic() < deadline, "ssh-agent did not start"
            time.sleep(0.05)
        env = base_env()
        env["DISPLAY"] = ":42"
        env["SSH_AUTH_SOCK"] = str(agent_socket)
        console = OpenSSHConsole(server, place["root"] / "alice", 80, 24, "-A", "-X", env=env, agent=agent_socket)
        try:
            console.started("alice")
            server.wait_log(r"request refused what=agent-forwarding name=alice key=SHA256:", start=mark)
            server.wait_log(r"request refused what=x11-forwarding name=alice key=SHA256:", start=mark)
        finally:
            console.close()
    finally:
        agent.kill()
        agent.wait()


# -- the authorized-keys file fails closed ------------------------------------------------
def test_revoking_keys_fails_closed(place, tmp_path):
    keys_file = tmp_path / "authorized_keys"
    good = "\n".join(place["lines"]) + "\n"
    keys_file.write_text(good)
    keys_file.chmod(0o644)
    srv = ServerIn(tmp_path, place["db"], keys_file, home=place["home"], before=("--files-dir", str(place["files"])))
    alice = place["root"] / "alice"

    def gets_in() -> bool:
        done = ssh_run(srv, alice, "-T")  # no terminal: a logged-in person is told to use ssh -t (exit 2)
        if done.returncode == 2 and "ssh -t" in done.stdout:
            return True
        assert done.returncode == 255 and "Permission denied" in done.stderr, (done.returncode, done.stderr)
        return False

    def rewrite(text: str, keep_mtime: bool = False) -> None:
        stamp = keys_file.stat() if keep_mtime else None
        keys_file.write_text(text)
        if stamp is not None:  # the same mtime as before: only the change time tells
            os.utime(keys_file, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))

    try:
        assert gets_in()
        mark = len(srv.log)
        keys_file.unlink()  # deleted
        assert not gets_in()
        srv.wait_log(r"authorized keys REFUSED: NOBODY CAN LOG IN", start=mark)
        rewrite(good)
        assert gets_in()
        rewrite(good + "admin mallory not-a-key\n")  # one bad line: the whole file is refused
        assert not gets_in()
        rewrite("# everybody removed\n")
        assert not gets_in()
        rewrite(good)
        assert gets_in()
        before = keys_file.stat().st_mtime_ns
        keys_file.chmod(0o666)  # writable by others: refused ...
        assert keys_file.stat().st_mtime_ns == before
        assert not gets_in()
        keys_file.chmod(0o644)  # ... and the mode change alone (same mtime) lets people back in
        assert gets_in()
        without_alice = "\n".join(line for line in place["lines"] if " alice " not in line) + "\n"
        rewrite(without_alice + "#" * (len(good) - len(without_alice) - 1) + "\n", keep_mtime=True)
        assert keys_file.stat().st_size == len(good)
        assert not gets_in()  # removed, though the size and the mtime are the same as before
    finally:
        srv.stop()


def test_the_output_budget_limits_the_rate_after_a_burst():
    now = [100.0]
    budget = serve.OutputBudget(rate=1000, burst=4000, clock=lambda: now[0])
    assert budget.spend(3000) == 0
    assert budget.spend(1000) == 0
    assert budget.spend(500) == pytest.approx(0.5)  # 500 bytes over: half a second at 1000 B/s
    now[0] += 0.5
    assert budget.spend(0) == 0
    now[0] += 100  # a long pause refills the burst, no more
    assert budget.spend(4000) == 0 and budget.spend(1) > 0
    assert serve.OUTPUT_RATE > 0 and serve.OUTPUT_BURST >= serve.OUTPUT_RATE
