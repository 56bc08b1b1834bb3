# SPDX-License-Identifier: GPL-3.0-or-later
"""systemd/XDG app unit names: which app a process's cgroup path says it belongs to.

Desktops put each launched app into a unit of its own under the user manager
(``/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope``). The
naming rules (systemd ``docs/DESKTOP_ENVIRONMENTS.md``, docs/kernel-memory.md §8.1) and what real
launchers produce:

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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

UnitKind = Literal["scope", "service"]
"""The systemd unit types that hold processes and can be an app."""

UnitScheme = Literal["app", "snap", "dbus", "plain"]
"""How the unit name was read: XDG ``app-…``, snapd, D-Bus activation, or a plain unit name."""

XdgSlice = Literal["app", "session", "background"]
"""The three slices of systemd's desktop convention (its docs/DESKTOP_ENVIRONMENTS.md)."""

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
