# SPDX-License-Identifier: GPL-3.0-or-later
"""A real desktop scene for the window's tests and screenshots: real processes holding real
memory, scanned by the real :class:`~memwarden.core.scanner.Scanner`.

Apps with .desktop entries of their own (so they have names, a kind and an icon name):

- "Photo Indexer" writes a memfd it never maps: the kernel cannot see it, MemWarden can;
- "SuperTuxKart" (a game) holds ordinary anonymous memory: the kernel would kill it first;
- "Notes", "Mail" and "Music Player" hold a little anonymous memory;

plus a file left in /dev/shm that no process holds (an orphan). The rest of the table is whatever
runs on the machine. Sizes are small and fixed; :meth:`Scene.stop` kills everything it started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memwarden.core import report
from memwarden.core.desktop_index import DesktopIndex
from memwarden.core.mounts import read_mount_table
from memwarden.core.orphans import read_orphans
from memwarden.core.policy import Rules
from memwarden.core.scanner import Scanner
from memwarden.core.settings import Settings, saved_values
from memwarden.core.snapshot import Snapshot
from memwarden.core.sysvipc import read_sysvipc_shm
from memwarden.core.threshold_bytes import thresholds_dict, thresholds_for

MiB = 1024 * 1024

_HOG = textwrap.dedent(
    """
    import os, signal, sys
    kind, mib = sys.argv[1], int(sys.argv[2])
    keep = []
    if kind == "memfd":                      # written, never mapped: the OOM killer is blind to it
        fd = os.memfd_create("photo-thumbnail-cache")
        chunk = b"\\x5a" * (1 << 20)
        for _ in range(mib):
            os.write(fd, chunk)
        keep.append(fd)
    else:
        keep.append(b"\\x01" * (mib << 20))
    print("ready", flush=True)
    while True:
        signal.pause()
    """
)

_APPS = (
    # (program, desktop Name, Categories, Icon, kind of memory, MiB)
    ("photo-indexer", "Photo Indexer", "Graphics;", "image-x-generic", "memfd", 320),
    ("supertuxkart", "SuperTuxKart", "Game;", "applications-games", "anon", 240),
    ("notes", "Notes", "Utility;", "accessories-text-editor", "anon", 64),
    ("mail", "Mail", "Network;Email;", "internet-mail", "anon", 96),
    ("music-player", "Music Player", "AudioVideo;Audio;", "multimedia-audio-player", "anon", 40),
)

#: The names the scene's apps show (the scan is of the whole machine: other apps may be there).
APP_NAMES = frozenset(name for _program, name, *_rest in _APPS)

ORPHAN_MIB = 48


@dataclass
class Scene:
    """The started processes and files; :attr:`doc` is the snapshot document (no rules yet:
    every app ``normal``), :attr:`scan` the scan it was made from."""

    folder: Path
    processes: list[subprocess.Popen[str]] = field(default_factory=list)
    orphan: Path | None = None
    doc: dict[str, Any] = field(default_factory=dict)
    scan: Snapshot | None = None

    def app(self, name: str) -> dict[str, Any]:
        """The snapshot entry of one of the scene's apps, by display name."""
        return next(a for a in self.doc["apps"] if a["name"] == name)

    def stop(self) -> None:
        """Kill the processes and delete the orphan file."""
        for proc in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            if proc.stdout:
                proc.stdout.close()
        self.processes.clear()
        if self.orphan is not None:
            self.orphan.unlink(missing_ok=True)
        for path in sorted(self.folder.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        self.folder.rmdir()


def start_scene() -> Scene:
    """Start the scene's processes, leave the orphan, scan; returns the running scene."""
    scene = Scene(Path(tempfile.mkdtemp(prefix="memwarden-scene-")))
    try:
        applications = scene.folder / "share" / "applications"
        applications.mkdir(parents=True)
        for program, name, categories, icon, kind, mib in _APPS:
            script = scene.folder / program
            script.write_text(_HOG)
            (applications / f"{program}.desktop").write_text(
                "[Desktop Entry]\nType=Application\n"
                f"Name={name}\nExec={program} %U\nIcon={icon}\nCategories={categories}\n"
            )
            # Its own session: an app of its own, as if started from the desktop.
            proc = subprocess.Popen(
                [sys.executable, str(script), kind, str(mib)],
                stdout=subprocess.PIPE, text=True, start_new_session=True,
            )  # fmt: skip
            scene.processes.append(proc)
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError(f"{program} did not start")
        shm = Path("/dev/shm")
        if shm.is_dir():
            scene.orphan = shm / f"memwarden-scene-{uuid.uuid4().hex[:8]}.cache"
            with scene.orphan.open("wb") as f:
                for _ in range(ORPHAN_MIB):
                    f.write(b"\x33" * MiB)
        scene.scan, scene.doc = scan(DesktopIndex.load([scene.folder / "share"]))
    except BaseException:
        scene.stop()
        raise
    return scene


def scan(desktop: DesktopIndex) -> tuple[Snapshot, dict[str, Any]]:
    """A full scan of this machine, and the document the monitor's GetSnapshot makes of it
    while the person has no rules."""
    proc = Path("/proc")
    snap = Scanner(proc, desktop_index=desktop, with_nvidia=False).scan(full=True)
    orphans = read_orphans(
        snap.held_shmem_keys, read_mount_table("self", proc), read_sysvipc_shm(proc)
    )
    return snap, report.snapshot_json(snap, orphans, rules=Rules())


def monitor_properties(doc: dict[str, Any], config_path: Path | None = None) -> dict[str, Any]:
    """The monitor's properties as a calm monitor would announce them for this snapshot."""
    system = doc["system"]
    th = thresholds_for(Settings(), system["mem_total"], system["swap_total"])
    psi = system.get("psi_memory") or {}
    victim = next(
        (a["id"] for a in doc["apps"] if a["kind"] != "session" and a["uid"] == os.getuid()), ""
    )
    return {
        "State": "calm",
        "AvailableBytes": system["mem_available"] + system["swap_free"],
        "EtaSeconds": -1.0,
        "PressureSomeAvg10": float((psi.get("some") or {}).get("avg10", 0.0)),
        "PressureFullAvg10": float((psi.get("full") or {}).get("avg10", 0.0)),
        "NextVictim": victim,
        "Thresholds": thresholds_dict(th),
        "Paused": False,
        "HelperStatus": "no-helper",
        "ConfigError": "",
        "ConfigPath": str(config_path) if config_path else "",
        "AppRules": {},
        "Version": "0.1.0",
        "SelfGuard": {},
        "Settings": saved_values(Settings()),
        "SettingsFromFlags": [],
    }
