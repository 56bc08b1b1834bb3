# SPDX-License-Identifier: GPL-3.0-or-later
"""Test 8: the monitor's D-Bus session API, round trip on a private session bus.

The real monitor (``python -m memwarden monitor``) runs in a sandbox, in a PID namespace of its
own when the machine allows it, on a private ``dbus-daemon``; a dbus-fast client calls it, keeps
its properties from PropertiesChanged alone and records its signals. Hogs are real processes. The
close threshold is 1 MiB, so the monitor closes nothing by itself unless a test raises it on
purpose, inside a namespace. Assertions are about behaviour; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from dbus_fast import introspection as intr
from monitor_dbus_lib import (
    BASE_CONFIG,
    CallError,
    MonitorClient,
    app_of,
    client_of,
    config_text,
    run_async,
    write_config,
)

from hogs import available_mib, highest_threshold_mib
from memwarden import __version__
from memwarden.core.policy import MAX_RULES
from memwarden.monitor import dbus_constants as c

REPO = Path(__file__).resolve().parents[2]
XML_FILE = REPO / "packaging" / "dbus" / f"{c.BUS_NAME}.xml"
MiB = 1024 * 1024
STANDARD_INTERFACES = {
    "org.freedesktop.DBus.Introspectable",
    "org.freedesktop.DBus.ObjectManager",
    "org.freedesktop.DBus.Peer",
    "org.freedesktop.DBus.Properties",
}


async def refused(client: MonitorClient, member: str, sig: str, *args: Any) -> CallError:
    """Call and return the D-Bus error (fails if the call succeeded)."""
    with pytest.raises(CallError) as info:
        await client.call(member, sig, *args)
    return info.value


# -- the interface and its documentation ----------------------------------------------------------


def canonical(interface: intr.Interface) -> list[object]:
    """Everything a client can see of an interface, in a stable order (XML order, whitespace and
    the comments do not matter; names, types, directions and access do)."""
    return [
        sorted(
            (
                m.name,
                [(a.name, a.signature, str(a.direction)) for a in m.in_args + m.out_args],
                sorted(m.annotations.items()),
            )
            for m in interface.methods
        ),
        sorted((s.name, [(a.name, a.signature) for a in s.args]) for s in interface.signals),
        sorted((p.name, p.signature, p.access.value) for p in interface.properties),
        sorted(interface.annotations.items()),
    ]


def committed_interface() -> intr.Interface:
    (interface,) = [i for i in intr.Node.parse(XML_FILE.read_text()).interfaces
                    if i.name == c.INTERFACE]  # fmt: skip
    return interface


def test_exported_introspection_equals_committed_xml(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox()

    async def scenario() -> intr.Node:
        async with client_of(sandbox) as client:
            return intr.Node.parse(await client.introspect_xml())

    node = run_async(scenario())
    (exported,) = [i for i in node.interfaces if i.name == c.INTERFACE]
    assert canonical(exported) == canonical(committed_interface())
    assert {i.name for i in node.interfaces} == {c.INTERFACE, *STANDARD_INTERFACES}


def test_committed_xml_documents_every_member_and_error() -> None:
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.fromstring(XML_FILE.read_text(), parser=parser)
    (interface,) = root.iter("interface")
    previous: ET.Element | None = None
    members = 0
    for element in interface:
        if element.tag in ("method", "signal", "property"):
            members += 1
            name = element.attrib["name"]
            # A comment's tag is the ET.Comment function, not a string.
            is_comment = previous is not None and not isinstance(previous.tag, str)
            doc = previous.text if previous is not None and is_comment else None
            assert doc is not None and doc.strip().startswith(f"{name}:"), f"{name} undocumented"
            for arg in element.iter("arg"):
                assert f"@{arg.attrib['name']}" in doc, f"{name}: @{arg.attrib['name']} missing"
        previous = element
    assert members == 9 + 5 + 17  # methods, signals, properties
    header = XML_FILE.read_text().split("<node>")[0]
    for error in c.ALL_ERRORS:
        assert error in header, error


# -- properties, snapshot -------------------------------------------------------------------------


def test_properties_describe_the_running_monitor(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox()

    async def scenario() -> dict[str, Any]:
        async with client_of(sandbox) as client:
            return dict(client.props)

    props = run_async(scenario())
    assert props["State"] in c.STATES
    assert props["Version"] == __version__
    assert props["Paused"] is False
    assert props["HelperStatus"] == "no-helper"
    assert props["ConfigError"] == ""
    assert props["ConfigPath"] == str(sandbox.config)
    assert props["AppRules"] == {}
    # --kill-below-mib 1: close at 1 MiB, kill at half of it (0 MiB).
    assert props["Thresholds"]["close"] == 1 * MiB
    assert props["Thresholds"]["kill"] == 0
    assert props["Thresholds"]["warn"] > props["Thresholds"]["close"]
    assert props["Thresholds"]["hysteresis"] > 0
    # Bytes, not KiB or MiB: within a factor of two of what /proc/meminfo says now.
    assert available_mib() * MiB / 2 < props["AvailableBytes"] < available_mib() * MiB * 2
    assert props["EtaSeconds"] == -1 or props["EtaSeconds"] >= 0
    assert 0 <= props["PressureSomeAvg10"] <= 100 and 0 <= props["PressureFullAvg10"] <= 100
    assert props["SelfGuard"]["oom_score_adj"] == "no-helper"
    assert props["SelfGuard"]["memory"] in ("locked", "memlock-limit", "failed")
    # The file's settings (BASE_CONFIG over the defaults); the flag's keys are named.
    settings = {key: variant.value for key, variant in props["Settings"].items()}
    assert settings["grace_seconds"] == 2.0 and settings["warn_percent"] == 15.0
    assert "close_mib" not in settings
    assert props["SettingsFromFlags"] == ["close_mib", "kill_mib"]


@pytest.mark.memory
def test_snapshot_shows_the_hog_with_its_hidden_memfd(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox()
    hog = sandbox.hog("memfd", 64, name="memfdhog")

    async def scenario() -> dict[str, Any]:
        async with client_of(sandbox) as client:
            return await client.snapshot()

    snapshot = run_async(scenario())
    assert snapshot["schema"] == "memwarden.scan/1"
    app = app_of(snapshot, hog.pid)
    assert sorted(app["pids"]) == sorted(hog.pids)
    assert abs(app["bytes"]["shmem"] - 64 * MiB) <= 64 * MiB * 0.05, app["bytes"]
    assert app["bytes"]["shmem"] > app["bytes"]["resident"]  # the kernel's view misses it
    assert app["top_objects"][0]["kind"] == "memfd"


# -- rules ----------------------------------------------------------------------------------------


@pytest.mark.memory
@pytest.mark.root
def test_rules_are_saved_and_steer_the_next_victim(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox(
        needs_namespace=True,
        hogs={
            "big": {"kind": "memfd", "size_mib": 160, "name": "bighog"},
            "small": {"kind": "memfd", "size_mib": 48, "name": "smallhog"},
        },
    )
    big, small = sandbox.hogs["big"], sandbox.hogs["small"]

    def saved_apps() -> dict[str, Any]:
        return dict(tomllib.loads(sandbox.config.read_text())["apps"])

    async def scenario() -> None:
        async with client_of(sandbox) as client:
            snapshot = await client.snapshot()
            big_id, small_id = app_of(snapshot, big.pid)["id"], app_of(snapshot, small.pid)["id"]
            await client.wait_property("NextVictim", lambda v: v == big_id)

            # By the program's path, as the tray saves a rule for a process tree.
            small_rule = app_of(snapshot, small.pid)["rule_target"]
            assert small_rule == small.program
            await client.call("SetAppRule", "ss", small_rule, "prefer")
            await client.wait_property("NextVictim", lambda v: v == small_id)
            await client.wait_property("AppRules", lambda v: v == {small_rule: "prefer"})
            assert saved_apps() == {"protect": [], "prefer": [small_rule]}

            await client.call("SetAppRule", "ss", small_rule, "normal")
            await client.wait_property("NextVictim", lambda v: v == big_id)
            assert saved_apps() == {"protect": [], "prefer": []}

            # By app id too; a protected app is never the victim, and CloseApp refuses it.
            await client.call("SetAppRule", "ss", big_id, "protect")
            await client.wait_property("NextVictim", lambda v: v == small_id)
            await client.wait_property("AppRules", lambda v: v == {big_id: "protect"})
            assert saved_apps() == {"protect": [big_id], "prefer": []}
            error = await refused(client, "CloseApp", "s", big_id)
            assert (error.name, error.text) == (c.ERROR_REFUSED, "protected")

    run_async(scenario())
    assert all(sandbox.alive(big.pids + small.pids))


def test_the_snapshot_says_each_apps_rule_and_which_name_gave_it(monitor_sandbox: Any) -> None:
    """GetSnapshot carries the monitor's own decision for every app: protected by a program's
    path, sacrificed first, normal, and protected where a prefer rule matches too."""
    sandbox = monitor_sandbox()
    kept, sacrificed, plain, both = (
        sandbox.hog("idle", name=name) for name in ("kepthog", "sacrhog", "plainhog", "bothhog")
    )

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with client_of(sandbox) as client:
            before = await client.snapshot()
            both_id = app_of(before, both.pid)["id"]
            # In the file, as a person writes it: the monitor re-reads it.
            apps = {"protect": [kept.program, both_id],
                    "prefer": [sacrificed.program, both.program]}  # fmt: skip
            write_config(sandbox.config, config_text(apps=apps))
            await client.wait_property("AppRules", lambda v: len(v) == 4)
            return before, await client.snapshot()

    before, after = run_async(scenario())
    hogs = {"kept": kept, "sacrificed": sacrificed, "plain": plain, "both": both}

    def rules_in(snapshot: dict[str, Any]) -> dict[str, tuple[str, str]]:
        return {label: (app_of(snapshot, hog.pid)["rule"], app_of(snapshot, hog.pid)["rule_source"])
                for label, hog in hogs.items()}  # fmt: skip

    assert set(rules_in(before).values()) == {("normal", "")}
    assert rules_in(after) == {
        "kept": ("protect", kept.program),
        "sacrificed": ("prefer", sacrificed.program),
        "plain": ("normal", ""),
        "both": ("protect", app_of(before, both.pid)["id"]),
    }
    assert all(a["rule"] in c.RULES and isinstance(a["rule_source"], str) for a in after["apps"])


def test_bad_rules_and_names_are_invalid_arguments(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox()

    async def scenario() -> list[tuple[str, str]]:
        async with client_of(sandbox) as client:
            nonlocal before
            before = sandbox.config.read_text()  # as the monitor wrote it when it started
            errors = []
            for name, rule in [("x", "bogus"), ("  ", "protect"), ("a\nb", "prefer"),
                               ("x" * 300, "protect")]:  # fmt: skip
                error = await refused(client, "SetAppRule", "ss", name, rule)
                errors.append((error.name, error.text))
            error = await refused(client, "CloseApp", "s", " ")
            errors.append((error.name, error.text))
            assert client.props["AppRules"] == {}
            return errors

    before = ""
    assert run_async(scenario()) == [
        (c.ERROR_INVALID_ARGUMENT, "unknown-rule"),
        (c.ERROR_INVALID_ARGUMENT, "empty-name"),
        (c.ERROR_INVALID_ARGUMENT, "bad-name"),
        (c.ERROR_INVALID_ARGUMENT, "name-too-long"),
        (c.ERROR_INVALID_ARGUMENT, "empty-app-id"),
    ]
    assert sandbox.config.read_text() == before


def test_rules_are_bounded(monitor_sandbox: Any) -> None:
    """A client may not grow the rules without bound (1,500 were all accepted, and each choice
    then compared every app with every name): the list takes MAX_RULES, the next is refused."""
    sandbox = monitor_sandbox()

    async def scenario() -> CallError:
        async with client_of(sandbox) as client:
            for i in range(MAX_RULES):
                await client.call("SetAppRule", "ss", f"org.example.App{i}", "protect")
            error = await refused(client, "SetAppRule", "ss", "org.example.OneTooMany", "protect")
            # Changing a rule that is there, or another list, still works.
            await client.call("SetAppRule", "ss", "org.example.App0", "prefer")
            return error

    error = run_async(scenario())
    assert (error.name, error.text) == (c.ERROR_INVALID_ARGUMENT, "too-many-rules")
    saved = tomllib.loads(sandbox.config.read_text())["apps"]
    assert len(saved["protect"]) == MAX_RULES - 1 and saved["prefer"] == ["org.example.App0"]


# -- closing apps ---------------------------------------------------------------------------------


@pytest.mark.memory
@pytest.mark.root
def test_close_app_closes_exactly_that_app_and_signals_killed(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox(needs_namespace=True)
    victim = sandbox.hog("memfd", 256, name="victim")
    bystander = sandbox.hog("memfd", 32, name="bystander")

    async def scenario() -> tuple[dict[str, Any], list[Any], str, CallError]:
        async with client_of(sandbox) as client:
            app_id = app_of(await client.snapshot(), victim.pid)["id"]
            result = json.loads(await client.call("CloseApp", "s", app_id))
            killed = await client.wait_signal("Killed")
            again = await refused(client, "CloseApp", "s", app_id)
            return result, killed, app_id, again

    result, killed, app_id, again = run_async(scenario())
    assert result["app"]["id"] == app_id and result["dry_run"] is False
    assert sorted(result["signalled"]) == sorted(victim.pids)
    assert result["exited"] == sorted(victim.pids)
    assert result["escalated"] is False  # the hog dies of SIGTERM
    # Measured, per-CPU page lists included: most of the 256 MiB memfd came back at once.
    assert result["freed_bytes"] == max(0, result["available_after"] - result["available_before"])
    assert result["freed_bytes"] > 64 * MiB, {k: v for k, v in result.items() if k != "app"}
    app_json, freed, reason = killed
    assert json.loads(app_json)["id"] == app_id
    assert sorted(json.loads(app_json)["pids"]) == sorted(victim.pids)
    assert (freed, reason) == (result["freed_bytes"], c.REASON_USER_REQUEST)
    assert (again.name, again.text) == (c.ERROR_NO_SUCH_APP, "no-such-app")
    assert sandbox.alive(victim.pids) == [False]
    assert sandbox.alive(bystander.pids) == [True]


@pytest.mark.memory
@pytest.mark.root
def test_close_app_refuses_what_the_guard_protects(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox(needs_namespace=True)
    keeper = sandbox.hog("memfd", 32, name="keeper")
    # A desktop process: a trusted program (root-owned, in /usr/bin) known as a desktop
    # component, here a bus daemon. (A hog that merely calls itself "waybar" is not one.)
    panel = sandbox.spawn("/usr/bin/dbus-daemon", "--session", "--nofork",
                          "--address=unix:tmpdir=/tmp", "--print-address=1")
    monitor_pid = sandbox.monitor()["pid"]

    async def scenario() -> tuple[list[tuple[str, str]], list[Any]]:
        async with client_of(sandbox) as client:
            await client.call("SetAppRule", "ss", keeper.program, "protect")
            snapshot = await client.snapshot()
            targets = [
                app_of(snapshot, keeper.pid)["id"],
                app_of(snapshot, panel)["id"],
                app_of(snapshot, monitor_pid)["id"],
                app_of(snapshot, 1)["id"],  # the sandbox script: its namespace's init
                "no-such-app",
            ]
            answers = []
            for app_id in targets:
                error = await refused(client, "CloseApp", "s", app_id)
                answers.append((error.name, error.text))
            return answers, list(client.signals)

    answers, signals = run_async(scenario())
    assert answers == [
        (c.ERROR_REFUSED, "protected"),
        (c.ERROR_REFUSED, "session"),
        (c.ERROR_REFUSED, "self"),
        (c.ERROR_REFUSED, "init"),
        (c.ERROR_NO_SUCH_APP, "no-such-app"),
    ]
    assert [name for name, _ in signals if name == "Killed"] == []
    assert sandbox.alive([*keeper.pids, panel]) == [True, True]
    assert sandbox.monitor()["rc"] is None


# -- the config file ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("[thresholds\nwarn_percent = 15\n", "not valid TOML"),
        ("[thresholds]\nwarn_percent = 250.0\n", "warn_percent = 250.0 is out of range"),
    ],
    ids=["invalid-toml", "out-of-range"],
)
def test_bad_config_file_is_kept_aside_and_explained(
    monitor_sandbox: Any, bad: str, says: str
) -> None:
    sandbox = monitor_sandbox(config_text=bad)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        async with client_of(sandbox) as client:
            before = dict(client.props)
            snapshot = await client.snapshot()  # the monitor works on the defaults
            # Fixed while running: noticed without being asked (the engine's change check).
            write_config(sandbox.config, config_text(apps={"prefer": ["fixed"]}))
            await client.wait_property("ConfigError", lambda v: v == "")
            await client.wait_property("AppRules", lambda v: v == {"fixed": "prefer"})
            return before, snapshot, dict(client.props)

    before, snapshot, after = run_async(scenario())
    (backup,) = sandbox.directory.glob("config.toml.invalid-*")
    assert backup.read_text() == bad
    assert says in before["ConfigError"] and backup.name in before["ConfigError"]
    assert sandbox.output().count(backup.name) == 1  # said once in the log, not once per layer
    assert snapshot["schema"] == "memwarden.scan/1"
    assert before["State"] in c.STATES and before["AppRules"] == {}
    assert after["ConfigError"] == ""


@pytest.mark.memory
@pytest.mark.root
def test_state_follows_thresholds_edited_at_runtime(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox(
        needs_namespace=True, hogs={"hog": {"kind": "memfd", "size_mib": 64, "name": "warnhog"}}
    )
    hog = sandbox.hogs["hog"]

    async def scenario() -> tuple[list[Any], list[Any], str, MonitorClient]:
        async with client_of(sandbox) as client:
            hog_id = app_of(await client.snapshot(), hog.pid)["id"]
            await client.wait_property("State", lambda v: v == "calm")
            start = len(client.signals)
            # Warn above what is available: warning, and nothing to close (close is 1 MiB).
            warn_mib = highest_threshold_mib()
            write_config(sandbox.config, config_text(warn_mib=warn_mib))
            await client.wait_property("Thresholds", lambda v: v["warn"] == warn_mib * MiB)
            await client.wait_property("State", lambda v: v == "warning")
            changed = await client.wait_signal(
                "StateChanged", lambda b: b[0] == "warning", start=start
            )
            warning = await client.wait_signal("Warning", start=start)
            await client.wait_property("NextVictim", lambda v: v == hog_id)
            # Back to the first file, this time through ReloadConfig.
            write_config(sandbox.config, BASE_CONFIG)
            await client.call("ReloadConfig")
            await client.wait_property("State", lambda v: v == "calm")
            return changed, warning, hog_id, client

    changed, warning, hog_id, client = run_async(scenario())
    assert "below-warn-threshold" in changed[1]
    app_json, eta, reason, victim_reason = warning
    assert json.loads(app_json)["id"] == hog_id
    assert sorted(json.loads(app_json)["pids"]) == sorted(hog.pids)
    assert eta == -1 or eta >= 0
    assert reason == "below-warn-threshold"
    assert victim_reason == "hidden-memory"  # its memfd is most of it
    # Each State change came with the numbers behind it.
    for change in client.prop_changes:
        if "State" in change:
            assert {"AvailableBytes", "EtaSeconds", "PressureSomeAvg10"} <= change.keys()
    assert not any(name == "Killed" for name, _ in client.signals)
    assert sandbox.alive(hog.pids) == [True]


# -- pause ----------------------------------------------------------------------------------------


def test_pause_and_resume(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox()

    async def scenario() -> None:
        async with client_of(sandbox) as client:
            await client.call("Pause", "u", 0)
            await client.wait_property("Paused", lambda v: v is True)
            await client.call("Resume")
            await client.wait_property("Paused", lambda v: v is False)
            await client.call("Pause", "u", 1)
            await client.wait_property("Paused", lambda v: v is True)
            # Ends by itself; the change is announced without anyone asking.
            await client.wait_property("Paused", lambda v: v is False, timeout_s=15)

    run_async(scenario())


@pytest.mark.memory
@pytest.mark.root
def test_pause_holds_the_close_until_resume(monitor_sandbox: Any) -> None:
    # No --kill-below-mib: the config file sets the thresholds, so the test can raise them.
    sandbox = monitor_sandbox(
        needs_namespace=True, monitor_args=(), config_text=config_text(close_mib=1, kill_mib=0)
    )
    hog = sandbox.hog("memfd", 64, name="pausehog")

    async def scenario() -> tuple[list[Any], list[Any], list[bool]]:
        async with client_of(sandbox) as client:
            await client.call("Pause", "u", 0)
            await client.wait_property("Paused", lambda v: v is True)
            start = len(client.signals)
            # Close above what is available (kill stays at 1 MiB: graceful close).
            write_config(sandbox.config, config_text(close_mib=highest_threshold_mib(), kill_mib=1))
            await client.call("ReloadConfig")
            await client.wait_property("State", lambda v: v == "critical")
            # While paused a critical tick warns instead of acting. Unpaused, the same tick would
            # have sent SIGTERM right after the warning; ticks come every 0.1 s when critical, so
            # a second gives a broken pause many chances to show.
            warning = await client.wait_signal("Warning", start=start)
            await asyncio.sleep(1.0)
            assert not any(name == "Killed" for name, _ in client.signals)
            alive_while_paused = sandbox.alive(hog.pids)
            await client.call("Resume")
            killed = await client.wait_signal("Killed", start=start)
            write_config(sandbox.config, config_text(close_mib=1, kill_mib=0))
            await client.call("ReloadConfig")
            return warning, killed, alive_while_paused

    warning, killed, alive_while_paused = run_async(scenario())
    assert sorted(json.loads(warning[0])["pids"]) == sorted(hog.pids)
    assert warning[2] == "below-close-threshold"
    assert alive_while_paused == [True]
    assert sorted(json.loads(killed[0])["pids"]) == sorted(hog.pids)
    assert killed[2] == "below-close-threshold"
    assert sandbox.alive(hog.pids) == [False]


# -- free memory ----------------------------------------------------------------------------------


def test_free_memory_now_reports_what_it_did_and_measured(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox()

    async def scenario() -> dict[str, Any]:
        async with client_of(sandbox) as client:
            doc: dict[str, Any] = json.loads(await client.call("FreeMemoryNow"))
            return doc

    result = run_async(scenario())
    steps = {s["step"]: s for s in result["steps"]}
    assert [s["step"] for s in result["steps"]] == ["reclaim-background", "drop-caches"]
    assert steps["drop-caches"]["result"] == "no-helper"  # --no-helper
    assert steps["reclaim-background"]["result"] in {
        "done", "partial", "nothing-to-reclaim", "no-cgroup-v2", "not-delegated",
        "no-background-slice", "no-memory-controller",
    }  # fmt: skip
    before, after = result["available_before"], result["available_after"]
    assert before > 0 and after > 0
    assert result["freed_bytes"] == max(0, after - before)
    assert result["swapped_out_bytes"] >= 0


# -- one monitor per session ----------------------------------------------------------------------


def test_second_monitor_exits_and_the_first_gives_the_name_back(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox()

    async def scenario() -> tuple[dict[str, Any], bool]:
        async with client_of(sandbox) as client:
            second = sandbox.request(
                "run_monitor",
                args=["--no-helper", "--no-config", "--dry-run", "--kill-below-mib", "1"],
            )
            still_owned = await client.name_has_owner()
            return second, still_owned

    second, still_owned = run_async(scenario())
    assert second["rc"] == 1, second["output"]
    assert "another monitor is running" in second["output"]
    assert still_owned and sandbox.monitor()["rc"] is None
    assert sandbox.stop() == 0  # SIGTERM: a clean exit

    async def released() -> bool:
        client = await MonitorClient(sandbox.bus.address).connect()
        try:
            return not await client.name_has_owner()
        finally:
            client.close()

    assert run_async(released())


# -- in-process: what the bus never carries -------------------------------------------------------


def test_unexpected_errors_are_failed_without_details(session_bus: Any) -> None:
    # The engine is created but never runs: it cannot close anything.
    from memwarden.monitor import dbus_service
    from memwarden.monitor.engine import Engine

    engine = Engine(None, overrides={"close_mib": 1, "kill_mib": 0})

    def boom() -> dict[str, Any]:
        raise RuntimeError("secret detail /root/.config")

    engine.snapshot_json = boom  # type: ignore[method-assign]

    async def scenario() -> tuple[CallError, str]:
        stop = asyncio.Event()
        served = await dbus_service.serve(engine, stop=stop, bus_address=session_bus.address)
        client = await MonitorClient(session_bus.address).connect()
        try:
            error = await refused(client, "GetSnapshot", "")
            with pytest.raises(dbus_service.NameTaken):
                await dbus_service.serve(engine, stop=stop, bus_address=session_bus.address)
            state = await client.call("ReloadConfig")  # still answering after both failures
            return error, str(state)
        finally:
            client.close()
            await served.close()
            stop.set()

    error, _ = run_async(scenario())
    assert (error.name, error.text) == (c.ERROR_FAILED, "internal-error")
