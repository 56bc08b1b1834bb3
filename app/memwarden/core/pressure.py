# SPDX-License-Identifier: GPL-3.0-or-later
"""PSI: `/proc/pressure/memory` and cgroup `memory.pressure` (Documentation/accounting/psi.rst)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from memwarden.core.errors import ParseError


@dataclass(frozen=True, slots=True)
class PressureLine:
    """One ``some``/``full`` line: running averages in percent and the cumulative stall time."""

    avg10_pct: float
    avg60_pct: float
    avg300_pct: float
    stall_total_us: int


@dataclass(frozen=True, slots=True)
class Pressure:
    """Both lines of a pressure file. ``full`` is ``None`` for ``cpu`` on kernels before 5.13."""

    some: PressureLine
    full: PressureLine | None


def _parse_line(fields: list[str]) -> PressureLine:
    kv: dict[str, str] = {}
    for field in fields:
        key, sep, value = field.partition("=")
        if not sep:
            raise ParseError(f"pressure: field {field!r} has no '='")
        kv[key] = value
    try:
        return PressureLine(
            avg10_pct=float(kv["avg10"]),
            avg60_pct=float(kv["avg60"]),
            avg300_pct=float(kv["avg300"]),
            stall_total_us=int(kv["total"]),
        )
    except KeyError as exc:
        raise ParseError(f"pressure: missing {exc.args[0]}") from None
    except ValueError as exc:
        raise ParseError(f"pressure: {exc}") from None


def parse_pressure(text: str) -> Pressure:
    """Parse a PSI file.

    Raises:
        ParseError: no ``some`` line, or a malformed field.
    """
    lines: dict[str, PressureLine] = {}
    for line in text.splitlines():
        fields = line.split()
        if not fields:
            continue
        if fields[0] in ("some", "full"):
            lines[fields[0]] = _parse_line(fields[1:])
    if "some" not in lines:
        raise ParseError("pressure: no 'some' line")
    return Pressure(some=lines["some"], full=lines.get("full"))


def worst_pressure(a: Pressure | None, b: Pressure | None) -> Pressure | None:
    """Line by line, the more stalled of two readings (e.g. the system's and the user's cgroup)."""
    if a is None or b is None:
        return a or b

    def worse(x: PressureLine | None, y: PressureLine | None) -> PressureLine | None:
        if x is None or y is None:
            return x or y
        return x if x.avg10_pct >= y.avg10_pct else y

    some = worse(a.some, b.some)
    assert some is not None
    return Pressure(some=some, full=worse(a.full, b.full))


def read_pressure_file(path: Path) -> Pressure | None:
    """Read a cgroup ``memory.pressure``; None when it vanished or cannot be read."""
    try:
        return parse_pressure(path.read_text())
    except (OSError, ParseError):
        return None


def read_memory_pressure(proc_root: Path = Path("/proc")) -> Pressure | None:
    """Read the system's memory PSI, or ``None`` when PSI is off.

    Kernels built with ``CONFIG_PSI_DEFAULT_DISABLED`` and booted without ``psi=1`` have no file or
    fail the read with ``EOPNOTSUPP``; that is a configuration, not an error.
    """
    try:
        text = (proc_root / "pressure" / "memory").read_text()
    except OSError:
        return None
    return parse_pressure(text)
