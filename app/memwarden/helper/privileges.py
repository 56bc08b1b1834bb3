# SPDX-License-Identifier: GPL-3.0-or-later
"""Keep only the two capabilities the helper needs, wherever it was started.

Under systemd, ``memwarden-helper.service`` bounds the helper to CAP_DAC_OVERRIDE and
CAP_SYS_RESOURCE (the unit explains each). Without systemd (another init, or a dbus-daemon that
runs ``Exec=`` itself), D-Bus activation starts it as plain root with every capability, and a
hijacked helper could then do anything root can. So the helper drops the rest itself, at start,
before it touches the bus:

1. the bounding set, so that nothing it could ever exec regains them (needs CAP_SETPCAP, which
   systemd's unit does not grant: there the unit has done this already);
2. its permitted, effective and inheritable sets, with ``capset(2)``;
3. ``PR_SET_NO_NEW_PRIVS``, so no setuid or file capability can add any back.

``capset`` is in systemd's ``@privileged`` system-call group, which the unit filters out with
EPERM: a refusal there is expected and harmless as long as no unwanted capability is left.
"""

from __future__ import annotations

import ctypes
import errno
from pathlib import Path

from memwarden.core.pid_status import PidCapabilities, read_pid_capabilities
from memwarden.helper.kernel import NEEDED

# include/uapi/linux/capability.h and prctl.h
CAP_SETPCAP = 8
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _prctl(libc: ctypes.CDLL, option: int, arg: int) -> int:
    # prctl(2) is variadic and reads its arguments as unsigned long: pass them at that width.
    zero = ctypes.c_ulong(0)
    return int(libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg), zero, zero, zero))


def _last_error() -> str:
    number = ctypes.get_errno()
    return errno.errorcode.get(number, str(number))


def drop_unneeded_capabilities(proc_root: Path) -> tuple[PidCapabilities, list[str]]:
    """Drop every capability but :data:`NEEDED` from every set, then forbid new privileges.

    Args:
        proc_root: The procfs, where the sets are read (``self/status``) and the highest
            capability number (``sys/kernel/cap_last_cap``).

    Returns:
        The sets afterwards, and what could not be done (notes like ``"capset: EPERM"``) for
        the log. The caller decides what an unwanted capability left over means.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    problems: list[str] = []
    before = read_pid_capabilities("self", proc_root)
    if before.effective >> CAP_SETPCAP & 1:
        last_cap = int((proc_root / "sys/kernel/cap_last_cap").read_text())
        unwanted_bounding = before.bounding & ~NEEDED
        for cap in range(last_cap + 1):
            if unwanted_bounding >> cap & 1 and _prctl(libc, _PR_CAPBSET_DROP, cap) != 0:
                problems.append(f"bounding {cap}: {_last_error()}")
    keep = before.permitted & NEEDED  # a capability not permitted now cannot be added
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)(
        _CapData(keep & 0xFFFFFFFF, keep & 0xFFFFFFFF, 0),
        _CapData(keep >> 32, keep >> 32, 0),
    )
    if libc.capset(ctypes.byref(header), data) != 0:
        problems.append(f"capset: {_last_error()}")
    if _prctl(libc, _PR_SET_NO_NEW_PRIVS, 1) != 0:
        problems.append(f"no_new_privs: {_last_error()}")
    return read_pid_capabilities("self", proc_root), problems
