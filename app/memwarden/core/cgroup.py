# SPDX-License-Identifier: GPL-3.0-or-later
"""``/proc/PID/cgroup``, systemd/XDG app unit names, and the few cgroup v2 files MemWarden reads.

Why cgroups matter: memfd and tmpfs pages are charged to the memcg of the task that allocated them
(reference/kernel-memory.md §5.6), so an app's own scope is the one place where its hidden memory is
counted, and ``cgroup.kill`` on that scope kills the whole app without racing forks (§7.2).

Desktops put each launched app into a unit of its own under the user manager
(``/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope``). The
naming rules (systemd ``docs/DESKTOP_ENVIRONMENTS.md``, reference §8.1) and what real launchers
produce:

==========================  ===============================================================
GNOME (gnome-desktop)       ``app-gnome-<escaped app id>-<pid>.scope``
Flatpak                     ``app-flatpak-<escaped app id>-<pid>.scope``
KDE (KIO)                   ``app-<escaped app id>@<random>.service`` or ``app-<id>-<random>.scope``
systemd doc examples        ``app-<launcher>-<app id>-<RANDOM>.service`` (``app-KDE-…``)
XDG autostart generator     ``app-<escaped app id>@autostart.service``
COSMIC, UWSM, others        ``app-<launcher>-<app id>-<random>.scope``
snapd                       ``snap.<snap>.<app>-<uuid>.scope`` (the escaped security tag)
D-Bus activation            ``app-dbus\\x2d:1.2\\x2d<name>.slice/dbus-:1.2-<name>@0.service``
GNOME Terminal / VTE, tmux  ``vte-spawn-<uuid>.scope``, ``tmux-spawn-<uuid>.scope``: one *tab*, not
                            an app (the shell and its jobs); grouping falls back to the tree
==========================  ===============================================================

Escaping: launchers escape the app id with systemd's unit-name escaping: every byte outside
``[A-Za-z0-9:_.]`` becomes ``\\xNN`` (gnome-desktop ``gnome-systemd.c``), so a raw ``-`` in the name
is always a separator. The launcher part is ambiguous: ``app-org.gnome.Evince-12345.scope`` has no
launcher, and its trailing ``-12345`` is the random part. We read a leading segment as the launcher
when it is a known launcher or when three ``-``-separated parts remain (an app id "must not contain
a ``-``").

This machine is a hybrid system: the memory controller is cgroup v1 (``4:memory:/…``) and the v2
hierarchy (``/sys/fs/cgroup/unified``) has no controllers, so there is no ``memory.current`` there.
Every reader here returns ``None`` instead of failing in that case.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from memwarden.core.errors import AccessDenied, ParseError, translate_os_errors

UnitKind = Literal["scope", "service"]
"""The systemd unit types that hold processes and can be an app."""

UnitScheme = Literal["app", "snap", "dbus", "plain"]
"""How the unit name was read: XDG ``app-…``, snapd, D-Bus activation, or a plain unit name."""

XdgSlice = Literal["app", "session", "background"]
"""The three slices of systemd's desktop convention (DESKTOP_ENVIRONMENTS.md)."""

KNOWN_LAUNCHERS = frozenset(
    {
        "gnome",
        "flatpak",
        "KDE",
        "kde",
        "cosmic",
        "xfce",
        "budgie",
        "cinnamon",
        "mate",
        "lxqt",
        "sway",
        "hyprland",
        "Hyprland",
        "niri",
        "wayfire",
        "labwc",
        "river",
        "uwsm",
    }
)
"""Launcher segments seen in ``app-<launcher>-<id>-<random>`` names; a two-part name like
``app-gnome-1234.scope`` still reads as app id ``gnome`` (there is no app id otherwise)."""

# Units that hold processes but are not an app: the user manager itself, login sessions (the
# session leader and whatever a non-systemd session starts), and terminal-tab scopes whose jobs are
# separate apps. Grouping falls back to the process tree for these.
_NOT_APP_UNIT = re.compile(
    r"^(?:init\.scope|session-[^/]*\.scope|user@[0-9]+\.service|vte-spawn-[^/]*\.scope"
    r"|tmux-spawn-[^/]*\.scope)$"
)
_UNIT_SUFFIX = re.compile(r"^(?P<stem>.+)\.(?P<kind>scope|service)$")
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_SNAP = re.compile(r"^snap\.(?P<snap>[^.]+)\.(?P<app>.+?)-(?P<rand>" + _UUID + r"|[^-]+)\.scope$")
_SNAP_SERVICE = re.compile(r"^snap\.(?P<snap>[^.]+)\.(?P<app>[^@]+)\.service$")
_DBUS = re.compile(r"^dbus-:(?P<bus>[0-9.]+)-(?P<name>[^@]+)@(?P<n>[^@]*)\.service$")
_USER_MANAGER = re.compile(r"^user@(?P<uid>[0-9]+)\.service$")
_RANDOM_SERVICE_SUFFIX = re.compile(r"^(?:[0-9]+|[0-9a-fA-F]{6,})$")
_HEX_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})")


