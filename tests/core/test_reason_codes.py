# SPDX-License-Identifier: GPL-3.0-or-later
"""The registry of reason codes is complete: every code the helper, its client, the monitor and
the UI's client can produce is in it, with what it means; producers use its constants.

The sources of the producers are read (``reason_sinks.py``): a bare string where a code is made
fails here, so a new code cannot reach the UI without being registered (and then it needs words:
tests/ui/test_reason_words.py).
"""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest
from reason_sinks import bare_codes

from memwarden.core import reason_codes as codes
from memwarden.core.reason_codes import HELPER_STATUS, HelperGroup, helper_group
from memwarden.core.watch_state import WatchState
from memwarden.helper import client, errors
from memwarden.monitor import dbus_errors

APP = Path(__file__).resolve().parents[2] / "app"


def _subclass_names(cls: type) -> set[str]:
    names = set()
    for sub in cls.__subclasses__():
        names |= {sub.__name__} | _subclass_names(sub)
    return names


def _error_classes() -> frozenset[str]:
    from memwarden.ui.link.monitor_calls import MonitorError

    names = {"HelperError", "ApiError", MonitorError.__name__}
    return frozenset(
        names | _subclass_names(errors.HelperError) | _subclass_names(dbus_errors.ApiError)
    )


def _modules(package: str) -> list[str]:
    path = APP / package.replace(".", "/")
    return [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(path)])]


#: Every module that makes reason codes: all of the helper and the monitor (a new module there is
#: checked without being listed), the core modules that decide states and victims, and the UI's
#: client of the monitor.
PRODUCERS = [
    *_modules("memwarden.helper"),
    *_modules("memwarden.monitor"),
    "memwarden.core.policy",
    "memwarden.core.watch_state",
    "memwarden.ui.link.monitor_calls",
    "memwarden.ui.link.monitor_client",
]


def _source(module: str) -> str:
    return (APP / (module.replace(".", "/") + ".py")).read_text()


# -- the producers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("module", PRODUCERS)
def test_producers_make_codes_from_the_registry_only(module: str) -> None:
    bare, _places = bare_codes(_source(module), _error_classes())
    assert not bare, (
        f"{module} makes reason codes from bare strings; add them to core/reason_codes.py "
        "(with their group and words) and use the constants: " + "; ".join(map(str, bare))
    )


@pytest.mark.parametrize(
    ("module", "at_least"),
    [
        ("memwarden.helper.targets", 20),
        ("memwarden.helper.client", 10),
        ("memwarden.helper.caller", 5),
        ("memwarden.helper.polkit", 4),
        ("memwarden.monitor.free_memory", 10),
        ("memwarden.monitor.killer", 5),
        ("memwarden.monitor.app_calls", 5),
        ("memwarden.core.policy", 8),
        ("memwarden.core.watch_state", 6),
        ("memwarden.ui.link.monitor_calls", 5),
    ],
)
def test_the_scan_sees_where_codes_are_made(module: str, at_least: int) -> None:
    """The check above is not vacuous: it looks at the places where these modules make codes."""
    _bare, places = bare_codes(_source(module), _error_classes())
    assert places >= at_least


_CAUGHT = """
def open_target(pid):
    return None, "init" if pid == 1 else "brand-new-1"
def _why(app):
    return "brand-new-2"
def run(reasons, helper):
    raise Failed("brand-new-3", 42)
    raise MonitorError(f"brand-new-{4}")
    reasons.append("brand-new-5")
    step = {"step": "x", "result": "brand-new-6"}
    engine.emit("kill", reason="brand-new-7")
    helper.kernel_protection = "brand-new-8"
    return Choice(None, "brand-new-9", ())
_UNAVAILABLE = {"org.freedesktop.DBus.Error.NoReply": "brand-new-10"}
"""
_ALLOWED = """
def open_target(pid):
    return None, codes.INIT if pid == 1 else codes.SELF
def run(reasons, exc):
    raise Failed(codes.SHORT_WRITE, 42)
    raise Failed(exc.reason)
    reasons.append(codes.PSI_SOME_HIGH)
    log.info("not a code: %s", "some-text")
    return {"step": codes.DROP_CACHES, "result": exc.reason, "method": "cgroup"}
"""


