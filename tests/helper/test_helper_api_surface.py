# SPDX-License-Identifier: GPL-3.0-or-later
"""The helper's API surface: what it exports, what the packaging files promise, and that they agree.

* the introspection the running service exports equals the committed XML;
* every mutating method has exactly one polkit action, and it exists in the ``.policy`` file with
  the documented defaults; the read-only methods are exactly the known ones;
* every packaging file is named after the bus name and names the same bus name, object, user and
  unit; the bus policy opens only our interface and the three standard ones; the systemd unit
  grants exactly the two justified capabilities.
"""

from __future__ import annotations

import configparser
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

from dbus_fast import introspection as intr
from dbus_fast.aio import MessageBus
from helper_private_bus import HelperProcess, PrivateBus
from helper_testlib import run_async

from memwarden.helper import constants as c
from memwarden.helper import errors, kernel, service
from memwarden.helper.caller import method_policies
from memwarden.helper.service import HelperInterface

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
XML_FILE = PACKAGING / "dbus" / f"{c.BUS_NAME}.xml"
POLICY_FILE = PACKAGING / "polkit" / f"{c.BUS_NAME}.policy"
CONF_FILE = PACKAGING / "dbus" / f"{c.BUS_NAME}.conf"
SERVICE_FILE = PACKAGING / "dbus" / f"{c.BUS_NAME}.service"
UNIT_FILE = PACKAGING / "systemd" / "memwarden-helper.service"
RULES_EXAMPLE = PACKAGING / "polkit" / f"{c.BUS_NAME}.rules.example"

READ_ONLY_METHODS = {"GetVersion", "GetCapabilities"}


def canonical(interface: intr.Interface) -> list[object]:
    """Everything a client can see of an interface, in a stable order."""
    return [
        sorted(
            (
                m.name,
                [(a.name, a.signature, a.direction.value) for a in m.in_args + m.out_args],
                sorted(m.annotations.items()),
            )
            for m in interface.methods
        ),
        sorted((s.name, [(a.name, a.signature) for a in s.args]) for s in interface.signals),
        sorted((p.name, p.signature, p.access.value) for p in interface.properties),
        sorted(interface.annotations.items()),
    ]


def committed_interface() -> intr.Interface:
    node = intr.Node.parse(XML_FILE.read_text())
    (interface,) = [i for i in node.interfaces if i.name == c.INTERFACE]
    return interface


def test_exported_introspection_equals_committed_xml(private_bus: PrivateBus) -> None:
    helper = HelperProcess(private_bus)
    try:
        helper.wait_owning()

        async def introspect() -> intr.Node:
            bus = await MessageBus(bus_address=private_bus.address).connect()
            try:
                return await bus.introspect(c.BUS_NAME, c.OBJECT_PATH)
            finally:
                bus.disconnect()

        node = run_async(introspect())
    finally:
        helper.stop()
    (exported,) = [i for i in node.interfaces if i.name == c.INTERFACE]
    assert canonical(exported) == canonical(committed_interface())
    # Besides ours, only the standard interfaces dbus-fast adds by itself (of which the bus
    # policy opens all but ObjectManager).
    assert {i.name for i in node.interfaces} == {
        c.INTERFACE,
        "org.freedesktop.DBus.Introspectable",
        "org.freedesktop.DBus.ObjectManager",
        "org.freedesktop.DBus.Peer",
        "org.freedesktop.DBus.Properties",
    }


def policy_actions() -> dict[str, dict[str, str]]:
    root = ET.parse(POLICY_FILE).getroot()
    return {
        action.attrib["id"]: {d.tag: (d.text or "").strip() for d in action.find("defaults") or []}
        for action in root.iter("action")
    }


def test_every_mutating_method_has_an_action_in_the_policy_file() -> None:
    policies = method_policies(HelperInterface(bus=None, proc_root=Path("/proc")))  # type: ignore[arg-type]
    assert set(policies) == {m.name for m in committed_interface().methods}
    read_only = {name for name, p in policies.items() if p.action is None}
    assert read_only == READ_ONLY_METHODS
    actions = {name: p.actions for name, p in policies.items() if p.action is not None}
    declared = policy_actions()
    for method, method_actions in actions.items():
        for action in method_actions:
            assert action in declared, f"{method}: {action} missing from {POLICY_FILE.name}"
    # No action shared by two methods, and no action in the file that no method uses.
    every = [a for method_actions in actions.values() for a in method_actions]
    assert sorted(every) == sorted(set(every))
    assert set(every) == set(declared) == c.ALL_ACTIONS
    # Only SetOomScoreAdj has a second, stronger action: below the floor.
    assert actions["SetOomScoreAdj"] == {
        c.ACTION_SET_OOM_SCORE_ADJ,
        c.ACTION_SET_OOM_SCORE_ADJ_BELOW_FLOOR,
    }
    assert all(len(a) == 1 for m, a in actions.items() if m != "SetOomScoreAdj")
    policy = policies["SetOomScoreAdj"]
    assert policy.action_for([[], c.OOM_SCORE_ADJ_FLOOR]) == c.ACTION_SET_OOM_SCORE_ADJ
    below = policy.action_for([[], c.OOM_SCORE_ADJ_FLOOR - 1])
    assert below == c.ACTION_SET_OOM_SCORE_ADJ_BELOW_FLOOR


