"""The SSH client's LANG (ssh -o SendEnv=LANG) is untrusted input: only a plain locale name
reaches the console's environment; anything else is dropped whole, never cleaned (issue 16)."""

from __future__ import annotations

import pytest

from segtui import i18n, serve

pytestmark = pytest.mark.sqlite_only

HOSTILE = [
    "fr_FR.UTF-8; rm -rf ~",
    "$(reboot)",
    "`id`",
    "fr_FR.UTF-8\nSEGTUI_DB=/tmp/other.db",
    "fr_FR.UTF-8\x00",
    "\x1b]0;owned\x07fr_FR.UTF-8",
    "\x1b[2J\x1b[31mfr",
    "fr_FR.UTF-8 && curl evil",
    "fr_FR.UTF-8|sh",
    "../../../etc/passwd",
    "/tmp/evil/fr_FR",
    "fr_FR." + "U" * 5000,
    "f" * 100_000,
    "fr_FR.UTF-8@" + "x" * 40,
    "fr_FR.ISO-8859-1",  # a locale name, but not a UTF-8 one: the console writes UTF-8
    "frFR",
    " fr_FR.UTF-8",
    "fr_FR.UTF-8 ",
    "FR_fr.UTF-8",
    "",
]


@pytest.fixture
def hub(tmp_path) -> serve.Hub:
    settings = serve.Settings(host="127.0.0.1", port=0, authorized_keys=tmp_path / "keys", host_key=tmp_path / "hk",
                              max_sessions=1, idle_timeout=0, db_url=str(tmp_path / "x.db"), tz="Europe/Paris",
                              worker_interval=30.0, cwd=str(tmp_path), files_dir=str(tmp_path / "files"))
    return serve.Hub(settings, {}, log=lambda *args, **kwargs: None)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_locale_value_never_reaches_the_console(hub, monkeypatch, value):
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    client = {"LANG": value, "LC_ALL": value, "LC_MESSAGES": value, "LC_CTYPE": "fr_FR.UTF-8", "LANGUAGE": "fr"}
    env = hub.child_env("xterm", client)
    assert env["LANG"] == "en_GB.UTF-8"  # the server's
    assert "LC_ALL" not in env and "LC_MESSAGES" not in env and "LC_CTYPE" not in env and "LANGUAGE" not in env
    assert env[i18n.ENV_LANG] == i18n.language() == "en"  # the server's language decides
    if value:
        assert not any(value in v for v in env.values())
    assert serve.session_language(client) == "en"


def test_a_plain_locale_name_is_taken_and_decides_the_language(hub, monkeypatch):
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")  # the server's: the client's choice replaces it
    env = hub.child_env("xterm", {"LANG": "fr_FR.UTF-8"})
    assert env["LANG"] == "fr_FR.UTF-8" and "LC_ALL" not in env and i18n.ENV_LANG not in env
    assert i18n.resolve(None, env) == "fr"
    assert serve.session_language({"LANG": "fr_FR.UTF-8"}) == "fr"
    # each variable is judged on its own: a bad LC_ALL is dropped, the good LANG kept
    env = hub.child_env("xterm", {"LANG": "fr_CA.utf8", "LC_ALL": "$(reboot)"})
    assert (env["LANG"], "LC_ALL" in env) == ("fr_CA.utf8", False)
    # LC_ALL and LC_MESSAGES come before LANG, as at home
    env = hub.child_env("xterm", {"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "C.UTF-8"})
    assert i18n.resolve(None, env) == "en" == serve.session_language({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "C"})
    # a language segtui does not speak: English, as a console at home would
    assert serve.session_language({"LANG": "de_DE.UTF-8"}) == "en"
    for good in ("fr", "fr_FR", "fr_FR.UTF-8", "fr_BE.utf8", "br_FR@euro", "C", "C.UTF-8", "POSIX"):
        assert serve.client_locale({"LANG": good}) == {"LANG": good}


def test_without_a_client_locale_the_console_speaks_the_servers_language(hub, monkeypatch):
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.set_language("fr")  # the server was started with --lang fr (or SEGTUI_LANG=fr)
    try:
        env = hub.child_env("xterm", {})
        assert env[i18n.ENV_LANG] == "fr" and env["LANG"] == "C.UTF-8"
        assert serve.session_language({}) == "fr"
    finally:
        i18n.set_language("en")


def test_the_session_words_are_in_its_language_and_the_server_keeps_its_own(french):
    class Session:
        language = "en"
        _text = serve.ConsoleSession._text

    session = Session()
    assert session._text(serve.NO_TERMINAL, port=2222).startswith(
        "segtui: the console needs a terminal, and this session has none.\r\n  Connect with:  ssh -t -p 2222 HOST\r\n")
    assert i18n.language() == "fr"  # the server's language is back
    session.language = "fr"
    i18n.set_language("en")
    assert session._text(serve.NO_TERMINAL, port=2222) == (
        "segtui\u00a0: la console a besoin d'un terminal, et cette session n'en a pas.\r\n"
        "  Connectez-vous avec\u00a0:  ssh -t -p 2222 HÔTE\r\n")
    assert i18n.language() == "en"