def test_the_scan_catches_bare_codes_everywhere_it_looks() -> None:
    bare, _places = bare_codes(_CAUGHT, frozenset({"Failed", "MonitorError"}))
    found = {b.text for b in bare} - {"init", "x"}
    assert found == {f"brand-new-{i}" for i in range(1, 11) if i != 4} | {"f'brand-new-{4}'"}
    assert bare_codes(_ALLOWED, frozenset({"Failed"}))[0] == []


# -- the registry ----------------------------------------------------------------------------------


def _constants() -> dict[str, str]:
    return {
        name: value
        for name, value in vars(codes).items()
        if name.isupper() and not name.startswith("_") and isinstance(value, str)
    }


def test_every_constant_is_in_a_family() -> None:
    constants = _constants()
    assert len(constants) > 80
    unregistered = {n: v for n, v in constants.items() if not codes.registered(v)}
    assert not unregistered, f"constants in no family of core/reason_codes.py: {unregistered}"
    assert not codes.registered("brand-new-code")


def test_every_helper_status_code_has_a_group_and_unknown_ones_none() -> None:
    assert len(HELPER_STATUS) >= 45
    for code, group in HELPER_STATUS.items():
        assert helper_group(code) is group is not None
    assert helper_group("brand-new-code") is None
    # Each group has codes: a group nothing produces would be words nobody reads.
    assert set(HELPER_STATUS.values()) == set(HelperGroup)


def test_groups_decided_deliberately() -> None:
    """The cases that were in doubt (see the comments in core/reason_codes.py)."""
    assert helper_group("not-activatable") is HelperGroup.MISSING
    assert helper_group("incompatible-helper") is HelperGroup.BROKEN
    assert helper_group("activation-failed") is HelperGroup.BROKEN
    for transient in ("not-running", "no-reply", "disconnected"):
        assert helper_group(transient) is HelperGroup.UNREACHABLE
    assert helper_group("no-system-bus") is HelperGroup.NO_SYSTEM_BUS
    assert helper_group("no-helper") is HelperGroup.OFF
    assert helper_group("unknown") is HelperGroup.NOT_ASKED_YET


def test_the_client_tables_name_registered_codes() -> None:
    assert set(client._UNAVAILABLE.values()) <= set(HELPER_STATUS)
    prose = errors.error_from_dbus(errors.AccessDenied.dbus_name, "Rejected send message")
    odd = errors.error_from_dbus(errors.NotOwner.dbus_name, "Traceback (most recent call last):")
    assert prose is not None and odd is not None
    assert prose.reason in HELPER_STATUS and odd.reason in HELPER_STATUS
    # "unknown" is HelperStatus's "not asked yet": an unreadable error must not look like it.
    assert helper_group(odd.reason) is HelperGroup.FAULT


def test_the_states_are_the_watch_states() -> None:
    assert {s.value for s in WatchState} == codes.STATES


def test_every_helper_refusal_can_come_back_from_free_memory() -> None:
    # FreeMemory's step reports the helper's reason code; the process groups cannot answer it.
    process_codes = {
        c for c, g in HELPER_STATUS.items()
        if g in (HelperGroup.PROCESS_GONE, HelperGroup.OTHER_USER)
    }  # fmt: skip
    assert process_codes
    others = set(HELPER_STATUS) - process_codes - {"applied", "unknown"}
    assert others <= codes.DROP_CACHES_RESULTS
    assert not codes.DROP_CACHES_RESULTS & process_codes


def test_what_the_killer_skips_is_refused_or_gone() -> None:
    """CloseApp turns a skip into a refusal, except gone and reused (monitor/dbus_interface.py)."""
    assert codes.KILLER_SKIPS - {codes.GONE, codes.REUSED} <= codes.REFUSALS
    assert codes.GONE in codes.REFUSALS


def test_cores_exceptions_carry_messages_not_codes() -> None:
    """core.errors.ProcessGone shares its name with the helper's, but takes a message."""
    core = 'from memwarden.core.errors import ProcessGone\nraise ProcessGone("pid 4 exited")\n'
    module = 'from memwarden.core import errors as ce\nraise ce.ProcessGone("pid 4 exited")\n'
    helper = 'from memwarden.helper.errors import ProcessGone\nraise ProcessGone("brand-new")\n'
    classes = frozenset({"ProcessGone"})
    assert bare_codes(core, classes)[0] == [] and bare_codes(module, classes)[0] == []
    assert [b.text for b in bare_codes(helper, classes)[0]] == ["brand-new"]
