"""The clock and the context: where "now", the time zone and the actor come from, and how a
read-only context refuses a change."""

from __future__ import annotations

import getpass

import pendulum
import pytest

from segtui.core import clock as clockmod
from segtui.core.clock import FixedClock, SystemClock, clock_from_env, resolve_timezone
from segtui.core.context import Context, default_actor
from segtui.core.errors import InvalidInput, ReadOnly

pytestmark = pytest.mark.sqlite_only  # pure logic: no database


def test_the_system_clock_tells_utc():
    assert SystemClock().now().timezone_name == "UTC"
    assert isinstance(clock_from_env({}), SystemClock)
    assert isinstance(clock_from_env({"SEGTUI_NOW": "  "}), SystemClock)  # blank is unset


def test_segtui_now_stops_the_clock_at_that_moment_in_utc():
    fixed = clock_from_env({"SEGTUI_NOW": "2026-12-01T09:30:00+01:00"})
    assert isinstance(fixed, FixedClock)
    assert fixed.now() == pendulum.datetime(2026, 12, 1, 8, 30, tz="UTC")
    assert fixed.now().timezone_name == "UTC"
    with pytest.raises(InvalidInput, match="SEGTUI_NOW '2026-12-01' must be a date and a time"):
        clock_from_env({"SEGTUI_NOW": "2026-12-01"})


def test_the_time_zone_falls_back_to_the_system_one_then_to_utc(monkeypatch):
    monkeypatch.delenv("SEGTUI_TZ", raising=False)
    assert resolve_timezone("Europe/Paris") == "Europe/Paris"
    monkeypatch.setattr(clockmod.pendulum, "local_timezone", lambda: pendulum.timezone("Asia/Tokyo"))
    assert resolve_timezone(None) == "Asia/Tokyo"

    def unknown():  # a system without a readable zone (no /etc/localtime, TZ unset)
        raise LookupError("Unable to find any timezone configuration")

    monkeypatch.setattr(clockmod.pendulum, "local_timezone", unknown)
    assert resolve_timezone(None) == "UTC"
    monkeypatch.setenv("SEGTUI_TZ", "America/Montreal")
    assert resolve_timezone(None) == "America/Montreal"
    with pytest.raises(InvalidInput, match="Unknown time zone 'Mars/Olympus'"):
        resolve_timezone("Mars/Olympus")


def test_over_ssh_the_actor_is_the_ssh_user_first():
    ssh = {"SSH_CONNECTION": "10.0.0.2 5022 10.0.0.1 22"}
    assert default_actor({**ssh, "SEGTUI_SSH_USER": "carol", "USER": "segtui", "LOGNAME": "x"}) == "carol"
    assert default_actor({**ssh, "USER": "segtui", "LOGNAME": "x"}) == "segtui"
    assert default_actor({"SSH_CLIENT": "10.0.0.2 5022 22", "LOGNAME": "bob"}) == "bob"


def test_without_ssh_the_actor_is_the_os_user_or_unknown(monkeypatch):
    monkeypatch.setattr(getpass, "getuser", lambda: "alice")
    assert default_actor({"SEGTUI_SSH_USER": "carol", "USER": "mallory"}) == "alice"  # no SSH: not trusted

    def no_user():  # a uid with no passwd entry and no USER/LOGNAME (a container)
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert default_actor({}) == "unknown"


def test_a_read_only_context_refuses_with_its_reason():
    ctx = Context(clock=FixedClock(pendulum.datetime(2026, 11, 26, tz="UTC")), actor="alice", tz="Europe/Paris")
    ctx.require_write("renaming a segment")  # writable: nothing happens
    assert ctx.for_database(None) is ctx
    on_file = ctx.for_database("The database /srv/crm.db is read-only (no permission to write the file)")
    assert (on_file.read_only, ctx.read_only) == (True, False)
    with pytest.raises(ReadOnly) as caught:
        on_file.require_write("renaming a segment")
    assert str(caught.value) == ("The database /srv/crm.db is read-only (no permission to write the file): "
                                 "renaming a segment is not possible.")
    assert caught.value.exit_code == 2
    local = ctx.local(pendulum.datetime(2026, 11, 26, 23, 30, tz="UTC"))
    assert (local.timezone_name, local.day, local.hour) == ("Europe/Paris", 27, 0)
