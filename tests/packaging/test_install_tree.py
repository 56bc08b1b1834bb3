# SPDX-License-Identifier: GPL-3.0-or-later
"""`make install-data` and `make uninstall` into a staging directory (no root, no network).

The Python half of `make install` (the venv) is exercised by the .deb test, which builds the
package with the same script.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from deb_lib import APP_ID, REPO, desktop_entry, ini_values, run

from memwarden.helper import constants as helper_c
from memwarden.monitor import dbus_constants as monitor_c


def make(target: str, destdir: Path, prefix: str) -> None:
    run("make", "--no-print-directory", "-C", REPO, target, f"DESTDIR={destdir}",
        f"PREFIX={prefix}")


def files_under(root: Path) -> set[str]:
    return {f"/{p.relative_to(root)}" for p in root.rglob("*") if not p.is_dir()}


def expected_files(prefix: str) -> set[str]:
    """What the tree has to install, spelled out independently of packaging/install-tree."""
    share = f"{prefix}/share"
    files = {
        f"{share}/applications/{APP_ID}.desktop",
        f"/etc/xdg/autostart/{APP_ID}.desktop",
        f"{share}/metainfo/{APP_ID}.metainfo.xml",
        f"/usr/share/dbus-1/system.d/{helper_c.BUS_NAME}.conf",
        f"/usr/share/dbus-1/system-services/{helper_c.BUS_NAME}.service",
        f"/usr/share/dbus-1/services/{monitor_c.BUS_NAME}.service",
        f"/usr/share/dbus-1/interfaces/{helper_c.BUS_NAME}.xml",
        f"/usr/share/dbus-1/interfaces/{monitor_c.BUS_NAME}.xml",
        f"/usr/share/polkit-1/actions/{helper_c.BUS_NAME}.policy",
        f"{share}/doc/memwarden/examples/{helper_c.BUS_NAME}.rules.example",
        f"{prefix}/lib/systemd/system/memwarden-helper.service",
        f"{prefix}/lib/systemd/user/memwarden-monitor.service",
    }
    icons = REPO / "resources" / "icons"
    files |= {f"{share}/icons/{p.relative_to(icons)}" for p in icons.rglob("*.svg")}
    # The tray's copy: memwarden.ui.resources reads resources/tray and resources/icons from here.
    files |= {
        f"{share}/memwarden/{p.relative_to(REPO)}"
        for p in (*icons.rglob("*.svg"), *(REPO / "resources" / "tray").glob("*.svg"))
    }
    return files


def languages() -> list[str]:
    """po/LINGUAS: the languages merged into the .desktop, polkit and metainfo files."""
    lines = (REPO / "po" / "LINGUAS").read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


@pytest.mark.parametrize("prefix", ["/usr", "/usr/local"])
def test_install_data_and_uninstall(tmp_path: Path, prefix: str) -> None:
    stage = tmp_path / "stage"
    make("install-data", stage, prefix)
    assert files_under(stage) == expected_files(prefix)
    # The programs are where PREFIX puts them; the files say so.
    units = {
        f"/usr/share/dbus-1/system-services/{helper_c.BUS_NAME}.service": "Exec",
        f"/usr/share/dbus-1/services/{monitor_c.BUS_NAME}.service": "Exec",
        f"{prefix}/lib/systemd/system/memwarden-helper.service": "ExecStart",
        f"{prefix}/lib/systemd/user/memwarden-monitor.service": "ExecStart",
    }
    for path, key in units.items():
        (command,) = ini_values(stage / path.lstrip("/"), key)
        assert command.startswith(f"{prefix}/bin/memwarden"), (path, command)
    # The .desktop and polkit files get the translations of po/ (msgfmt), the English stays.
    langs = languages()
    assert langs
    for installed, committed in (
        (f"{prefix}/share/applications/{APP_ID}.desktop", f"resources/{APP_ID}.desktop"),
        (f"/etc/xdg/autostart/{APP_ID}.desktop", f"resources/autostart/{APP_ID}.desktop"),
    ):
        merged = desktop_entry(stage / installed.lstrip("/"))
        original = desktop_entry(REPO / committed)
        assert {k: v for k, v in merged.items() if "[" not in k} == original
        assert {f"Comment[{lang}]" for lang in langs} <= set(merged)
    policy = ET.parse(stage / f"usr/share/polkit-1/actions/{helper_c.BUS_NAME}.policy")
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for action in policy.getroot().iter("action"):
        assert {e.get(xml_lang) for e in action.findall("message")} == {None, *langs}
    # So does the AppStream metainfo; without xml:lang its elements are the committed ones.
    metainfo = ET.parse(stage / f"{prefix}/share/metainfo/{APP_ID}.metainfo.xml".lstrip("/"))
    committed_metainfo = ET.parse(REPO / "resources" / f"{APP_ID}.metainfo.xml")
    assert {e.get(xml_lang) for e in metainfo.getroot().findall("summary")} == {None, *langs}
    assert [e.text for e in metainfo.iter() if e.get(xml_lang) is None] == [
        e.text for e in committed_metainfo.iter()
    ]
    # A file of someone else's in the same directories survives the uninstall.
    other = stage / prefix.lstrip("/") / "share" / "applications" / "other.desktop"
    other.write_text("[Desktop Entry]\n")
    make("uninstall", stage, prefix)
    assert files_under(stage) == {f"{prefix}/share/applications/other.desktop"}


def test_uninstall_keeps_a_memwarden_program_that_is_not_ours(tmp_path: Path) -> None:
    stage = tmp_path / "stage"
    program = stage / "usr" / "local" / "bin" / "memwarden"
    program.parent.mkdir(parents=True)
    program.write_text("#!/opt/some/venv/bin/python\n")  # e.g. `pip install memwarden`
    make("uninstall", stage, "/usr/local")
    assert program.exists()
