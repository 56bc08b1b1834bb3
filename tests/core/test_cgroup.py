# SPDX-License-Identifier: GPL-3.0-or-later
"""cgroup parsing: /proc/PID/cgroup, app unit names for every launcher, the v2 mount and files."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memwarden.core.app_units import AppUnit, parse_app_unit, systemd_unescape
from memwarden.core.cgroup2 import (
    Cgroup2Mount,
    has_memory_pressure,
    parse_cgroup2_mount,
    parse_memory_current,
    read_cgroup2_controllers,
    read_cgroup2_mount,
    read_memory_current_bytes,
)
from memwarden.core.errors import ParseError, ProcessGone
from memwarden.core.pid_cgroup import PidCgroups, V1Hierarchy, parse_pid_cgroup, read_pid_cgroups

USER = "/user.slice/user-1000.slice/user@1000.service"

# This machine's /proc/self/cgroup (hybrid: v1 controllers, memory among them, and an empty v2
# hierarchy), recorded when this test was written.
THIS_MACHINE_CGROUP = (
    "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
    "4:memory:/process_api/a9cd030cdf151270a74ffaef2eacd6f5\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n"
    "0::/\n"
)
THIS_MACHINE_MOUNTINFO = (
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
)


# --- /proc/PID/cgroup -------------------------------------------------------------------------


def test_this_machines_hybrid_cgroup_file() -> None:
    cg = parse_pid_cgroup(THIS_MACHINE_CGROUP)
    assert cg.v2 == "/"
    assert cg.memory_v1 == "/process_api/a9cd030cdf151270a74ffaef2eacd6f5"
    assert cg.v1_path("name=systemd") == "/"
    assert cg.v1_path("cpuacct") == "/"
    assert cg.v1_path("hugetlb") is None
    assert len(cg.v1) == 9
    assert cg.v1[0] == V1Hierarchy(9, ("name=systemd",), "/")
    # No unit anywhere: grouping falls back to the process tree here.
    assert cg.unit_path == "/"
    assert parse_app_unit(cg.unit_path) is None


def test_pure_v2_and_combined_controllers() -> None:
    path = f"{USER}/app.slice/app-gnome-firefox-4242.scope"
    cg = parse_pid_cgroup(f"0::{path}\n")
    assert cg.v2 == path and cg.v1 == () and cg.unit_path == path
    cg = parse_pid_cgroup("3:cpu,cpuacct:/a\n2:memory:/b\n")
    assert cg.v2 is None
    assert cg.v1_path("cpuacct") == "/a" and cg.memory_v1 == "/b"


def test_legacy_systemd_named_hierarchy_is_the_unit_path() -> None:
    """Pure v1 systemd: no (or a root) 0:: line, the units are in name=systemd."""
    path = f"{USER}/app.slice/app-gnome-firefox-4242.scope"
    cg = parse_pid_cgroup(f"4:memory:{path}\n1:name=systemd:{path}\n0::/\n")
    assert cg.unit_path == path
    cg = parse_pid_cgroup(f"1:name=systemd:{path}\n")
    assert cg.v2 is None and cg.unit_path == path
    # On a hybrid system the v2 path is authoritative.
    cg = parse_pid_cgroup(f"1:name=systemd:/other\n0::{path}\n")
    assert cg.unit_path == path


def test_path_with_colons_is_kept_whole() -> None:
    path = (
        f"{USER}/app.slice/app-dbus\\x2d:1.2\\x2dorg.gnome.Nautilus.slice/"
        "dbus-:1.2-org.gnome.Nautilus@0.service"
    )
    assert parse_pid_cgroup(f"0::{path}\n").v2 == path


def test_empty_file_has_no_cgroups() -> None:
    assert parse_pid_cgroup("") == parse_pid_cgroup("\n") == PidCgroups(v2=None, v1=())


@pytest.mark.parametrize("text", ["garbage\n", "1:memory\n", "x::/\n", "-1::/\n", "1" * 20 + "::/"])
def test_malformed_lines_raise(text: str) -> None:
    with pytest.raises(ParseError):
        parse_pid_cgroup(text)


def test_read_real_self_and_gone_process() -> None:
    cg = read_pid_cgroups(os.getpid())
    assert cg == parse_pid_cgroup(Path("/proc/self/cgroup").read_text())
    with pytest.raises(ProcessGone):
        read_pid_cgroups(2**22 + 1)  # above pid_max's hard limit (4194304): never exists


def test_read_from_a_recorded_tree(tmp_path: Path) -> None:
    (tmp_path / "77").mkdir()
    (tmp_path / "77" / "cgroup").write_text(THIS_MACHINE_CGROUP)
    assert read_pid_cgroups(77, root=tmp_path).memory_v1 is not None


# --- app unit names ---------------------------------------------------------------------------


def unit(
    app_id: str,
    name: str,
    kind: str,
    launcher: str | None,
    instance: str | None,
    prefix: str,
    slice_: str | None,
    scheme: str,
) -> AppUnit:
    return AppUnit(
        app_id=app_id,
        unit=name,
        kind=kind,  # type: ignore[arg-type]
        launcher=launcher,
        instance=instance,
        cgroup=f"{prefix}/{name}",
        slice=slice_,  # type: ignore[arg-type]
        scheme=scheme,  # type: ignore[arg-type]
    )


APP = f"{USER}/app.slice"
UNIT_CASES = [
    # GNOME: launcher, escaped '-' in the id, pid as the random part.
    (
        f"{APP}/app-gnome-google\\x2dchrome-4242.scope",
        unit("google-chrome", "app-gnome-google\\x2dchrome-4242.scope", "scope", "gnome", "4242",
             APP, "app", "app"),
    ),
    # Flatpak.
    (
        f"{APP}/app-flatpak-org.mozilla.firefox-31337.scope",
        unit("org.mozilla.firefox", "app-flatpak-org.mozilla.firefox-31337.scope", "scope",
             "flatpak", "31337", APP, "app", "app"),
    ),
    # KDE KIO service with @random.
    (
        f"{APP}/app-org.kde.okular@a1b2c3d4e5.service",
        unit("org.kde.okular", "app-org.kde.okular@a1b2c3d4e5.service", "service", None,
             "a1b2c3d4e5", APP, "app", "app"),
    ),
    # systemd doc example: launcher and random on a service.
    (
        f"{APP}/app-KDE-org.kde.okular-12345.service",
        unit("org.kde.okular", "app-KDE-org.kde.okular-12345.service", "service", "KDE", "12345",
             APP, "app", "app"),
    ),
    # The ambiguity: no launcher, the trailing number is the random part.
    (
        f"{APP}/app-org.gnome.Evince-12345.scope",
        unit("org.gnome.Evince", "app-org.gnome.Evince-12345.scope", "scope", None, "12345", APP,
             "app", "app"),
    ),
    # Unknown launcher with the full three parts (COSMIC).
    (
        f"{APP}/app-cosmic-com.system76.CosmicFiles-36675.scope",
        unit("com.system76.CosmicFiles", "app-cosmic-com.system76.CosmicFiles-36675.scope",
             "scope", "cosmic", "36675", APP, "app", "app"),
    ),
    # XDG autostart generator.
    (
        f"{APP}/app-org.gnome.Evolution\\x2dalarm\\x2dnotify@autostart.service",
        unit("org.gnome.Evolution-alarm-notify",
             "app-org.gnome.Evolution\\x2dalarm\\x2dnotify@autostart.service", "service", None,
             "autostart", APP, "app", "app"),
    ),
    # snap: <snap>_<app> like its desktop id; the random part is a uuid.
    (
        f"{APP}/snap.firefox.firefox-6c0e2b8e-5a0f-4a4e-9d43-6bd2a1c1b6f1.scope",
        unit("firefox_firefox", "snap.firefox.firefox-6c0e2b8e-5a0f-4a4e-9d43-6bd2a1c1b6f1.scope",
             "scope", "snap", "6c0e2b8e-5a0f-4a4e-9d43-6bd2a1c1b6f1", APP, "app", "snap"),
    ),
    (
        f"{APP}/snap.code\\x2dinsiders.code\\x2dinsiders-1f2e3d4c-0000-1111-2222-333344445555.scope",
        unit("code-insiders_code-insiders",
             "snap.code\\x2dinsiders.code\\x2dinsiders-1f2e3d4c-0000-1111-2222-333344445555.scope",
             "scope", "snap", "1f2e3d4c-0000-1111-2222-333344445555", APP, "app", "snap"),
    ),
    # D-Bus activation: the bus name is the app id.
    (
        f"{APP}/app-dbus\\x2d:1.2\\x2dorg.gnome.Nautilus.slice/dbus-:1.2-org.gnome.Nautilus@0.service",
        unit("org.gnome.Nautilus", "dbus-:1.2-org.gnome.Nautilus@0.service", "service", "dbus",
             "0", f"{APP}/app-dbus\\x2d:1.2\\x2dorg.gnome.Nautilus.slice", "app", "dbus"),
    ),
    # A plain service in an app-<id>.slice takes the slice's id and keeps its own cgroup.
    (
        f"{APP}/app-org.gnome.Terminal.slice/gnome-terminal-server.service",
        unit("org.gnome.Terminal", "gnome-terminal-server.service", "service", None, None,
             f"{APP}/app-org.gnome.Terminal.slice", "app", "app"),
    ),
    # session.slice: the shell itself, a template instance.
    (
        f"{USER}/session.slice/org.gnome.Shell@wayland.service",
        unit("org.gnome.Shell", "org.gnome.Shell@wayland.service", "service", None, "wayland",
             f"{USER}/session.slice", "session", "plain"),
    ),
    (
        f"{USER}/session.slice/pipewire.service",
        unit("pipewire", "pipewire.service", "service", None, None, f"{USER}/session.slice",
             "session", "plain"),
    ),
    # background.slice.
    (
        f"{USER}/background.slice/app-gnome-org.gnome.Evolution\\x2dalarm\\x2dnotify-2210.scope",
        unit("org.gnome.Evolution-alarm-notify",
             "app-gnome-org.gnome.Evolution\\x2dalarm\\x2dnotify-2210.scope", "scope", "gnome",
             "2210", f"{USER}/background.slice", "background", "app"),
    ),
    # systemd-run --user --scope: a plain scope.
    (
        f"{APP}/run-r0a1b2c3d4e5f.scope",
        unit("run-r0a1b2c3d4e5f", "run-r0a1b2c3d4e5f.scope", "scope", None, None, APP, "app",
             "plain"),
    ),
    # System units: no XDG slice.
    (
        "/system.slice/system-getty.slice/getty@tty1.service",
        unit("getty", "getty@tty1.service", "service", None, "tty1",
             "/system.slice/system-getty.slice", None, "plain"),
    ),
    # A delegated unit's own sub-cgroups are cut off.
    (
        f"{APP}/app-gnome-podman-77.scope/container/payload",
        unit("podman", "app-gnome-podman-77.scope", "scope", "gnome", "77", APP, "app", "app"),
    ),
    # Two parts and a known launcher name: there is no id without the first part.
    (
        f"{APP}/app-gnome-1234.scope",
        unit("gnome", "app-gnome-1234.scope", "scope", None, "1234", APP, "app", "app"),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("path", "expected"), UNIT_CASES, ids=lambda v: getattr(v, "unit", ""))
def test_app_unit_for_every_launcher(path: str, expected: AppUnit) -> None:
    assert parse_app_unit(path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "",
        "/user.slice/user-1000.slice/session-2.scope",  # a login session, not an app
        f"{USER}/init.scope",  # systemd --user itself
        f"{USER}",  # the manager before it moved itself to init.scope
        f"{APP}/app-org.gnome.Terminal.slice/vte-spawn-0b3c5d9e-4b1a-4c39-8b2e-1c2d3e4f5a6b.scope",
        f"{USER}/tmux-spawn-0b3c5d9e-4b1a-4c39-8b2e-1c2d3e4f5a6b.scope",
        "/process_api/a9cd030cdf151270a74ffaef2eacd6f5",  # this machine's v1 memory path
        f"{APP}",  # a slice holds no processes
        "/init.scope",
    ],
)
def test_not_an_app_unit(path: str) -> None:
    assert parse_app_unit(path) is None


def test_unit_stem_is_unescaped() -> None:
    parsed = parse_app_unit(f"{APP}/app-gnome-google\\x2dchrome-4242.scope")
    assert parsed is not None and parsed.stem == "app-gnome-google-chrome-4242"


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [
        ("google\\x2dchrome", "google-chrome"),
        ("caf\\xc3\\xa9", "café"),  # systemd escapes UTF-8 bytes one by one
        ("org.foo\\x2Dbar", "org.foo-bar"),
        ("bad\\xff", "bad\ufffd"),  # not UTF-8: replaced, never a lone surrogate
        ("half\\x2", "half\\x2"),
        ("back\\slash", "back\\slash"),
        ("", ""),
    ],
)
def test_systemd_unescape(escaped: str, plain: str) -> None:
    assert systemd_unescape(escaped) == plain


# --- v2 mount and files -----------------------------------------------------------------------


def test_this_machines_mountinfo_finds_the_unified_hierarchy() -> None:
    mount = parse_cgroup2_mount(THIS_MACHINE_MOUNTINFO)
    assert mount == Cgroup2Mount(Path("/sys/fs/cgroup/unified"), "/")


def test_mountinfo_preference_escapes_and_fs_root(tmp_path: Path) -> None:
    text = (
        "50 1 0:40 /user.slice /mnt/bind\\040dir rw - cgroup2 cgroup2 rw\n"
        "51 1 0:40 / /sys/fs/cgroup rw shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
    )
    assert parse_cgroup2_mount(text) == Cgroup2Mount(Path("/sys/fs/cgroup"), "/")
    only_bind = parse_cgroup2_mount(text.split("\n")[0], fs_root=tmp_path)
    assert only_bind == Cgroup2Mount(tmp_path / "mnt/bind dir", "/user.slice")
    assert parse_cgroup2_mount("") is None
    assert parse_cgroup2_mount(THIS_MACHINE_MOUNTINFO.replace("cgroup2", "cgroupX")) is None


@pytest.mark.parametrize("text", ["1 2 3 4 5 6\n", "1 2 0:3 / /x rw -\n"])
def test_malformed_mountinfo_raises(text: str) -> None:
    with pytest.raises(ParseError):
        parse_cgroup2_mount(text)


def test_dir_of_maps_cgroup_paths_into_the_mount() -> None:
    mount = Cgroup2Mount(Path("/sys/fs/cgroup"))
    assert mount.dir_of("/") == Path("/sys/fs/cgroup")
    assert mount.dir_of(f"{APP}/a.scope") == Path(f"/sys/fs/cgroup{APP}/a.scope")
    assert mount.dir_of("/../../escape") is None  # another cgroup namespace's view
    assert mount.dir_of("relative") is None
    nested = Cgroup2Mount(Path("/mnt/cg"), "/user.slice")
    assert nested.dir_of("/user.slice/x.scope") == Path("/mnt/cg/x.scope")
    assert nested.dir_of("/system.slice/x.service") is None


def test_read_mount_from_a_recorded_proc(tmp_path: Path) -> None:
    (tmp_path / "self").mkdir()
    (tmp_path / "self" / "mountinfo").write_text(THIS_MACHINE_MOUNTINFO)
    fake_fs = tmp_path / "fs"
    mount = read_cgroup2_mount(proc=tmp_path, fs_root=fake_fs)
    assert mount == Cgroup2Mount(fake_fs / "sys/fs/cgroup/unified", "/")


def test_cgroup_files_on_a_fake_tree(tmp_path: Path) -> None:
    scope = tmp_path / "app.slice" / "app-gnome-firefox-4242.scope"
    scope.mkdir(parents=True)
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (scope / "cgroup.controllers").write_text("memory pids\n")
    (scope / "memory.current").write_text("1327104\n")
    (scope / "memory.pressure").write_text("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
    assert read_cgroup2_controllers(tmp_path) == {"cpuset", "cpu", "io", "memory", "pids"}
    assert read_memory_current_bytes(scope) == 1327104
    assert has_memory_pressure(scope)
    # The v2 root (and any cgroup without the memory controller): no memory.current.
    assert read_memory_current_bytes(tmp_path) is None
    assert not has_memory_pressure(tmp_path)
    # Gone or never a cgroup.
    assert read_memory_current_bytes(tmp_path / "gone.scope") is None
    assert read_cgroup2_controllers(tmp_path / "gone.scope") is None
    (scope / "memory.current").write_text("max\n")
    with pytest.raises(ParseError):
        read_memory_current_bytes(scope)


@pytest.mark.parametrize("text", ["", "-1", "12 34", "1.5", "9" * 31])
def test_parse_memory_current_rejects(text: str) -> None:
    with pytest.raises(ParseError):
        parse_memory_current(text)


def test_this_machines_real_v2_mount() -> None:
    """Real files: the v2 root here has PSI files but (hybrid system) no memory.current."""
    mount = read_cgroup2_mount()
    if mount is None:
        pytest.skip("no cgroup2 mounted")
    root_dir = mount.dir_of("/")
    assert root_dir is not None
    controllers = read_cgroup2_controllers(root_dir)
    assert controllers is not None
    # The root cgroup never has memory.current, whatever the controllers.
    assert read_memory_current_bytes(root_dir) is None
    own = read_pid_cgroups(os.getpid()).v2
    assert own is not None
    own_dir = mount.dir_of(own)
    assert own_dir is not None and (own_dir / "cgroup.procs").is_file()


@pytest.mark.root
def test_real_child_cgroup_with_a_process_in_it() -> None:
    """Make a real v2 cgroup named like an app scope, put a process in it, read it back."""
    mount = read_cgroup2_mount()
    if os.geteuid() != 0 or mount is None or not os.access(mount.mount_point, os.W_OK):
        pytest.skip("needs root and a writable cgroup2 mount")
    top = mount.mount_point / f"memwarden-test-{uuid.uuid4().hex[:12]}"
    scope = top / "app.slice" / "app-gnome-mw\\x2dtest-1.scope"
    scope.mkdir(parents=True)
    child = None
    try:
        child = subprocess.Popen(
            ["bash", "-c", f"echo $$ > '{scope}/cgroup.procs'; exec sleep 30"],
        )
        deadline = time.monotonic() + 10
        while True:
            cg = read_pid_cgroups(child.pid)
            if cg.v2 is not None and cg.v2.endswith(".scope"):
                break
            assert time.monotonic() < deadline, "the child never moved into the scope"
            time.sleep(0.01)
        app = parse_app_unit(cg.v2)
        assert app is not None
        assert app.app_id == "mw-test" and app.launcher == "gnome" and app.slice is None
        assert mount.dir_of(app.cgroup) == scope
        assert has_memory_pressure(scope) is (scope / "memory.pressure").exists()
        root_controllers = read_cgroup2_controllers(mount.mount_point) or frozenset()
        current = read_memory_current_bytes(scope)
        # Only where the memory controller exists (a normal v2 desktop) is there a number.
        assert (current is not None) == (
            "memory" in root_controllers and (scope / "memory.current").exists()
        )
    finally:
        if child is not None:
            child.kill()
            child.wait()
        _remove_cgroups(top)


def _remove_cgroups(top: Path) -> None:
    """rmdir a cgroup tree bottom-up; a just-killed task may take a moment to leave it."""
    deadline = time.monotonic() + 10
    for directory in [*sorted((p for p in top.rglob("*") if p.is_dir()), reverse=True), top]:
        while True:
            try:
                directory.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)


# --- fuzzing ----------------------------------------------------------------------------------


@given(st.text())
def test_fuzz_parse_pid_cgroup(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_pid_cgroup(text)


def _check_app_unit(text: str) -> None:
    result = parse_app_unit(text)
    if result is not None:
        assert result.cgroup.endswith("/" + result.unit)
        assert result.app_id
        assert not result.cgroup.startswith("//")


@given(st.text())
def test_fuzz_parse_app_unit_never_raises(text: str) -> None:
    _check_app_unit(text)


UNIT_TOKENS = [
    "app-", "gnome-", "flatpak-", "KDE-", "snap.", "dbus-:1.2-", "\\x2d", "\\xc3", "@", "-",
    ".scope", ".service", ".slice", "/", "org.foo", "123", "user@1000.service", "app.slice",
    "session.slice", "init.scope", "vte-spawn-", "6c0e2b8e-5a0f-4a4e-9d43-6bd2a1c1b6f1",
]  # fmt: skip


@given(st.lists(st.sampled_from(UNIT_TOKENS), max_size=12).map("".join))
def test_fuzz_parse_app_unit_on_unit_like_text(text: str) -> None:
    _check_app_unit(text)


@given(st.text())
def test_fuzz_systemd_unescape(text: str) -> None:
    out = systemd_unescape(text)
    out.encode("utf-8")  # never a lone surrogate


@given(st.text())
def test_fuzz_parse_cgroup2_mount(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_cgroup2_mount(text)


@given(st.text())
def test_fuzz_parse_memory_current(text: str) -> None:
    with contextlib.suppress(ParseError):
        assert parse_memory_current(text) >= 0