def test_policy_defaults_allow_only_the_active_session() -> None:
    # Below the floor, even the person at the machine needs an administrator's password.
    wanted = {c.ACTION_SET_OOM_SCORE_ADJ_BELOW_FLOOR: "auth_admin"}
    for action, defaults in policy_actions().items():
        assert defaults == {
            "allow_any": "no",
            "allow_inactive": "no",
            "allow_active": wanted.get(action, "yes"),
        }, action


def test_the_floor_is_what_the_monitor_asks_for_itself() -> None:
    # The floor exists so that the monitor's own values need no password and anything lower
    # does: the lowest value the monitor asks for must be the floor, exactly.
    from memwarden.monitor.config import PROTECT_OOM_SCORE_ADJ
    from memwarden.monitor.main import OWN_OOM_SCORE_ADJ

    assert min(PROTECT_OOM_SCORE_ADJ, OWN_OOM_SCORE_ADJ) == c.OOM_SCORE_ADJ_FLOOR


def test_packaging_files_are_named_after_the_bus_name() -> None:
    for path in (XML_FILE, POLICY_FILE, CONF_FILE, SERVICE_FILE, RULES_EXAMPLE, UNIT_FILE):
        assert path.is_file(), path
        assert path.read_text().startswith(("# SPDX", "// SPDX", "<?xml", "<!DOCTYPE")), path
        assert "SPDX-License-Identifier: GPL-3.0-or-later" in path.read_text(), path


def test_activation_file_names_bus_user_and_unit() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(SERVICE_FILE.read_text())
    section = parser["D-BUS Service"]
    assert dict(section) == {
        "Name": c.BUS_NAME,
        "Exec": "/usr/bin/memwarden-helper",
        "User": "root",
        "SystemdService": UNIT_FILE.name,
    }
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["memwarden-helper"] == "memwarden.helper.service:main"


def test_bus_policy_opens_only_our_interface_and_the_standard_ones() -> None:
    root = ET.parse(CONF_FILE).getroot()
    (root_policy,) = root.findall("policy[@user='root']")
    assert [e.attrib for e in root_policy] == [{"own": c.BUS_NAME}]
    (default,) = root.findall("policy[@context='default']")
    rules = [(e.tag, e.attrib) for e in default]
    assert all(tag == "allow" for tag, _ in rules)
    assert all(
        a.get("send_destination") == c.BUS_NAME and a.get("send_type") == "method_call"
        for _, a in rules
    )
    assert sorted(a["send_interface"] for _, a in rules) == sorted(
        [
            c.INTERFACE,
            "org.freedesktop.DBus.Introspectable",
            "org.freedesktop.DBus.Peer",
            "org.freedesktop.DBus.Properties",
        ]
    )
    assert len(root.findall("policy")) == 2


def unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in UNIT_FILE.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def test_systemd_unit_is_hardened_with_the_two_justified_capabilities() -> None:
    unit = unit_settings()
    assert unit["Type"] == ["dbus"]
    assert unit["BusName"] == [c.BUS_NAME]
    assert unit["ExecStart"] == ["/usr/bin/memwarden-helper"]
    assert set(unit["CapabilityBoundingSet"][0].split()) == {"CAP_SYS_RESOURCE", "CAP_DAC_OVERRIDE"}
    # ...the same two the helper keeps when it confines itself without the unit.
    assert kernel.NEEDED == (1 << kernel.CAP_SYS_RESOURCE) | (1 << kernel.CAP_DAC_OVERRIDE)
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "RestrictAddressFamilies": "AF_UNIX",
        "ProtectKernelTunables": "yes",
    }.items():
        assert unit[key] == [value], key
    # Only the two sysctls FreeMemory writes are carved out of the read-only /proc/sys.
    assert unit["ReadWritePaths"] == ["/proc/sys/vm/drop_caches -/proc/sys/vm/compact_memory"]
    # Each capability is justified in a comment next to it.
    text = UNIT_FILE.read_text()
    for cap in ("CAP_SYS_RESOURCE", "CAP_DAC_OVERRIDE"):
        assert re.search(rf"^#\s+{cap}\s+\S", text, re.MULTILINE), cap


def test_systemd_unit_bounds_memory_tasks_and_files() -> None:
    unit = unit_settings()
    (memory,) = unit["MemoryMax"]
    assert memory.endswith("M") and 48 <= int(memory[:-1]) <= 256, memory
    # The event loop and the worker threads, with room to spare.
    assert int(unit["TasksMax"][0]) >= 2 * (1 + service._WORKER_THREADS)
    # A SetOomScoreAdj call holds two fds per target (one call at a time), plus the few the
    # helper always has open.
    assert int(unit["LimitNOFILE"][0]) >= 2 * c.MAX_PROCESSES_PER_CALL + 64


def test_xml_documents_every_named_error() -> None:
    text = XML_FILE.read_text()
    for cls in set(errors.ERRORS_BY_DBUS_NAME.values()):
        assert cls.dbus_name in text, cls.__name__


def test_example_rules_name_only_real_actions() -> None:
    text = RULES_EXAMPLE.read_text()
    named = set(re.findall(r'"(io\.github\.memwarden\.helper\.[a-z-]+)"', text))
    assert named == c.ALL_ACTIONS