@dataclass(frozen=True, slots=True)
class V1Hierarchy:
    """One cgroup v1 line of ``/proc/PID/cgroup``: ``N:controllers:path``.

    Attributes:
        hierarchy_id: The hierarchy number (``N``).
        controllers: The controllers bound to it, e.g. ``("cpu", "cpuacct")`` or
            ``("name=systemd",)`` for systemd's named hierarchy.
        path: The cgroup path in that hierarchy.
    """

    hierarchy_id: int
    controllers: tuple[str, ...]
    path: str


@dataclass(frozen=True, slots=True)
class PidCgroups:
    """The parsed ``/proc/PID/cgroup``.

    Attributes:
        v2: The cgroup v2 path (the ``0::`` line), or ``None`` when the kernel printed no such
            line: it prints one only once a cgroup2 hierarchy has been mounted.
        v1: The cgroup v1 lines, in file order (empty on a pure v2 system).
    """

    v2: str | None
    v1: tuple[V1Hierarchy, ...] = ()

    def v1_path(self, controller: str) -> str | None:
        """The path of the v1 hierarchy that has ``controller`` (e.g. ``"memory"``), or ``None``."""
        for line in self.v1:
            if controller in line.controllers:
                return line.path
        return None

    @property
    def memory_v1(self) -> str | None:
        """The v1 memory controller path (hybrid/legacy systems such as this machine)."""
        return self.v1_path("memory")

    @property
    def unit_path(self) -> str | None:
        """The path to read systemd units from: the v2 path, or on legacy v1 systemd the
        ``name=systemd`` path, which has the same unit layout.

        On a hybrid system systemd tracks processes in the v2 hierarchy; on a pure legacy one the
        ``0::`` line is missing or ``/`` and only ``name=systemd`` has the units.
        """
        if self.v2 is not None and self.v2 != "/":
            return self.v2
        named = self.v1_path("name=systemd")
        if named is not None and named != "/":
            return named
        return self.v2


@dataclass(frozen=True, slots=True)
class AppUnit:
    """The systemd unit that holds a process, read as an app.

    Attributes:
        app_id: The application id, unescaped: ``google-chrome`` from
            ``app-gnome-google\\x2dchrome-4242.scope``, ``org.kde.okular`` from
            ``app-org.kde.okular@a1b2c3d4e5.service``, ``firefox_firefox`` for snap (the snap's
            desktop id is ``<snap>_<app>.desktop``), the bus name for D-Bus activation, and the unit
            name without suffix and ``@instance`` for a plain unit (``pipewire``).
        unit: The unit name as it appears in the path (still escaped).
        kind: ``"scope"`` or ``"service"``.
        launcher: ``"gnome"``, ``"flatpak"``, ``"KDE"``, ``"snap"``, ``"dbus"``, …; ``None`` when
            the name has no launcher part.
        instance: The random part (``4242``, a uuid, the ``@instance`` of a service), if any.
        cgroup: The unit's full cgroup path, up to and including the unit (sub-cgroups a
            delegated unit created below it are cut off): the directory of its ``memory.current``
            and ``cgroup.kill``.
        slice: Which XDG slice under the user manager holds the unit, or ``None`` (system units,
            other layouts).
        scheme: How the name was read: ``"app"`` (XDG ``app-…``), ``"snap"``, ``"dbus"``, or
            ``"plain"`` (any other unit; the id is only its name).
    """

    app_id: str
    unit: str
    kind: UnitKind
    launcher: str | None
    instance: str | None
    cgroup: str
    slice: XdgSlice | None
    scheme: UnitScheme

    @property
    def stem(self) -> str:
        """The unescaped unit name without ``.scope``/``.service``: unique per manager."""
        return systemd_unescape(self.unit.rsplit(".", 1)[0])


