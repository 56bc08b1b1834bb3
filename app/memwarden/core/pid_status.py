# SPDX-License-Identifier: GPL-3.0-or-later
"""``/proc/PID/status``: owner and the memory counters the OOM killer sums (world-readable), and
the capability sets (what the privileged helper checks of itself)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from memwarden.core.errors import ParseError, translate_os_errors


@dataclass(frozen=True, slots=True)
class PidStatus:
    """The fields of ``/proc/PID/status`` that MemWarden uses.

    ``has_mm`` is False for kernel threads and zombies: the kernel prints the ``Vm*``/``Rss*`` lines
    only when the task has an mm (fs/proc/task_mmu.c ``task_mem``), and ``oom_badness()`` skips a
    task without one.
    """

    name: str
    uid: int
    has_mm: bool
    rss_anon_kib: int
    rss_file_kib: int
    rss_shmem_kib: int
    swap_kib: int
    page_tables_kib: int
    #: Real, effective, saved and filesystem uid (the ``Uid:`` line's four columns).
    uids: tuple[int, int, int, int] = (-1, -1, -1, -1)
    #: How many columns the ``Uid:`` line had: four from the kernel (``uids`` repeats the real uid
    #: for a shorter line, as in a hand-written tree); who must see all four checks this.
    uid_columns: int = 4
    #: The thread group id (``Tgid:``): equal to the pid for a process, another for a thread;
    #: None when the line is missing.
    tgid: int | None = None

    @property
    def rss_kib(self) -> int:
        """``get_mm_rss()``: file + anon + shmem pages (what ``VmRSS`` shows)."""
        return self.rss_anon_kib + self.rss_file_kib + self.rss_shmem_kib


# Kernel field name -> our attribute. RssAnon/RssFile/RssShmem exist since 4.5; VmPTE since 2.6.10.
_KIB_FIELDS = {
    "RssAnon": "rss_anon_kib",
    "RssFile": "rss_file_kib",
    "RssShmem": "rss_shmem_kib",
    "VmSwap": "swap_kib",
    "VmPTE": "page_tables_kib",
}


# The lines we use are found with str.find: a status has some 55 lines, and splitting them all
# was most of the cost of a scan's status reads (a parse took 14 µs that way, 8 µs this way).


def _value(text: str, key: str) -> str | None:
    """The rest of the line that starts with ``key`` (``"\\nName:"``), or None."""
    start = text.find(key)
    if start < 0:
        return None
    end = text.find("\n", start + 1)
    return text[start + len(key) : end if end >= 0 else len(text)]


def parse_pid_status(text: str) -> PidStatus:
    """Parse ``/proc/PID/status``.

    Raises:
        ParseError: ``Name`` or ``Uid`` is missing, or a memory field is not a number.
    """
    # Name is the first line (fs/proc/array.c proc_pid_status).
    name = _value("\n" + text[: text.find("\n") + 1], "\nName:") if text else None
    uid_line = _value(text, "\nUid:")
    if name is None or uid_line is None:
        raise ParseError("status: missing Name or Uid")
    try:
        uids = tuple(int(f) for f in uid_line.split())
    except ValueError:
        raise ParseError("status: Uid is not a number") from None
    if not uids:
        raise ParseError("status: empty Uid line")
    tgid_line = _value(text, "\nTgid:")
    try:
        tgid = int(tgid_line) if tgid_line is not None else None
    except ValueError:
        raise ParseError("status: Tgid is not a number") from None
    kib: dict[str, int] = {}
    for key, attr in _KIB_FIELDS.items():
        value = _value(text, f"\n{key}:")
        if value is None:
            continue  # no mm (kernel thread, zombie), or a kernel without the field
        try:
            kib[attr] = int(value.split()[0])
        except (ValueError, IndexError):
            raise ParseError(f"status: {key} is not a number") from None
    # Four columns since Linux 2.6 (fs/proc/array.c task_state); a short line repeats the real uid.
    four = (*uids, *(uids[0],) * 3)[:4]
    return PidStatus(
        name=name.strip(),
        uid=uids[0],
        uids=(four[0], four[1], four[2], four[3]),
        uid_columns=len(uids),
        tgid=tgid,
        has_mm="rss_anon_kib" in kib,
        rss_anon_kib=kib.get("rss_anon_kib", 0),
        rss_file_kib=kib.get("rss_file_kib", 0),
        rss_shmem_kib=kib.get("rss_shmem_kib", 0),
        swap_kib=kib.get("swap_kib", 0),
        page_tables_kib=kib.get("page_tables_kib", 0),
    )


def read_pid_status(pid: int, proc_root: Path = Path("/proc")) -> PidStatus:
    """Read and parse ``<proc_root>/PID/status`` (ProcessGone/AccessDenied/ParseError)."""
    return parse_pid_status(_read_status_text(pid, proc_root))


def _read_status_text(pid: int | str, proc_root: Path) -> str:
    # Bytes then decode: no newline translation, no pathlib on the hot path (one call per pid).
    with translate_os_errors(), open(f"{proc_root}/{pid}/status", "rb") as f:
        return f.read().decode(errors="surrogateescape")


@dataclass(frozen=True, slots=True)
class PidCapabilities:
    """A task's capability masks and its ``no_new_privs`` flag (the ``Cap*`` lines are hexadecimal
    bit masks indexed by ``CAP_*`` numbers, include/uapi/linux/capability.h)."""

    effective: int
    permitted: int
    inheritable: int
    bounding: int
    no_new_privs: bool


def parse_pid_capabilities(text: str) -> PidCapabilities:
    """Parse the ``CapEff``, ``CapPrm``, ``CapInh``, ``CapBnd`` and ``NoNewPrivs`` lines.

    ``NoNewPrivs`` exists since Linux 4.10; without it the flag reads as unset.

    Raises:
        ParseError: a ``Cap*`` line is missing or not a hexadecimal number.
    """

    text = "\n" + text  # every key is then found as "\nKey:", the first line's too

    def mask(name: str) -> int:
        value = _value(text, f"\n{name}:")
        if value is None:
            raise ParseError(f"status: missing {name}")
        try:
            return int(value.strip(), 16)
        except ValueError:
            raise ParseError(f"status: {name} is not a mask") from None

    no_new_privs = _value(text, "\nNoNewPrivs:")
    return PidCapabilities(
        effective=mask("CapEff"),
        permitted=mask("CapPrm"),
        inheritable=mask("CapInh"),
        bounding=mask("CapBnd"),
        no_new_privs=no_new_privs is not None and no_new_privs.strip() == "1",
    )


def read_pid_capabilities(pid: int | Literal["self"], proc_root: Path) -> PidCapabilities:
    """Read the capability sets of ``<proc_root>/PID/status`` (``"self"``: the calling thread's
    process; ProcessGone/AccessDenied/ParseError)."""
    return parse_pid_capabilities(_read_status_text(pid, proc_root))
