# SPDX-License-Identifier: GPL-3.0-or-later
"""The desktop integration files in the tree: valid for the real validators, and consistent with
each other and with the code (bus names, unit names, icon names). No root needed."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from deb_lib import APP_ID, REPO, desktop_entry, ini_values, run

from memwarden.monitor import dbus_constants as monitor_c

RESOURCES = REPO / "resources"
DESKTOP = RESOURCES / f"{APP_ID}.desktop"
AUTOSTART = RESOURCES / "autostart" / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"
SESSION_SERVICE = REPO / "packaging" / "dbus" / f"{monitor_c.BUS_NAME}.service"
USER_UNIT = REPO / "packaging" / "systemd" / "user" / "memwarden-monitor.service"
SCREENSHOT_URL = "https://github.com/memwarden/memwarden/raw/main/"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: install tests/debian-packages.txt", pytrace=False)
    return path


@pytest.mark.parametrize("path", [DESKTOP, AUTOSTART], ids=["application", "autostart"])
def test_desktop_entry_is_valid(path: Path) -> None:
    check = run(tool("desktop-file-validate"), path, check=False)
    # desktop-file-validate exits 0 on warnings and hints: any output counts as a failure.
    assert (check.returncode, check.stdout + check.stderr) == (0, "")


def test_desktop_entries_start_the_tray_and_show_the_app_icon() -> None:
    app, autostart = desktop_entry(DESKTOP), desktop_entry(AUTOSTART)
    for entry in (app, autostart):
        # The tray is `memwarden` with no arguments; TryExec hides an entry whose program is gone.
        assert (entry["Exec"], entry["TryExec"]) == ("memwarden", "memwarden")
        assert entry["Icon"] == APP_ID
    assert (RESOURCES / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert autostart["NoDisplay"] == "true"
    assert autostart["X-GNOME-Autostart-enabled"] == "true"
    assert "NoDisplay" not in app


def test_metainfo_is_valid() -> None:
    check = run(tool("appstreamcli"), "validate", "--no-net", "--no-color", METAINFO, check=False)
    assert check.returncode == 0, check.stdout
    # Errors, warnings and infos fail; pedantic notes (our id has capitals) do not.
    assert [ln for ln in check.stdout.splitlines() if re.match(r"[EWI]: ", ln)] == []


def test_metainfo_matches_the_desktop_entry() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("icon") == desktop_entry(DESKTOP)["Icon"]
    assert root.findtext("name") == desktop_entry(DESKTOP)["Name"]
    assert {c.text for c in root.iter("category")} == set(
        filter(None, desktop_entry(DESKTOP)["Categories"].split(";"))
    )
    provides = root.find("provides")
    assert provides is not None
    names = {(e.tag, e.get("type"), e.text) for e in provides}
    assert ("dbus", "user", monitor_c.BUS_NAME) in names


def test_metainfo_screenshots_are_images_in_the_tree() -> None:
    urls = [e.text or "" for e in ET.parse(METAINFO).getroot().iter("image")]
    assert urls, "AppStream wants screenshots"
    assert all(u.startswith(SCREENSHOT_URL) and u.endswith(".png") for u in urls), urls
    shots = REPO / "docs" / "screenshots"
    if not any(shots.glob("*.png")):
        pytest.skip("docs/screenshots/ has no images yet (the tray and window add them)")
    missing = [u for u in urls if not (REPO / u.removeprefix(SCREENSHOT_URL)).is_file()]
    assert missing == []


def test_session_activation_starts_the_user_unit() -> None:
    assert ini_values(SESSION_SERVICE, "Name") == [monitor_c.BUS_NAME]
    assert ini_values(SESSION_SERVICE, "SystemdService") == [USER_UNIT.name]
    # exec, not dbus: systemd would stop a dbus unit whose name is lost with a restarting bus.
    assert ini_values(USER_UNIT, "Type") == ["exec"]
    assert ini_values(USER_UNIT, "BusName") == [monitor_c.BUS_NAME]
    # Both ways of starting it run the same command: the installed `memwarden monitor`.
    assert ini_values(SESSION_SERVICE, "Exec") == ini_values(USER_UNIT, "ExecStart")
    assert ini_values(USER_UNIT, "ExecStart") == ["/usr/bin/memwarden monitor"]


def test_user_unit_belongs_to_the_graphical_session() -> None:
    for key in ("PartOf", "After", "WantedBy"):
        assert ini_values(USER_UNIT, key) == ["graphical-session.target"], key


# Settings that give a user service a mount namespace of its own: the monitor would stop seeing
# /dev/shm, /tmp or writable cgroup files as the user's apps see them (see the unit's comments).
NAMESPACING = (
    "PrivateTmp", "PrivateDevices", "PrivateUsers", "PrivateMounts", "ProtectSystem",
    "ProtectHome", "ProtectProc", "ProcSubset", "ProtectKernelTunables", "ProtectControlGroups",
    "TemporaryFileSystem", "ReadOnlyPaths", "InaccessiblePaths", "BindPaths", "RootDirectory",
    "MemoryMax", "MemoryHigh",
)  # fmt: skip


def test_user_unit_hardening_leaves_the_session_visible() -> None:
    present = [key for key in NAMESPACING if ini_values(USER_UNIT, key)]
    assert present == []
    assert ini_values(USER_UNIT, "NoNewPrivileges") == ["yes"]
    assert ini_values(USER_UNIT, "RestrictAddressFamilies") == ["AF_UNIX"]
    # The killer calls process_mrelease after SIGKILL; systemd 252's @system-service lacks it.
    assert "process_mrelease" in " ".join(ini_values(USER_UNIT, "SystemCallFilter")).split()


def test_the_bundle_keeps_every_qt_module_the_code_imports_and_no_other() -> None:
    # packaging/prune_bundle.py deletes every PySide6 module that bundle-roots.txt does not name:
    # one imported by the code but missing there would break the installed app, not the tests.
    from prune_bundle import read_roots

    required, optional = read_roots()
    kept = set(re.findall(r"^PySide6/(Qt\w+)\.abi3\.so$", "\n".join(required), re.M))
    code = "\n".join(p.read_text() for p in (REPO / "app" / "memwarden").rglob("*.py"))
    imported = set(re.findall(r"^\s*(?:from|import) PySide6\.(Qt\w+)", code, re.M))
    assert imported and kept == imported, (sorted(kept), sorted(imported))
    assert all(pattern.startswith("PySide6/Qt/plugins/") for pattern in optional), optional