def systemd_unescape(text: str) -> str:
    """Undo systemd unit-name escaping (``\\x2d`` → ``-``).

    Escaping works on UTF-8 bytes (``é`` is ``\\xc3\\xa9``), so the bytes are rebuilt first and then
    decoded; a sequence that is not valid UTF-8 becomes U+FFFD rather than a lone surrogate, which
    could not cross D-Bus. A ``\\`` not followed by ``x`` and two hex digits is kept as it is.
    """
    if "\\" not in text:
        return text
    out = bytearray()
    pos = 0
    for match in _HEX_ESCAPE.finditer(text):
        out += text[pos : match.start()].encode("utf-8", "surrogateescape")
        out.append(int(match.group(1), 16))
        pos = match.end()
    out += text[pos:].encode("utf-8", "surrogateescape")
    return out.decode("utf-8", "replace")


def parse_pid_cgroup(text: str) -> PidCgroups:
    """Parse ``/proc/PID/cgroup`` (cgroups(7)): ``hierarchy-ID:controller-list:cgroup-path``.

    The path is everything after the second ``:`` (it may itself contain ``:``, e.g. D-Bus unit
    names like ``dbus-:1.2-org.gnome.Nautilus@0.service``).

    Raises:
        ParseError: a line has fewer than two ``:`` or a non-numeric hierarchy id.
    """
    v2: str | None = None
    v1: list[V1Hierarchy] = []
    for line in text.split("\n"):
        if not line:
            continue
        parts = line.split(":", 2)
        if len(parts) != 3:
            raise ParseError(f"cgroup: line {line!r} is not 'id:controllers:path'")
        ident, controllers, path = parts
        if not ident.isascii() or not ident.isdigit() or len(ident) > 10:
            raise ParseError(f"cgroup: hierarchy id {ident!r} is not a number")
        if ident == "0" and controllers == "":
            v2 = path
        else:
            v1.append(V1Hierarchy(int(ident), tuple(c for c in controllers.split(",") if c), path))
    return PidCgroups(v2=v2, v1=tuple(v1))


def read_pid_cgroups(pid: int, root: Path = Path("/proc")) -> PidCgroups:
    """Read and parse ``<root>/PID/cgroup``.

    Raises:
        ProcessGone: the process does not exist (any more).
        AccessDenied: the file cannot be read.
        ParseError: the file has an unexpected format.
    """
    with translate_os_errors():
        text = (root / str(pid) / "cgroup").read_text(errors="surrogateescape")
    return parse_pid_cgroup(text)


def _xdg_slice(components: list[str]) -> XdgSlice | None:
    """The XDG slice right below the user manager (``user@UID.service``), if any."""
    for i, comp in enumerate(components[:-1]):
        if _USER_MANAGER.match(comp):
            nxt = components[i + 1]
            if nxt == "app.slice":
                return "app"
            if nxt == "session.slice":
                return "session"
            if nxt == "background.slice":
                return "background"
            return None
    return None


def _split_app_body(body: str, kind: UnitKind) -> tuple[str | None, str, str | None]:
    """Split the part between ``app-`` and the suffix into (launcher, escaped app id, random)."""
    instance: str | None = None
    if "@" in body:
        body, instance = body.split("@", 1)
    parts = body.split("-")
    random: str | None = None
    if instance is not None:
        random = instance
    elif len(parts) >= 2 and (kind == "scope" or _RANDOM_SERVICE_SUFFIX.match(parts[-1])):
        random = parts.pop()
    launcher: str | None = None
    if len(parts) >= 2 and (parts[0] in KNOWN_LAUNCHERS or len(parts) == 2):
        # Two parts left: an app id cannot contain a raw '-', so the first is the launcher.
        # More than two: the id itself had unescaped '-' (a non-conforming launcher); take the
        # first part as launcher only when we know it.
        launcher = parts.pop(0)
    return launcher, "-".join(parts), random


