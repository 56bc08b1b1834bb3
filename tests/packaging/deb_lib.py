# SPDX-License-Identifier: GPL-3.0-or-later
"""Tools of the .deb test: build it, install it for real, look at the machine, purge it.

The system bus and polkitd come from the suite's ``system_bus`` fixture (tests/conftest.py,
helper_sysbus.py). That fixture installs its own copies of three files the .deb ships too (the
helper's polkit policy, bus policy and activation file, the last one running this checkout);
:class:`LiftedFiles` takes them away while the package is installed and puts them back after,
so that the package's files are the ones in force, and the before/after listings compare only
what the package did.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import helper_sysbus

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "memwarden"
APP_ID = "io.github.memwarden.MemWarden"
VENV = Path("/usr/lib/memwarden/venv")
VENV_PYTHON = VENV / "bin" / "python3"

#: Where a package like ours puts files; listed before the install and after the purge.
SNAPSHOT_ROOTS = (
    Path("/usr/lib/memwarden"),
    Path("/usr/share/applications"),
    Path("/usr/share/icons"),
    Path("/usr/share/metainfo"),
    Path("/usr/share/dbus-1"),
    Path("/usr/share/polkit-1"),
    Path("/usr/share/doc/memwarden"),
    Path("/usr/share/memwarden"),
    Path("/etc/xdg/autostart"),
    Path("/usr/lib/systemd"),
)
#: Caches other packages' dpkg triggers rewrite whenever a package adds an icon or a desktop
#: entry (hicolor-icon-theme, desktop-file-utils); they are theirs, not leftovers of ours.
TRIGGER_CACHES = frozenset({"icon-theme.cache", "mimeinfo.cache"})


def run(
    *cmd: str | Path, check: bool = True, timeout: float = 120, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure raise AssertionError with its output."""
    proc: subprocess.CompletedProcess[str] = subprocess.run(
        [str(a) for a in cmd], capture_output=True, text=True, timeout=timeout, check=False,
        **kwargs,
    )  # fmt: skip
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))}: rc={proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def wait_for(what: str, probe: Callable[[], object], timeout_s: float = 20.0) -> None:
    """Poll until ``probe()`` is truthy; AssertionError after ``timeout_s``."""
    try:
        helper_sysbus.wait_for(what, probe, timeout_s)
    except helper_sysbus.BringUpError as exc:
        raise AssertionError(str(exc)) from None


def project() -> dict[str, object]:
    """``[project]`` of pyproject.toml."""
    with open(REPO / "pyproject.toml", "rb") as f:
        doc: dict[str, object] = tomllib.load(f)["project"]
    return doc


def is_installed() -> bool:
    proc = run("dpkg-query", "-W", "-f=${Status}", PACKAGE, check=False)
    return proc.stdout.strip() == "install ok installed"


def dpkg_owner(path: Path) -> str | None:
    """The package that ships ``path``, or None.

    Merged /usr: the file may be known to dpkg as /lib/... or /usr/lib/..., whichever the
    package shipped, and a library may be reached through a symlink.
    """
    candidates = {path, Path(str(path).removeprefix("/usr")), Path("/usr" + str(path))}
    if path.exists():
        real = path.resolve()
        candidates |= {real, Path(str(real).removeprefix("/usr"))}
    proc = run("dpkg-query", "-S", *sorted(candidates), check=False)
    for line in proc.stdout.splitlines():
        package, _, shipped = line.partition(": ")
        if Path(shipped) in candidates and "," not in package and " " not in package:
            return package.split(":", 1)[0]  # "libegl1:amd64" -> "libegl1"
    return None


def build_deb(out_dir: Path) -> Path:
    """``make deb`` with zstd (seconds instead of xz's minute); returns the .deb's path."""
    proc = run(
        "make", "--no-print-directory", "-C", REPO, "deb", "DEB_COMPRESS=zstd",
        f"DEB_OUT={out_dir}", timeout=600,
    )  # fmt: skip
    deb = Path(proc.stdout.strip().splitlines()[-1])
    assert deb.parent == out_dir and deb.suffix == ".deb", proc.stdout
    return deb


def install_dependencies(deb: Path, work: Path) -> None:
    """Install the .deb's Depends first, so that the listings compare only the package itself."""
    depends = run("dpkg-deb", "--field", deb, "Depends").stdout
    names = [d.strip() for d in depends.split(",")]
    # The package declares plain names; scripts/install-debian-packages takes nothing else.
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", n) for n in names), depends
    listing = work / "depends.txt"
    listing.write_text("\n".join(names) + "\n")
    run("bash", REPO / "scripts" / "install-debian-packages", listing, timeout=900)


def apt_get(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """apt-get, waiting for dpkg's lock when something else is installing packages."""
    return run(
        "apt-get", "-o", "DPkg::Lock::Timeout=300", "-y", "--no-install-recommends", *args,
        timeout=600, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )  # fmt: skip


def snapshot() -> set[str]:
    """Every file, link and directory under :data:`SNAPSHOT_ROOTS` and /usr/bin/memwarden*."""
    found: set[str] = set()
    for root in SNAPSHOT_ROOTS:
        if not root.exists():
            continue
        found.add(str(root))
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                if name not in TRIGGER_CACHES:
                    found.add(os.path.join(dirpath, name))
    found.update(str(p) for p in Path("/usr/bin").glob("memwarden*"))
    return found


def memwarden_processes() -> list[tuple[int, list[str]]]:
    """Processes running the installed package (its venv or its programs)."""
    programs = {f"/usr/bin/{name}" for name in project()["scripts"]}  # type: ignore[attr-defined]
    hits = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if any(a.startswith(f"{VENV.parent}/") or a in programs for a in argv):
            hits.append((int(entry.name), argv))
    return hits


def stop_pid(pid: int, timeout_s: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``timeout_s``; for processes the test started itself."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists():
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def helper_owner_pid() -> int | None:
    pid: int | None = helper_sysbus.name_owner_pid("io.github.memwarden.Helper1")
    return pid


@dataclass
class InstalledDeb:
    """The package as installed by the ``installed_deb`` fixture."""

    deb: Path
    before: set[str]  # snapshot() before the install
    files: list[str]  # dpkg -L after the install


@dataclass
class LiftedFiles:
    """The system-bus fixture's copies of files the .deb ships, taken away and put back."""

    saved: dict[Path, bytes] = field(default_factory=dict)

    TARGETS = (helper_sysbus.POLICY_TARGET, helper_sysbus.CONF_TARGET, helper_sysbus.SERVICE_TARGET)

    def lift(self) -> None:
        for target in self.TARGETS:
            if target.exists() and dpkg_owner(target) is None:
                self.saved[target] = target.read_bytes()
                target.unlink()
        helper_sysbus.bus_call("org.freedesktop.DBus.ReloadConfig")

    def restore(self) -> None:
        for target, content in self.saved.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            target.chmod(0o644)
        self.saved.clear()
        helper_sysbus.bus_call("org.freedesktop.DBus.ReloadConfig", check=False)


def install(deb: Path) -> subprocess.CompletedProcess[str]:
    return apt_get("install", deb)


def purge() -> subprocess.CompletedProcess[str]:
    return apt_get("purge", PACKAGE)


def desktop_entry(path: Path) -> dict[str, str]:
    """The [Desktop Entry] group's keys (comments and other groups skipped)."""
    keys: dict[str, str] = {}
    group = None
    for line in path.read_text().splitlines():
        if line.startswith("["):
            group = line
        elif group == "[Desktop Entry]" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            keys[key.strip()] = value.strip()
    return keys


def ini_values(path: Path, key: str) -> list[str]:
    """Every value of ``key=`` in a systemd unit or D-Bus service file."""
    return [
        line.split("=", 1)[1].strip()
        for line in path.read_text().splitlines()
        if line.startswith(f"{key}=")
    ]
