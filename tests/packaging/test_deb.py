# SPDX-License-Identifier: GPL-3.0-or-later
"""The .deb, built from this tree, installed on this machine, used, and purged (root, ~1 min).

Runs in file order: the last test purges the package and compares the machine with how it was
before the install (the fixture purges too when a test failed before that).
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import deb_lib
import pytest
from deb_lib import APP_ID, REPO, VENV, VENV_PYTHON, InstalledDeb, dpkg_owner, run
from elf_needed import is_elf, needed
from prune_bundle import closure, read_roots

from desktop import TestDesktop, missing_programs, wait_until, wayland
from hogs import available_mib
from memwarden import __version__
from memwarden.helper import constants as helper_c
from memwarden.monitor import dbus_constants as monitor_c

pytestmark = [pytest.mark.root, pytest.mark.deb]

APPLICATIONS = Path("/usr/share/applications")
AUTOSTART = Path("/etc/xdg/autostart")
USER_UNIT = Path("/usr/lib/systemd/user/memwarden-monitor.service")
SYSTEM_UNIT = Path("/usr/lib/systemd/system/memwarden-helper.service")
SESSION_SERVICE = Path("/usr/share/dbus-1/services") / f"{monitor_c.BUS_NAME}.service"
SYSTEM_SERVICE = Path("/usr/share/dbus-1/system-services") / f"{helper_c.BUS_NAME}.service"

#: What MemWarden loads from the bundle (packaging/bundle-roots.txt, without the optional ones):
#: the .deb must depend on exactly the packages of the system libraries these ask for, directly or
#: through the Qt libraries of the bundle.
LOADED, _ = read_roots()


def site_packages() -> Path:
    (site,) = VENV.glob("lib/python3*/site-packages")
    return site


def nobody() -> pwd.struct_passwd:
    return pwd.getpwnam("nobody")


def as_nobody() -> dict[str, Any]:
    """subprocess arguments that run a command as ``nobody``, with a minimal environment."""
    user = nobody()
    return {
        "user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "cwd": "/",
        "env": {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    }  # fmt: skip


def system_libraries() -> dict[str, Path]:
    """Where the dynamic linker finds each soname for this architecture (``ldconfig -p``)."""
    multiarch = getattr(sys.implementation, "_multiarch", "")
    found: dict[str, Path] = {}
    for line in run("ldconfig", "-p").stdout.splitlines()[1:]:
        name, _, path = line.strip().partition(" => ")
        if f"/{multiarch}/" in path:
            found.setdefault(name.split(" ")[0], Path(path))
    return found


# ---- what was installed -------------------------------------------------------------------------


def test_depends_are_what_the_bundled_libraries_ask_for(installed_deb: InstalledDeb) -> None:
    site = site_packages()
    bundled = {f.name: f for f in site.rglob("*.so*") if f.is_file()}
    roots: list[Path] = []
    for pattern in LOADED:
        matches = sorted(site.glob(pattern))
        assert matches, f"{pattern} is not in the bundle: update bundle-roots.txt and control.in"
        roots += matches
    # Sonames from outside the bundle, asked for by the roots or the bundled libraries they load.
    system = {s for obj in closure(roots, bundled) for s in needed(obj) if s not in bundled}
    where = system_libraries()
    wanted = {f"<nothing provides {s}>" for s in system if s not in where}
    wanted |= {dpkg_owner(where[s]) or f"<no package owns {where[s]}>" for s in system & set(where)}
    depends = set(
        run("dpkg-query", "-W", "-f=${Depends}", deb_lib.PACKAGE).stdout.replace(" ", "").split(",")
    )
    python = os.path.basename(os.path.realpath(VENV_PYTHON))  # python3.X
    assert python in depends
    depends.discard(python)
    # (declared but not needed, needed but not declared)
    assert (sorted(depends - wanted), sorted(wanted - depends)) == ([], [])


def test_the_bundle_carries_only_the_part_of_pyside6_that_memwarden_loads(
    installed_deb: InstalledDeb,
) -> None:
    site = site_packages()
    pyside = site / "PySide6"
    elves = [f for f in site.rglob("*") if f.is_file() and is_elf(f)]
    names = {f.name for f in elves}
    # Every bundled library a kept object asks for is still there (ICU, libpyside, libshiboken
    # and Qt's own): pruning took nothing that is loaded.
    for obj in elves:
        for soname in needed(obj):
            if soname.startswith(("libQt6", "libicu", "libpyside", "libshiboken")):
                assert soname in names, f"{obj.relative_to(site)} needs {soname}, pruned"
    # The Qt Python modules are exactly those the code imports (the roots), plus nothing.
    modules = sorted(p.name for p in pyside.glob("Qt*.abi3.so"))
    imported = sorted(Path(g).name for g in LOADED if re.fullmatch(r"PySide6/Qt\w+\.abi3\.so", g))
    assert modules == imported, modules
    # What only QML, Designer and the tools use is gone.
    assert not (pyside / "Qt" / "qml").exists() and not (pyside / "include").exists()
    for tool in ("designer", "linguist", "assistant", "lupdate", "qmlls"):
        assert not (pyside / tool).exists(), tool
    assert not list((pyside / "Qt" / "lib").glob("libQt6Quick*"))
    translations = {p.name.split("_")[0] for p in (pyside / "Qt" / "translations").glob("*.qm")}
    assert translations == {"qtbase"}, translations


def test_the_installed_tray_runs_on_a_real_desktop(
    installed_deb: InstalledDeb, tmp_path: Path
) -> None:
    # The pruned bundle, for real: the xcb platform, the SVG icon engine and the widgets, in a
    # real XEmbed tray (trayer on Xvfb) with a notification server, from /usr/bin/memwarden.
    missing = missing_programs(("dbus-daemon", "dbus-send", "Xvfb", "trayer", "dunst", "xdotool",
                                "xwininfo", "import"))  # fmt: skip
    if missing:
        pytest.fail(f"the test desktop needs {', '.join(missing)}", pytrace=False)
    desktop = TestDesktop(tmp_path / "desktop")
    events = tmp_path / "ui-events.jsonl"
    monitor = "/usr/bin/memwarden monitor --no-helper --dry-run --kill-below-mib 1"
    log = tmp_path / "tray.log"
    tray: subprocess.Popen[bytes] | None = None
    try:
        desktop.start()
        env = desktop.env(
            MEMWARDEN_UI_EVENTS=str(events), MEMWARDEN_MONITOR_COMMAND=monitor, LANG="C.UTF-8",
            XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"),
        )  # fmt: skip
        with open(log, "wb") as out:
            tray = subprocess.Popen(["/usr/bin/memwarden"], env=env, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=out)  # fmt: skip

        def seen(kind: str) -> bool:
            assert tray is not None and tray.poll() is None, log.read_text()
            return events.exists() and f'"event": "{kind}"' in events.read_text()

        wait_until(lambda: seen("tray-icon"), 60, "the tray icon")
        wait_until(lambda: bool(desktop.tray_icons()), 30, "the icon embedded in trayer")
        # Painted: the calm shield's green (#2f9e44) in the icon's place on the screen.
        x, y, w, h = desktop.tray_icons()[0]
        wait_until(lambda: _green_pixels(desktop, tmp_path / "screen.png", (x, y, w, h)) > 10,
                   20, "the icon painted")  # fmt: skip
        # A second memwarden raises the first one's window: the widgets come up too.
        second = subprocess.run(["/usr/bin/memwarden"], env=env, capture_output=True, timeout=60)
        assert second.returncode == 0, second.stderr
        wait_until(lambda: seen("open-window"), 30, "the window")
    finally:
        if tray is not None and tray.poll() is None:
            tray.terminate()  # SIGTERM quits like "Quit"
            tray.wait(timeout=30)
        for pid, argv in deb_lib.memwarden_processes():
            if "monitor" in argv and "--dry-run" in argv:
                deb_lib.stop_pid(pid)
        desktop.stop()
    assert tray.returncode == 0, log.read_text()
    assert "Traceback" not in log.read_text() and " ERROR " not in log.read_text(), log.read_text()


def _green_pixels(desktop: TestDesktop, path: Path, rect: tuple[int, int, int, int]) -> int:
    from PySide6.QtGui import QImage

    desktop.screenshot(path)
    image = QImage(str(path))
    x, y, w, h = rect
    green = 0
    for px in range(x, x + w):
        for py in range(y, y + h):
            r, g, b, _ = image.pixelColor(px, py).getRgb()
            green += abs(r - 0x2F) < 40 and abs(g - 0x9E) < 40 and abs(b - 0x44) < 40
    return green


def test_files_land_in_their_fhs_places(installed_deb: InstalledDeb) -> None:
    places = (
        "/usr/bin/", "/usr/lib/memwarden/", "/usr/lib/systemd/system/", "/usr/lib/systemd/user/",
        "/usr/share/applications/", "/usr/share/metainfo/", "/usr/share/icons/hicolor/",
        "/usr/share/dbus-1/", "/usr/share/polkit-1/actions/", "/usr/share/doc/memwarden/",
        "/usr/share/memwarden/", "/etc/xdg/autostart/",
    )  # fmt: skip
    files = [f for f in installed_deb.files if not Path(f).is_dir()]
    assert [f for f in files if not f.startswith(places)] == []
    expected = {
        f"{APPLICATIONS}/{APP_ID}.desktop", f"{AUTOSTART}/{APP_ID}.desktop",
        f"/usr/share/metainfo/{APP_ID}.metainfo.xml", str(USER_UNIT), str(SYSTEM_UNIT),
        str(SESSION_SERVICE), str(SYSTEM_SERVICE),
        f"/usr/share/dbus-1/system.d/{helper_c.BUS_NAME}.conf",
        f"/usr/share/polkit-1/actions/{helper_c.BUS_NAME}.policy",
        f"/usr/share/dbus-1/interfaces/{helper_c.BUS_NAME}.xml",
        f"/usr/share/dbus-1/interfaces/{monitor_c.BUS_NAME}.xml",
        "/usr/share/doc/memwarden/copyright",
    }  # fmt: skip
    # Whatever icons and translations the tree has at the time (others are still adding them).
    for icon in (REPO / "resources" / "icons").rglob("*.svg"):
        expected.add(f"/usr/share/icons/{icon.relative_to(REPO / 'resources' / 'icons')}")
    for folder in ("tray", "icons"):  # the tray's own copy (memwarden.ui.resources)
        for icon in (REPO / "resources" / folder).rglob("*.svg"):
            expected.add(f"/usr/share/memwarden/{icon.relative_to(REPO)}")
    translations = site_packages() / "memwarden" / "ui" / "translations"
    for ts in (REPO / "i18n").glob("*.ts"):
        expected.add(str(translations / f"{ts.stem}.qm"))
    assert sorted(expected - set(files)) == []
    # The packaged files are the committed ones (the paths in them are already /usr/bin).
    for src, dst in (
        (REPO / "packaging" / "dbus" / SYSTEM_SERVICE.name, SYSTEM_SERVICE),
        (REPO / "packaging" / "systemd" / "user" / USER_UNIT.name, USER_UNIT),
    ):
        assert dst.read_text() == src.read_text()


def test_programs_run_the_private_venv_in_isolated_mode(
    installed_deb: InstalledDeb, tmp_path: Path
) -> None:
    for name in deb_lib.project()["scripts"]:  # type: ignore[attr-defined]
        program = Path("/usr/bin") / name
        assert dpkg_owner(program) == deb_lib.PACKAGE
        assert program.stat().st_mode & 0o777 == 0o755
        assert program.read_text().splitlines()[0] == f"#!{VENV_PYTHON} -I"
    # -I: a PYTHONPATH with a booby-trapped "memwarden" package must not be imported.
    trap = tmp_path / "memwarden"
    trap.mkdir()
    (trap / "__init__.py").write_text("raise SystemExit('imported from PYTHONPATH')\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)}
    assert run("/usr/bin/memwarden", "--version", env=env).stdout == f"memwarden {__version__}\n"
    where = run(VENV_PYTHON, "-I", "-c", "import memwarden; print(memwarden.__file__)")
    assert where.stdout.startswith(f"{site_packages()}/memwarden/")


def test_the_package_holds_exactly_the_modules_of_this_tree(installed_deb: InstalledDeb) -> None:
    # No module the tree no longer has (a stale build/lib once shipped ui/tray.py beside ui/tray/).
    def modules(root: Path) -> set[Path]:
        return {p.relative_to(root) for p in (root / "memwarden").rglob("*.py")}

    assert modules(site_packages()) == modules(REPO / "app")


def test_the_tray_finds_its_icons_in_the_package(installed_deb: InstalledDeb) -> None:
    # The tray's own lookup (memwarden.ui.resources), run by the installed interpreter.
    states = sorted(p.stem for p in (REPO / "resources" / "tray").glob("*.svg"))
    assert states
    found = run(
        VENV_PYTHON, "-I", "-c",
        "import sys; from memwarden.ui import resources as r;"
        "print(r.app_icon_path()); [print(r.tray_icon_path(s)) for s in sys.argv[1:]]",
        *states, env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"},
    ).stdout.split()  # fmt: skip
    assert len(found) == 1 + len(states), found
    for path in map(Path, found):
        assert path.is_file() and path.is_relative_to(VENV), path
        assert dpkg_owner(path.resolve()) == deb_lib.PACKAGE


def test_desktop_entries_validate_and_start_the_installed_program(
    installed_deb: InstalledDeb,
) -> None:
    for path in (APPLICATIONS / f"{APP_ID}.desktop", AUTOSTART / f"{APP_ID}.desktop"):
        check = run("desktop-file-validate", path, check=False)
        assert (check.returncode, check.stdout + check.stderr) == (0, "")
        entry = deb_lib.desktop_entry(path)
        for key in ("Exec", "TryExec"):
            program = shutil.which(entry[key].split()[0], path="/usr/bin:/bin")
            assert program == "/usr/bin/memwarden", (path, key)
            assert dpkg_owner(Path(program)) == deb_lib.PACKAGE
        icon = Path(f"/usr/share/icons/hicolor/scalable/apps/{entry['Icon']}.svg")
        assert dpkg_owner(icon) == deb_lib.PACKAGE
    autostart = deb_lib.desktop_entry(AUTOSTART / f"{APP_ID}.desktop")
    assert autostart["X-GNOME-Autostart-enabled"] == "true"
    # A conffile: kept on remove (TryExec then hides it), deleted on purge.
    conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", deb_lib.PACKAGE).stdout
    assert f"{AUTOSTART}/{APP_ID}.desktop" in conffiles


def test_metainfo_validates(installed_deb: InstalledDeb) -> None:
    path = Path("/usr/share/metainfo") / f"{APP_ID}.metainfo.xml"
    check = run("appstreamcli", "validate", "--no-net", "--no-color", path, check=False)
    # Errors, warnings and infos fail; pedantic notes (our id has capitals) do not.
    assert check.returncode == 0, check.stdout
    assert [ln for ln in check.stdout.splitlines() if re.match(r"[EWI]: ", ln)] == []
    launchable = ET.parse(path).getroot().findtext("launchable")
    assert (APPLICATIONS / str(launchable)).is_file()


def test_units_and_activation_files_point_at_installed_programs(
    installed_deb: InstalledDeb, tmp_path: Path
) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze not found: install tests/debian-packages.txt", pytrace=False)
    runtime = tmp_path / "runtime"  # systemd-analyze --user wants a runtime directory
    runtime.mkdir(mode=0o700)
    pairs = ((USER_UNIT, SESSION_SERVICE, True), (SYSTEM_UNIT, SYSTEM_SERVICE, False))
    for unit, service, user in pairs:
        (exec_start,) = deb_lib.ini_values(unit, "ExecStart")
        program = Path(exec_start.split()[0])
        assert dpkg_owner(program) == deb_lib.PACKAGE and os.access(program, os.X_OK)
        # The bus starts the same command, and names this unit and the name it waits for.
        assert deb_lib.ini_values(service, "Exec") == [exec_start]
        assert deb_lib.ini_values(service, "SystemdService") == [unit.name]
        assert deb_lib.ini_values(service, "Name") == deb_lib.ini_values(unit, "BusName")
        verify = run(
            "systemd-analyze", "verify", "--man=no", *(["--user"] if user else []), unit,
            check=False, env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        )  # fmt: skip
        assert (verify.returncode, verify.stdout + verify.stderr) == (0, ""), unit


def test_pkaction_shows_every_action(installed_deb: InstalledDeb) -> None:
    policy = ET.parse(REPO / "packaging" / "polkit" / f"{helper_c.BUS_NAME}.policy").getroot()
    shipped = {str(a.get("id")): a for a in policy.iter("action")}
    assert set(shipped) == helper_c.ALL_ACTIONS
    # polkitd notices the new file through inotify.
    deb_lib.wait_for(
        "polkitd to load the installed actions",
        lambda: all(
            run("pkaction", "--action-id", a, check=False).returncode == 0
            for a in helper_c.ALL_ACTIONS
        ),
    )
    listed = run("pkaction").stdout.split()
    assert sorted(a for a in listed if a.startswith("io.github.memwarden.")) == sorted(shipped)
    for action_id, action in shipped.items():
        shown = run("pkaction", "--action-id", action_id, "--verbose").stdout
        fields = dict(re.findall(r"^[ \t]+([a-z_ ]+):[ \t]*(.*)$", shown, flags=re.MULTILINE))
        defaults = action.find("defaults")
        assert defaults is not None
        assert fields == {
            "description": action.findtext("description"),
            "message": action.findtext("message"),
            "vendor": policy.findtext("vendor"),
            "vendor_url": policy.findtext("vendor_url"),
            "icon": "",
            "implicit any": defaults.findtext("allow_any"),
            "implicit inactive": defaults.findtext("allow_inactive"),
            "implicit active": defaults.findtext("allow_active"),
        }


def test_system_bus_activates_the_installed_helper(installed_deb: InstalledDeb) -> None:
    assert deb_lib.helper_owner_pid() is None  # the fixture stopped the checkout's helper
    # An unprivileged caller: only the installed bus policy lets it send to the helper.
    call = [
        "dbus-send", "--system", "--print-reply", "--reply-timeout=30000",
        f"--dest={helper_c.BUS_NAME}", helper_c.OBJECT_PATH,
    ]  # fmt: skip
    version = run(*call, f"{helper_c.INTERFACE}.GetVersion", **as_nobody())
    assert f'string "{__version__}"' in version.stdout
    features = run(*call, f"{helper_c.INTERFACE}.GetCapabilities", **as_nobody())
    assert f'"{helper_c.FEATURE_RAISE_OOM_SCORE_ADJ}"' in features.stdout
    pid = deb_lib.helper_owner_pid()
    assert pid is not None
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    assert argv == [str(VENV_PYTHON), "-I", "/usr/bin/memwarden-helper"]
    assert Path(f"/proc/{pid}").stat().st_uid == 0  # User=root from the activation file


def test_scan_runs_from_the_installed_package(installed_deb: InstalledDeb) -> None:
    for kwargs in ({}, as_nobody()):
        scan = run("/usr/bin/memwarden", "scan", "--limit", "3", **kwargs)
        assert scan.stdout.startswith("available ")
        assert "KERNEL#" in scan.stdout and "OURS#" in scan.stdout
    doc = run("/usr/bin/memwarden", "scan", "--json", **as_nobody()).stdout
    assert '"apps"' in doc


def test_the_package_carries_the_nvml_bindings(installed_deb: InstalledDeb) -> None:
    # NVIDIA VRAM per process comes only from NVML. The installed bindings, handed in directly
    # (past the /proc/driver/nvidia check), try to load the driver's library: on a machine without
    # one that is "no-driver", which only bindings that import and run can answer.
    code = (
        "import pynvml; from memwarden.core.nvidia import read_nvidia_vram;"
        "print(pynvml.__file__); print(read_nvidia_vram(pynvml).status)"
    )
    found = run(VENV_PYTHON, "-I", "-c", code, env={"PATH": "/usr/bin:/bin"}).stdout.split()
    bindings, status = found
    assert dpkg_owner(Path(bindings)) == deb_lib.PACKAGE
    if any(name.startswith("libnvidia-ml.so") for name in system_libraries()):
        assert status in ("ok", "no-driver", "error"), status  # the module may not be loaded
    else:
        assert status == "no-driver", status


@pytest.fixture
def nobody_session() -> Iterator[str]:
    """A session bus of user ``nobody`` with the system's session config and service files.

    Yields the bus address. The monitor it activates gets a config that can never close anything
    (nobody has nothing to close anyway); it and the bus are stopped at the end.
    """
    user = nobody()
    # Not under pytest's tmp_path: its parents are root's, mode 0700, closed to nobody.
    home = Path(tempfile.mkdtemp(prefix="memwarden-nobody-", dir="/tmp"))
    for sub in ("config/memwarden", "state", "runtime", "data"):
        (home / sub).mkdir(parents=True)
    (home / "config" / "memwarden" / "config.toml").write_text(
        "[thresholds]\nwarn_mib = 2\nclose_mib = 1\nkill_mib = 1\n"
        "psi_full_percent = 100.0\npsi_some_warn_percent = 100.0\n"
    )
    for path in (home, *home.rglob("*")):
        os.chown(path, user.pw_uid, user.pw_gid)
    home.chmod(0o700)
    env = {
        "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
        "XDG_RUNTIME_DIR": str(home / "runtime"), "XDG_DATA_HOME": str(home / "data"),
        "XDG_DATA_DIRS": "/usr/share",
    }  # fmt: skip
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1",
         f"--address=unix:path={home / 'runtime' / 'bus'}"],
        user=user.pw_uid, group=user.pw_gid, extra_groups=[], env=env, cwd="/",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()
    try:
        assert address, bus.stderr.read() if bus.stderr else ""
        yield address
    finally:
        for pid, argv in deb_lib.memwarden_processes():
            if "monitor" in argv and Path(f"/proc/{pid}").stat().st_uid == user.pw_uid:
                deb_lib.stop_pid(pid)
        bus.terminate()
        bus.communicate(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


def test_session_bus_activates_the_installed_monitor(
    installed_deb: InstalledDeb, nobody_session: str
) -> None:
    dbus_send = ["dbus-send", f"--bus={nobody_session}", "--print-reply", "--reply-timeout=60000"]
    introspect = run(
        *dbus_send, f"--dest={monitor_c.BUS_NAME}", monitor_c.OBJECT_PATH,
        "org.freedesktop.DBus.Introspectable.Introspect", **as_nobody(),
    )  # fmt: skip
    assert f'<interface name="{monitor_c.INTERFACE}">' in introspect.stdout
    owner = run(
        *dbus_send, "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus.GetConnectionUnixProcessID", f"string:{monitor_c.BUS_NAME}",
        **as_nobody(),
    )  # fmt: skip
    pid = int(owner.stdout.split()[-1])
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    assert argv == [str(VENV_PYTHON), "-I", "/usr/bin/memwarden", "monitor"]
    assert Path(f"/proc/{pid}").stat().st_uid == nobody().pw_uid


@pytest.mark.parametrize("mode", ["script", "compositor"])
def test_the_installed_tray_guards_a_real_wayland_session(
    installed_deb: InstalledDeb, mode: str, request: pytest.FixtureRequest
) -> None:
    """An ordinary user's sway session (tests/desktop/wayland.py): the start-up script, or sway
    itself, starts a 1 GiB game, the installed tray and a leak beside each other. The tray's
    item is in swaybar, its menu lists the apps; the warnings name the leak, never the game; at
    the close level the leak is paused, and mako and the tray's menu say so; Close in that menu
    closes it; the game, sway, swaybar and mako live."""
    missing = wayland.missing_programs()
    if missing:
        pytest.fail(f"the Wayland test desktop needs {', '.join(missing)}", pytrace=False)
    session = wayland.WaylandSession(mode)
    try:
        session.start()
        game = session.pid_of_file("game.pid")
        wait_until(lambda: session.sni_items(), 60, "the tray's item in swaybar's watcher")
        service, _, path = session.sni_items()[0].partition("/")
        item = ("org.kde.StatusNotifierItem", f"/{path or 'StatusNotifierItem'}")
        assert session.get_property(service, item[1], item[0], "Title") == "MemWarden"
        wait_until(lambda: session.name_owner_pid(monitor_c.BUS_NAME) is not None, 60,
                   "the monitor, activated for the tray")  # fmt: skip
        # The kill point 1.5 GiB below what is free now: the leak's 100 MiB/s gets there in
        # about 15 s; the game's 1 GiB stays as it is.
        avail = available_mib()
        session.write_thresholds(warn_mib=avail - 600, close_mib=avail - 1536,
                                 kill_mib=avail - 1800)  # fmt: skip
        monitor_pid = session.name_owner_pid(monitor_c.BUS_NAME)
        wait_until(lambda: session.get_property(monitor_c.BUS_NAME, monitor_c.OBJECT_PATH,
                                                monitor_c.INTERFACE, "Thresholds")["close"]
                   == (avail - 1536) << 20, 30, "the monitor's new thresholds")  # fmt: skip
        menu_path = session.get_property(service, item[1], item[0], "Menu")
        session.call(service, menu_path, "com.canonical.dbusmenu", "AboutToShow", "i", [0])
        layout = session.call(service, menu_path, "com.canonical.dbusmenu", "GetLayout", "iias",
                              [0, -1, []])  # fmt: skip
        assert "game.py" in str(layout) and "leak.py" in str(layout), layout
        desktop = {name: session.pids_of(name) for name in ("sway", "swaybar", "mako")}
        assert all(desktop.values()), desktop
        # Who is who, as the monitor sees it: from the socket, the bus and its own pid.
        (doc,) = session.call(monitor_c.BUS_NAME, monitor_c.OBJECT_PATH, monitor_c.INTERFACE,
                              "GetSnapshot")  # fmt: skip
        roles = {int(pid): role for app in json.loads(doc)["apps"]
                 for pid, role in app["desktop_pids"].items()}  # fmt: skip
        tray = session.name_owner_pid("io.github.memwarden.MemWarden")
        assert roles.get(tray) == "self" and roles.get(monitor_pid) == "self", roles
        assert roles.get(desktop["sway"][0]) == "display-server", roles
        assert roles.get(desktop["mako"][0]) == "bus-name", roles
        assert roles.get(desktop["swaybar"][0]) == "bus-name", roles
        assert game not in roles and session.pid_of_file("leak.pid") not in roles

        session.go()
        leak = session.pid_of_file("leak.pid")
        assert leak is not None
        # At the close level the growing leak is paused, not closed: stopped, listed by the
        # monitor, and on screen (a notification that stays, the menu's first entries).
        wait_until(lambda: wayland.process_state(leak) in ("T", ""), 90, "the leak paused")
        assert wayland.process_state(leak) == "T", "the leak ended instead of being paused"
        paused = json.loads(session.get_property(monitor_c.BUS_NAME, monitor_c.OBJECT_PATH,
                                                 monitor_c.INTERFACE, "PausedApps"))  # fmt: skip
        assert [leak] == [pid for entry in paused for pid in entry["app"]["pids"]], paused
        wait_until(lambda: any("leak.py was paused" in n["summary"]
                               for n in session.mako_list()), 30, "mako showing the pause")
        wait_until(lambda: not any("will be closed" in n["summary"] for n in session.mako_list()),
                   10, "the warning withdrawn: while paused, nothing is closed")  # fmt: skip
        shots = Path(os.environ.get("MEMWARDEN_SCREENSHOTS") or REPO / "out" / "screenshots")
        shots.mkdir(parents=True, exist_ok=True)
        session.screenshot(shots / f"wayland-{mode}.png")
        assert wayland.alive(leak)  # paused, nothing lost, until the person chooses
        # The person chooses Close in the tray's menu (swaybar sends the click over dbusmenu).
        session.click_menu_item(service, menu_path, "leak.py", "Close")
        wait_until(lambda: not wayland.alive(leak), 30, "the leak closed")

        assert game is not None and wayland.alive(game), "the game was closed"
        for name, pids in desktop.items():
            assert all(wayland.alive(p) for p in pids), f"{name} was closed"
        assert session.name_owner_pid(monitor_c.BUS_NAME) == monitor_pid  # still guarding
        notes = session.ui_events_of("notification")
        warnings = [n for n in notes if n.get("key", "").startswith("warning")]
        assert warnings, notes
        assert all("leak.py" in w["summary"] + w["body"] for w in warnings), warnings
        assert not any("game.py" in n["summary"] + n["body"] for n in notes), notes
        shown = session.mako_list()
        assert any("leak.py" in n["summary"] + n["body"] for n in shown), shown
    except BaseException:
        request.node.add_report_section("call", "wayland session", session.logs())
        raise
    finally:
        session.stop()


def test_purge_leaves_nothing_behind(installed_deb: InstalledDeb) -> None:
    # A running helper, which the package's prerm must stop (a call activates it, and it would
    # stay for its idle timeout).
    run(
        "dbus-send", "--system", "--print-reply", f"--dest={helper_c.BUS_NAME}",
        helper_c.OBJECT_PATH, f"{helper_c.INTERFACE}.GetVersion", **as_nobody(),
    )  # fmt: skip
    assert deb_lib.helper_owner_pid() is not None
    deb_lib.purge()
    assert not deb_lib.is_installed()
    assert run("dpkg-query", "-W", deb_lib.PACKAGE, check=False).returncode != 0
    assert [f for f in installed_deb.files if Path(f).exists() and not Path(f).is_dir()] == []
    assert sorted(deb_lib.snapshot() ^ installed_deb.before) == []
    assert deb_lib.memwarden_processes() == []
    assert sorted(Path("/var/lib/dpkg/info").glob(f"{deb_lib.PACKAGE}.*")) == []