def parse_app_unit(path: str) -> AppUnit | None:
    """Find the unit holding a process from its cgroup path and read it as an app.

    The innermost ``.scope``/``.service`` component is the unit; components below it are
    sub-cgroups a delegated unit made itself. Returns ``None`` when there is no unit, or when the
    unit is not an app: ``init.scope``, login ``session-N.scope``, ``user@UID.service``, and
    terminal-tab scopes (``vte-spawn-…``, ``tmux-spawn-…``), whose processes are grouped by the
    process tree instead. Never raises: any text is either a unit or not.

    A plain unit (``pipewire.service``, ``run-u12.scope``, ``docker-<id>.scope``) is returned with
    ``scheme="plain"``; a plain unit inside an ``app-<id>.slice`` (``app-org.gnome.Terminal.slice/
    gnome-terminal-server.service``) takes the slice's app id but keeps its own cgroup, so that
    killing it never reaches sibling tab scopes.
    """
    components = [c for c in path.split("/") if c]
    unit_index = -1
    for i in range(len(components) - 1, -1, -1):
        if _UNIT_SUFFIX.match(components[i]):
            unit_index = i
            break
    if unit_index < 0:
        return None
    unit = components[unit_index]
    if _NOT_APP_UNIT.match(unit):
        return None
    suffix = _UNIT_SUFFIX.match(unit)
    assert suffix is not None  # matched in the loop above
    stem = suffix.group("stem")
    kind: UnitKind = "scope" if suffix.group("kind") == "scope" else "service"
    head = components[: unit_index + 1]
    cgroup = "/" + "/".join(head)
    slice_ = _xdg_slice(head)

    def make(
        app_id: str, launcher: str | None, instance: str | None, scheme: UnitScheme
    ) -> AppUnit:
        return AppUnit(
            app_id=app_id,
            unit=unit,
            kind=kind,
            launcher=launcher,
            instance=instance,
            cgroup=cgroup,
            slice=slice_,
            scheme=scheme,
        )

    if stem.startswith("app-") and len(stem) > 4:
        launcher, escaped_id, random = _split_app_body(stem[4:], kind)
        if escaped_id:
            return make(systemd_unescape(escaped_id), launcher, random, "app")
    if (snap := _SNAP.match(unit)) is not None:
        app_id = systemd_unescape(f"{snap.group('snap')}_{snap.group('app')}")
        return make(app_id, "snap", snap.group("rand"), "snap")
    if (snap_service := _SNAP_SERVICE.match(unit)) is not None:
        app_id = systemd_unescape(f"{snap_service.group('snap')}_{snap_service.group('app')}")
        return make(app_id, "snap", None, "snap")
    if (dbus := _DBUS.match(unit)) is not None:
        return make(systemd_unescape(dbus.group("name")), "dbus", dbus.group("n"), "dbus")
    # A plain unit. Inside an app-<id>.slice (not a D-Bus activation slice, handled above) the
    # slice names the app.
    parent = components[unit_index - 1] if unit_index > 0 else ""
    if parent.startswith("app-") and parent.endswith(".slice") and len(parent) > len("app-.slice"):
        body = parent[4 : -len(".slice")]
        launcher, escaped_id, _ = _split_app_body(body, "service")
        if escaped_id and not escaped_id.startswith("dbus"):
            name_instance = stem.split("@", 1)[1] if "@" in stem else None
            return make(systemd_unescape(escaped_id), launcher, name_instance, "app")
    name, _, instance = stem.partition("@")
    if not name:
        return None
    return make(systemd_unescape(name), None, instance or None, "plain")


# --- cgroup v2 files --------------------------------------------------------------------------

_MOUNTINFO_ESCAPE = re.compile(r"\\([0-7]{3})")


def _unescape_mountinfo(field: str) -> str:
    # The kernel escapes space, tab, newline and backslash in mountinfo as octal (show_mountinfo,
    # mangle()).
    return _MOUNTINFO_ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), field)


@dataclass(frozen=True, slots=True)
class Cgroup2Mount:
    """Where the cgroup v2 hierarchy is mounted.

    Attributes:
        mount_point: The directory, e.g. ``/sys/fs/cgroup`` (``/sys/fs/cgroup/unified`` on hybrid
            systems like this one).
        hierarchy_root: Which cgroup of the hierarchy is mounted there (field 4 of mountinfo);
            ``/`` except for bind mounts and some containers.
    """

    mount_point: Path
    hierarchy_root: str = "/"

    def dir_of(self, cgroup: str) -> Path | None:
        """The directory of a cgroup path from ``/proc/PID/cgroup``, or ``None`` when it lies
        outside this mount, is relative, or has ``..`` components (paths of processes in another
        cgroup namespace look like ``/../..``; following them could leave the mount)."""
        if not cgroup.startswith("/"):
            return None
        parts = [p for p in cgroup.split("/") if p]
        if any(p in (".", "..") for p in parts):
            return None
        root_parts = [p for p in self.hierarchy_root.split("/") if p]
        if parts[: len(root_parts)] != root_parts:
            return None
        return self.mount_point.joinpath(*parts[len(root_parts) :])


