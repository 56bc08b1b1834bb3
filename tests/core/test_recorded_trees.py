# SPDX-License-Identifier: GPL-3.0-or-later
"""The full scanner on the recorded GPU and DMA-buf trees (tests/data/proc, see its README).

Every expected number is worked out by hand from the recorded files:

* ``resident = (RssAnon + RssFile + RssShmem) KiB``, ``swap = VmSwap``, ``page_tables = VmPTE``;
* a DRM client (deduplicated on ``(drm-pdev or driver, drm-client-id)``) splits its system-region
  resident bytes equally among the pids holding an fd to it, VRAM likewise into ``gpu_vram``;
* a dma-buf (deduplicated on its inode) splits its size among pids holding an fd or a mapping;
* ``total = resident + swap + page_tables + shmem + dmabuf + gpu_system`` (VRAM is apart).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from memwarden.core.scanner import Scanner

TREES = Path(__file__).parent.parent / "data" / "proc"
KiB = 1024
MiB = 1024 * KiB


@cache
def scan(case: str):
    # The recorded machines have 4 KiB pages, whatever this one has.
    return Scanner(proc_root=TREES / case, with_nvidia=False, page_size=4096).scan()


def check(rec, *, resident, swap, page_tables, dmabuf, gpu_system, gpu_vram, total):
    got = rec.bytes
    assert (got.resident, got.swap, got.page_tables) == (resident, swap, page_tables)
    assert got.shmem == 0  # the only shmem here: memfd mappings whose fd is closed (in RssShmem)
    assert (got.dmabuf, got.gpu_system, got.gpu_vram) == (dmabuf, gpu_system, gpu_vram)
    assert resident + swap + page_tables + dmabuf + gpu_system == total
    assert got.total == total


def test_amdgpu_compositor_and_game_share_a_client_and_a_dmabuf():
    snap = scan("amdgpu")
    # Client 9 (card1): logind + gnome-shell. gtt 12348 KiB (doorbell 8 KiB is not RAM).
    kms_system, kms_vram = 12_348 * KiB // 2, 98_436 * KiB // 2
    # Client 57 (the game's renderer): game fds 41 + 42 (one holder) + gnome-shell fd 57.
    game_system, game_vram = (1_482_988 + 52_776) * KiB // 2, 5_998_236 * KiB // 2
    # dma-buf 29817 (exp_name amdgpu): game fd 60 + gnome-shell fd 61. amdgpu clients are in the
    # scan, so the buffer is already in their drm-* figures: 0 more bytes, not 8_413_184 // 2.
    buf = 0
    assert (kms_system, game_system) == (6_322_176, 786_311_168)

    shell = snap.processes[2516]
    check(
        shell,
        resident=(287_316 + 141_988 + 31_404) * KiB,
        swap=12_288 * KiB,
        page_tables=3_188 * KiB,
        dmabuf=buf,
        # client 23 is gnome-shell's alone: gtt 123456 + cpu 3108 KiB
        gpu_system=kms_system + (123_456 + 3_108) * KiB + game_system,
        gpu_vram=kms_vram + 401_452 * KiB + game_vram,
        total=1_414_053_888 - 8_413_184 // 2,
    )
    assert shell.kernel_badness_pages == (460_708 + 12_288 + 3_188) // 4 + 100 * 10_250 == 1_144_046
    assert shell.oom_score == 740

    game = snap.processes[183406]
    check(
        game,
        resident=(1_268_404 + 383_716 + 8_200) * KiB,
        swap=96_512 * KiB,
        page_tables=7_464 * KiB,
        dmabuf=buf,
        # client 58 is the game's alone: resident gtt 7188 KiB (not its total 9876 KiB)
        gpu_system=game_system + 7_188 * KiB,
        gpu_vram=game_vram + 20_484 * KiB,
        total=2_604_517_376 - 8_413_184 // 2,
    )
    assert game.kernel_badness_pages == (1_660_320 + 96_512 + 7_464) // 4 + 100 * 10_250
    assert game.oom_score == 762

    logind = snap.processes[1042]
    check(
        logind,
        resident=(1_364 + 7_012) * KiB,
        swap=0,
        page_tables=84 * KiB,
        dmabuf=0,
        gpu_system=kms_system,
        gpu_vram=kms_vram,
        total=14_985_216,
    )
    assert (logind.kernel_badness_pages, logind.oom_score) == ((8_376 + 84) // 4, 666)

    app = snap.app_by_pid(183406)
    assert app is not None and sorted(app.pids) == [183406, 183455]
    crashpad_total = (3_876 + 10_468 + 1_024 + 112) * KiB
    assert app.bytes.total == 2_604_517_376 - 8_413_184 // 2 + crashpad_total == 2_616_162_304
    assert app.bytes.gpu_system == 793_671_680
    assert app.bytes.gpu_vram == 3_092_072_448


def test_i915_truncated_units_stolen_memory_and_prime_buffer():
    snap = scan("i915")
    kms_system = 71 * MiB // 2  # client 4, iGPU card0: system0; stolen-system0 (8 MiB) is not RAM
    dgpu_kms_vram = 47 * MiB // 2  # client 5, dGPU card1: local0
    # dma-buf 51277 exported by i915 (supertuxkart + gnome-shell): i915 clients are in the scan, so
    # it is in their drm-* figures already and adds nothing (it would be 9_216_000 // 2 each).
    prime = 0
    check(
        snap.processes[2101],
        resident=(243_108 + 118_404 + 19_980) * KiB,
        swap=0,
        page_tables=2_656 * KiB,
        dmabuf=prime,
        gpu_system=kms_system + 309 * MiB,  # + client 11: resident 309 MiB of 312 MiB
        gpu_vram=dgpu_kms_vram,
        total=759_209_984 - 9_216_000 // 2,
    )
    check(
        snap.processes[96233],
        resident=(512_772 + 97_316 + 4_100) * KiB,
        swap=0,
        page_tables=2_244 * KiB,
        dmabuf=prime,
        gpu_system=94 * MiB,  # client 31: system0 "94 MiB"
        gpu_vram=1497 * MiB,  # local0 "1497 MiB" (truncated by the kernel)
        total=734_400_512 - 9_216_000 // 2,
    )
    check(
        snap.processes[968],
        resident=(1_212 + 6_600) * KiB,
        swap=0,
        page_tables=76 * KiB,
        dmabuf=0,
        gpu_system=kms_system,
        gpu_vram=dgpu_kms_vram,
        total=45_301_760,
    )


def test_xe_cycles_keys_do_not_count_and_vram_stays_apart():
    snap = scan("xe")
    blender = snap.processes[52671]
    check(
        blender,
        resident=(2_914_388 + 201_244 + 12_292) * KiB,
        swap=0,
        page_tables=9_876 * KiB,
        dmabuf=0,
        gpu_system=6 * MiB + 1_317_476 * KiB,  # system (resident 6 MiB) + gtt
        gpu_vram=9260 * MiB,
        total=4_568_494_080,
    )
    # No swap on this machine: totalpages = MemTotal / 4 = 16387083.
    assert blender.kernel_badness_pages == (3_127_924 + 9_876) // 4 + 100 * 16_387 == 2_423_150
    assert blender.oom_score == 764
    check(
        snap.processes[2232],
        resident=(301_772 + 152_116 + 27_648) * KiB,
        swap=0,
        page_tables=3_320 * KiB,
        dmabuf=0,
        # client 6 (card0, with logind): gtt 38412 KiB / 2; client 15: system 2716 + gtt 141372
        gpu_system=38_412 * KiB // 2 + (2_716 + 141_372) * KiB,
        gpu_vram=72_216 * KiB // 2 + 286_148 * KiB,
        total=663_705_600,
    )


def test_msm_platform_device_and_an_app_of_two_processes():
    snap = scan("generic")
    check(
        snap.processes[1688],
        resident=(233_604 + 129_772 + 16_384) * KiB,
        swap=40_960 * KiB,
        page_tables=2_944 * KiB,
        dmabuf=0,
        gpu_system=33_300 * KiB // 2 + 181_092 * KiB,  # client 3 (with logind) + client 12
        gpu_vram=0,
        total=636_319_744,
    )
    firefox = snap.app_by_pid(7342)
    assert firefox is not None and sorted(firefox.pids) == [7342, 7519]
    assert firefox.bytes.gpu_system == 398_868 * KiB  # client 40, held by the main process only
    content_total = (355_112 + 96_464 + 38_932 + 8_192 + 2_108) * KiB
    main_total = (612_440 + 188_256 + 44_580 + 20_480 + 4_852 + 398_868) * KiB
    assert firefox.bytes.total == main_total + content_total == 1_812_770_816


def test_dmabuf_holders_by_fd_by_mapping_and_mapped_only():
    snap = scan("dmabuf")
    cam = 3_108_864 // 3  # ino 30211: pipewire fd, firefox fd + map, content map (partial)
    assert cam == 1_036_288
    plain = 1_556_480  # ino 30212: pipewire's fd alone
    mapped_only = 532 * 4096  # ino 30347: no fd anywhere, content's VMA is 532 pages
    check(
        snap.processes[1702],
        resident=(9_836 + 14_228 + 2_048) * KiB,
        swap=0,
        page_tables=188 * KiB,
        dmabuf=cam + plain,
        gpu_system=0,
        gpu_vram=0,
        total=29_523_968,
    )
    check(
        snap.processes[2210],
        resident=(498_312 + 176_540 + 36_872) * KiB,
        swap=4_096 * KiB,
        page_tables=4_020 * KiB,
        dmabuf=cam,
        gpu_system=0,
        gpu_vram=0,
        total=738_152_448,
    )
    check(
        snap.processes[2391],
        resident=(287_004 + 90_332 + 21_508) * KiB,
        swap=0,
        page_tables=1_712 * KiB,
        dmabuf=cam + mapped_only,
        gpu_system=0,
        gpu_vram=0,
        total=413_384_704,
    )


@pytest.mark.parametrize("case", ["amdgpu", "i915", "xe", "generic", "dmabuf"])
def test_oom_score_replica_matches_every_recorded_oom_score(case):
    snap = scan(case)
    pids = sorted(int(p.name) for p in (TREES / case).iterdir() if p.name.isdigit())
    assert sorted(snap.processes) == pids
    for pid in pids:
        recorded = int((TREES / case / str(pid) / "oom_score").read_text())
        assert snap.processes[pid].oom_score == recorded, pid
    assert snap.processes[1].kernel_badness_pages is None  # global init
