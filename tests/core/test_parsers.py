# SPDX-License-Identifier: GPL-3.0-or-later
"""The /proc parsers: real files from this machine, hand-made edge cases, and fuzzing.

Every parser either returns a result or raises ParseError: no other exception, whatever the text.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memwarden.core.errors import ParseError
from memwarden.core.meminfo import parse_meminfo, read_meminfo
from memwarden.core.mounts import RamFsTable, parse_mountinfo
from memwarden.core.oom import oom_badness_pages, oom_score
from memwarden.core.pid_fds import FdKind, classify_target
from memwarden.core.pid_maps import parse_mapped_objects, parse_smaps_pss
from memwarden.core.pid_stat import parse_pid_stat
from memwarden.core.pid_status import parse_pid_capabilities, parse_pid_status
from memwarden.core.pressure import parse_pressure
from memwarden.core.sysvipc import parse_sysvipc_shm

SELF = Path("/proc/self")

MOUNTINFO = """\
22 1 0:21 / / rw,relatime - ext4 /dev/sda1 rw
30 22 0:26 / /dev/shm rw,nosuid,nodev - tmpfs tmpfs rw,size=8g
31 22 0:27 / /run/user/1000 rw,nosuid,nodev,relatime - tmpfs tmpfs rw,mode=700,uid=1000
32 22 0:28 / /mnt/with\\040space rw - tmpfs tmpfs rw
33 22 8:2 / /home rw - ext4 /dev/sda2 rw
"""


def ram_fs() -> RamFsTable:
    return RamFsTable(parse_mountinfo(MOUNTINFO))


# -- stat -----------------------------------------------------------------------------------------


def test_stat_of_this_process():
    stat = parse_pid_stat((SELF / "stat").read_text())
    assert stat.pid == os.getpid()
    assert stat.ppid == os.getppid()
    assert stat.session == os.getsid(0)
    assert not stat.kernel_thread


def test_stat_comm_with_spaces_and_parens():
    line = "4242 (a) (b c)) S 1 4242 4242 0 -1 4194560 " + " ".join(["0"] * 12) + " 777 rest"
    stat = parse_pid_stat(line)
    assert stat.comm == "a) (b c)"
    assert stat.state == "S"
    assert stat.ppid == 1
    assert stat.starttime_ticks == 777


def test_stat_kernel_thread_flag():
    line = "2 (kthreadd) S 0 0 0 0 -1 2129984 " + " ".join(["0"] * 12) + " 5"
    assert parse_pid_stat(line).kernel_thread


@pytest.mark.parametrize("text", ["", "12 comm S 1", "x (c) S 1 2 3 4 5 6", "1 (c) S a b c d e f"])
def test_stat_garbage(text):
    with pytest.raises(ParseError):
        parse_pid_stat(text)


# -- status ---------------------------------------------------------------------------------------

STATUS = """\
Name:\tfirefox
Umask:\t0022
State:\tS (sleeping)
Uid:\t1000\t1000\t1000\t1000
VmRSS:\t  912340 kB
RssAnon:\t  700001 kB
RssFile:\t  200003 kB
RssShmem:\t   12336 kB
VmPTE:\t    4104 kB
VmSwap:\t   51212 kB
"""


def test_status_fields():
    s = parse_pid_status(STATUS)
    assert (s.name, s.uid, s.has_mm) == ("firefox", 1000, True)
    assert (s.rss_anon_kib, s.rss_file_kib, s.rss_shmem_kib) == (700001, 200003, 12336)
    assert (s.swap_kib, s.page_tables_kib) == (51212, 4104)
    assert s.rss_kib == 912340


def test_status_kernel_thread_has_no_mm():
    s = parse_pid_status("Name:\tkworker/0:1\nUid:\t0\t0\t0\t0\nThreads:\t1\n")
    assert not s.has_mm and s.rss_kib == 0


def test_status_of_this_process():
    s = parse_pid_status((SELF / "status").read_text())
    assert s.uid == os.getuid() and s.has_mm and s.rss_kib > 0
    assert s.tgid == os.getpid() and s.uid_columns == 4
    assert s.uids == (os.getuid(), os.geteuid(), *os.getresuid()[2:], os.geteuid())


def test_status_says_how_many_uids_it_saw_and_the_thread_group():
    """The owner check needs all four uids: a short Uid line is padded, and says so."""
    full = parse_pid_status("Name:\tx\nTgid:\t41\nUid:\t1000\t0\t1000\t1000\n")
    assert (full.uids, full.uid_columns, full.tgid) == ((1000, 0, 1000, 1000), 4, 41)
    short = parse_pid_status("Name:\tx\nUid:\t1000\n")
    assert (short.uids, short.uid_columns, short.tgid) == ((1000, 1000, 1000, 1000), 1, None)
    with pytest.raises(ParseError):
        parse_pid_status("Name:\tx\nTgid:\tmany\nUid:\t0\n")


CAPS = """\
Name:\tmemwarden-helpe
Uid:\t0\t0\t0\t0
CapInh:\t0000000000000000
CapPrm:\t000001ffffffffff
CapEff:\t0000000001000002
CapBnd:\t000001ffffffffff
CapAmb:\t0000000000000000
NoNewPrivs:\t1
"""


def test_capabilities():
    caps = parse_pid_capabilities(CAPS)
    assert (caps.effective, caps.inheritable, caps.no_new_privs) == (0x1000002, 0, True)
    assert caps.permitted == caps.bounding == (1 << 41) - 1
    # NoNewPrivs is Linux 4.10+: without the line the flag is unset.
    assert not parse_pid_capabilities(CAPS.replace("NoNewPrivs:\t1\n", "")).no_new_privs
    # A Cap line first in the text is found too.
    assert parse_pid_capabilities(CAPS[CAPS.index("CapInh"):]).effective == 0x1000002
    for broken in (CAPS.replace("CapBnd", "CapXyz"), CAPS.replace("0000000001000002", "zz")):
        with pytest.raises(ParseError):
            parse_pid_capabilities(broken)


def test_capabilities_of_this_process():
    caps = parse_pid_capabilities((SELF / "status").read_text())
    eff = next(line for line in (SELF / "status").read_text().splitlines() if "CapEff" in line)
    assert caps.effective == int(eff.split()[1], 16)


# -- oom replica ----------------------------------------------------------------------------------


def test_oom_score_baseline_and_extremes():
    s = parse_pid_status(STATUS)
    total = (24 * 1024 * 1024) // 4  # 24 GiB of 4 KiB pages, no swap
    badness = oom_badness_pages(s, 0, total, 4096, global_init=False)
    assert badness == (912340 + 51212 + 4104) // 4
    assert oom_score(badness, total) == (1000 + badness * 1000 // total) * 2 // 3
    assert oom_badness_pages(s, -1000, total, 4096, global_init=False) is None
    assert oom_badness_pages(s, 0, total, 4096, global_init=True) is None
    assert oom_score(None, total) == 0
    tiny = parse_pid_status("Name:\tx\nUid:\t0\nRssAnon:\t4 kB\nRssFile:\t0 kB\nRssShmem:\t0 kB\n")
    assert oom_score(oom_badness_pages(tiny, 0, total, 4096, global_init=False), total) == 666
    # adj=-999: badness * 1000 / totalpages = -998.9 truncates toward zero in C (-998, score
    # (1000 - 998) * 2 / 3 = 1); Python's floor division would give -999 and a score of 0.
    low = oom_badness_pages(tiny, -999, total, 4096, global_init=False)
    assert low == 1 - 999 * (total // 1000)
    assert oom_score(low, total) == 1


# -- meminfo, pressure ----------------------------------------------------------------------------


def test_meminfo_of_this_machine():
    m = read_meminfo()
    assert 0 < m.mem_available_kib <= m.mem_total_kib
    assert m.oom_total_pages(4096) == (m.mem_total_kib + m.swap_total_kib) // 4


def test_meminfo_without_memavailable_falls_back_to_memfree():
    m = parse_meminfo("MemTotal: 100 kB\nMemFree: 40 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n")
    assert m.mem_available_kib == 40


def test_pressure_lines():
    p = parse_pressure(
        "some avg10=1.25 avg60=0.50 avg300=0.10 total=123456\n"
        "full avg10=0.75 avg60=0.25 avg300=0.05 total=65432\n"
    )
    assert (p.some.avg10_pct, p.some.avg60_pct, p.some.stall_total_us) == (1.25, 0.5, 123456)
    assert p.full is not None and p.full.avg300_pct == 0.05 and p.full.stall_total_us == 65432


def test_pressure_without_full_line():
    assert parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n").full is None


# -- mounts, fds, maps ----------------------------------------------------------------------------


def test_mountinfo_unescapes_and_finds_ram_mounts():
    table = ram_fs()
    assert {m.mount_point for m in table.ram_mounts} == {
        "/dev/shm", "/run/user/1000", "/mnt/with space"}
    assert table.is_ram_backed("/dev/shm/pulse-shm-1")
    assert table.is_ram_backed("/mnt/with space/f")
    assert not table.is_ram_backed("/dev/shmx")
    assert not table.is_ram_backed("/home/u/file")
    assert os.major(table.mount_of("/dev/shm/x").dev) == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("/memfd:wayland-shm (deleted)", FdKind.MEMFD),
        ("/dev/shm/x (deleted)", FdKind.TMPFS),
        ("/run/user/1000/pulse/native", FdKind.TMPFS),
        ("/dmabuf:", FdKind.DMABUF),
        ("anon_inode:dmabuf", FdKind.DMABUF),
        ("/dev/dri/renderD128", FdKind.DRM),
        ("/SYSV0000abcd (deleted)", FdKind.SYSV),
        ("socket:[12345]", FdKind.OTHER),
        ("pipe:[1]", FdKind.OTHER),
        ("/home/u/.cache/x", FdKind.OTHER),
    ],
)
def test_fd_classification(target, kind):
    assert classify_target(target, ram_fs()) is kind


SMAPS = """\
55d0c0000000-55d0c0021000 r--p 00000000 08:01 393 /usr/bin/python3.11
Size:                132 kB
Rss:                 132 kB
Pss:                  66 kB
VmFlags: rd mr mw me dw sd
7f84101da000-7f84133da000 rw-s 00000000 00:01 1032                       /memfd:guard-test (deleted)
Size:              51200 kB
KernelPageSize:        4 kB
Rss:               40960 kB
Pss:               30720 kB
Shared_Clean:          0 kB
VmFlags: rd wr sh mr mw me ms sd
7f8413400000-7f8413500000 rw-s 00000000 00:1a 77 /dev/shm/pulse-shm-4 (deleted)
Size:               1024 kB
Rss:                  12 kB
Pss:                   6 kB
VmFlags: rd wr sh mr mw me ms sd
7f8413600000-7f8413700000 rw-s 00000000 00:01 1032                       /memfd:guard-test (deleted)
Size:               1024 kB
Rss:                1024 kB
Pss:                1000 kB
7f8413800000-7f8413900000 rw-s 00000000 00:08 9 /dmabuf:
Size:               1024 kB
Rss:                   0 kB
Pss:                   0 kB
"""


def test_smaps_pss_is_summed_per_object():
    table = RamFsTable(parse_mountinfo(MOUNTINFO.replace("0:26", "0:26")))
    pss = parse_smaps_pss(SMAPS, table)
    assert pss[(os.makedev(0, 1), 1032)] == 30720 + 1000
    assert pss[(os.makedev(0, 0x1A), 77)] == 6
    assert (os.makedev(8, 1), 393) not in pss


def test_maps_objects_kinds_and_sizes():
    objs = parse_mapped_objects(SMAPS, ram_fs())
    kinds = [(o.kind, o.ino, o.size_bytes, o.shared) for o in objs]
    assert (FdKind.MEMFD, 1032, 0x3200000, True) in kinds
    assert (FdKind.TMPFS, 77, 0x100000, True) in kinds
    assert (FdKind.DMABUF, 9, 0x100000, True) in kinds
    assert all(o.path != "/usr/bin/python3.11" for o in objs)


def test_maps_and_smaps_of_this_process_parse():
    from memwarden.core.mounts import read_mount_table

    table = read_mount_table()
    parse_mapped_objects((SELF / "maps").read_text(), table)
    parse_smaps_pss((SELF / "smaps").read_text(), table)


def test_sysvipc_by_header():
    text = (
        "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid"
        "  cgid      atime      dtime      ctime                   rss                  swap\n"
        "         0         42   600              67108864  1234  1234      2     0     0     0"
        "     0 1700000000          0 1700000000              33554432               4096\n"
    )
    (seg,) = parse_sysvipc_shm(text)
    assert (seg.shmid, seg.size_bytes, seg.creator_pid, seg.attach_count) == (42, 67108864, 1234, 2)
    assert (seg.rss_bytes, seg.swap_bytes) == (33554432, 4096)


def test_sysvipc_of_this_machine_parses():
    parse_sysvipc_shm(Path("/proc/sysvipc/shm").read_text())


# -- fuzzing: only ParseError may escape ----------------------------------------------------------

FRAGMENTS = st.sampled_from([
    "Name:", "Uid:", "RssAnon:", "VmSwap:", "\t", " ", "\n", "kB", "12", "-1", "x", "(", ")",
    "some", "full", "avg10=", "total=", "=", "MemTotal:", "SwapFree:", "MemFree:", "SwapTotal:",
    " - ", "tmpfs", "0:1", "/dev/shm", "\\040", "7f0-7f1", "rw-s", "/memfd:a", "Pss:", "00:01",
    "key", "shmid", "size", "cpid", "nattch", "uid", "rss", "swap", "Tgid:", "CapEff:",
    "CapPrm:", "CapInh:", "CapBnd:", "NoNewPrivs:",
])
TEXTS = st.one_of(st.text(), st.lists(FRAGMENTS, max_size=40).map("".join))


def _only_parse_errors(fn, text):
    with contextlib.suppress(ParseError):
        fn(text)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_fuzz_parsers(text):
    for fn in (parse_pid_stat, parse_pid_status, parse_meminfo, parse_pressure, parse_mountinfo,
               parse_sysvipc_shm, parse_pid_capabilities):
        _only_parse_errors(fn, text)
    _only_parse_errors(lambda t: parse_mapped_objects(t, ram_fs()), text)
    _only_parse_errors(lambda t: parse_smaps_pss(t, ram_fs()), text)


def test_worst_pressure_takes_the_more_stalled_line():
    from memwarden.core.pressure import worst_pressure

    system = parse_pressure("some avg10=5.00 avg60=0 avg300=0 total=1\n"
                            "full avg10=1.00 avg60=0 avg300=0 total=1\n")
    user = parse_pressure("some avg10=2.00 avg60=0 avg300=0 total=2\n"
                          "full avg10=9.00 avg60=0 avg300=0 total=2\n")
    worst = worst_pressure(system, user)
    assert worst is not None and worst.some is system.some and worst.full is user.full
    assert worst_pressure(None, user) is user and worst_pressure(system, None) is system