def parse_cgroup2_mount(mountinfo: str, fs_root: Path = Path("/")) -> Cgroup2Mount | None:
    """Find the cgroup2 mount in ``/proc/self/mountinfo`` text (proc(5)).

    Line format: ``ID parent major:minor root mount-point options [optional…] - fstype source
    super-options``. With several cgroup2 mounts, the one whose root is ``/`` wins, and among those
    ``/sys/fs/cgroup`` (then ``/sys/fs/cgroup/unified``), then the first.

    Args:
        mountinfo: The file's text.
        fs_root: Prefix for the mount point, so a recorded tree can stand in for ``/``.

    Raises:
        ParseError: a line lacks the ``-`` separator or has too few fields.
    """
    found: list[tuple[str, str]] = []
    for line in mountinfo.split("\n"):
        if not line.strip():
            continue
        fields = line.split(" ")
        try:
            sep = fields.index("-", 6)
        except ValueError:
            raise ParseError(f"mountinfo: no ' - ' separator in {line!r}") from None
        if len(fields) < sep + 2:
            raise ParseError(f"mountinfo: no filesystem type in {line!r}")
        if fields[sep + 1] == "cgroup2":
            found.append((_unescape_mountinfo(fields[3]), _unescape_mountinfo(fields[4])))
    if not found:
        return None

    def rank(item: tuple[str, str]) -> tuple[int, int]:
        root, point = item
        preferred = {"/sys/fs/cgroup": 0, "/sys/fs/cgroup/unified": 1}.get(point, 2)
        return (0 if root == "/" else 1, preferred)

    root, point = min(found, key=rank)
    return Cgroup2Mount(mount_point=fs_root / point.lstrip("/"), hierarchy_root=root)


def read_cgroup2_mount(
    proc: Path = Path("/proc"), fs_root: Path = Path("/")
) -> Cgroup2Mount | None:
    """Read ``<proc>/self/mountinfo`` and find the cgroup2 mount; ``None`` when there is none."""
    with translate_os_errors():
        text = (proc / "self" / "mountinfo").read_text(errors="surrogateescape")
    return parse_cgroup2_mount(text, fs_root)


def _read_optional(path: Path) -> str | None:
    """Text of a cgroup file, or ``None`` when it does not exist (controller off, cgroup gone)."""
    try:
        return path.read_text()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except PermissionError as exc:
        raise AccessDenied(str(exc)) from exc
    except OSError as exc:
        # ENODEV: the cgroup was removed after open (kernfs deactivated the node).
        if exc.errno in (errno.ENODEV, errno.ENOENT):
            return None
        raise


def read_cgroup2_controllers(cgroup_dir: Path) -> frozenset[str] | None:
    """The controllers available in a v2 cgroup (``cgroup.controllers``), or ``None`` when the
    directory is not a v2 cgroup. On this machine the v2 root lists none, so no ``memory``."""
    text = _read_optional(cgroup_dir / "cgroup.controllers")
    if text is None:
        return None
    return frozenset(text.split())


def parse_memory_current(text: str) -> int:
    """Parse ``memory.current``: one decimal number of bytes (cgroup-v2.rst).

    Raises:
        ParseError: not a non-negative integer.
    """
    value = text.strip()
    # 30 digits is far above any byte count and keeps int() below its digit limit.
    if not value.isascii() or not value.isdigit() or len(value) > 30:
        raise ParseError(f"memory.current: {value[:40]!r} is not a byte count")
    return int(value)


def read_memory_current_bytes(cgroup_dir: Path) -> int | None:
    """Read ``memory.current`` of a v2 cgroup in bytes.

    Returns ``None`` when the file does not exist: the memory controller is not enabled for this
    cgroup (this machine: v1 memory controller), the cgroup is the root (which has no
    ``memory.current``), or it was removed meanwhile.

    Raises:
        AccessDenied: the file cannot be read.
        ParseError: the file has an unexpected format.
    """
    text = _read_optional(cgroup_dir / "memory.current")
    return None if text is None else parse_memory_current(text)


def has_memory_pressure(cgroup_dir: Path) -> bool:
    """Whether the cgroup has ``memory.pressure`` (PSI per cgroup, CONFIG_PSI).

    PSI files exist in every v2 cgroup even without the memory controller (seen here: the v2 root
    on this hybrid machine has ``memory.pressure`` but no ``memory.current``).
    """
    return (cgroup_dir / "memory.pressure").is_file()
