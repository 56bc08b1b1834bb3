# SPDX-License-Identifier: GPL-3.0-or-later
"""DRM client fdinfo: the recorded amdgpu, i915, xe and msm clients, the traps, and fuzzing.

Expected numbers are worked out by hand from the recorded files (tests/data/proc/README.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memwarden.core.drm_fdinfo import (
    DrmClient,
    DrmRegion,
    is_drm_link,
    parse_drm_fdinfo,
    region_class,
)
from memwarden.core.errors import ParseError

TREES = Path(__file__).parent.parent / "data" / "proc"
KiB = 1024
MiB = 1024 * KiB


def fdinfo(case: str, pid: int, fd: int) -> str:
    return (TREES / case / str(pid) / "fdinfo" / str(fd)).read_text()


def client(case: str, pid: int, fd: int) -> DrmClient:
    parsed = parse_drm_fdinfo(fdinfo(case, pid, fd))
    assert parsed is not None
    return parsed


# -- amdgpu: standard keys + legacy drm-memory-* with the stray space ----------------------------


def test_amdgpu_game_client_all_fields():
    game = client("amdgpu", 183406, 41)
    assert (game.driver, game.client_id, game.pdev) == ("amdgpu", 57, "0000:03:00.0")
    assert list(game.regions) == ["vram", "gtt", "cpu", "gds", "gws", "oa", "doorbell"]
    assert game.regions["gtt"] == DrmRegion(
        total_bytes=1_482_988 * KiB,
        shared_bytes=8_216 * KiB,
        resident_bytes=1_482_988 * KiB,
        purgeable_bytes=0,
        active_bytes=64 * MiB,  # printed "64 MiB"
        legacy_memory_bytes=1_482_988 * KiB,  # "drm-memory-gtt: \t1482988 KiB"
    )
    assert game.regions["cpu"].purgeable_bytes == 4 * MiB
    assert game.regions["vram"] == DrmRegion(
        total_bytes=6_152_460 * KiB,
        shared_bytes=24 * MiB,
        resident_bytes=5_998_236 * KiB,
        purgeable_bytes=0,
        active_bytes=768 * MiB,
        legacy_memory_bytes=5_998_236 * KiB,
    )
    assert game.regions["doorbell"].resident_bytes == 8 * KiB
    # system RAM = gtt + cpu; doorbell/gds/gws/oa are not RAM.
    assert game.system_resident_bytes() == (1_482_988 + 52_776) * KiB == 1_572_622_336
    assert game.vram_resident_bytes() == 5_998_236 * KiB == 6_142_193_664


def test_amdgpu_resident_not_total_when_they_differ():
    # Client 58: gtt total 9876 KiB, only 7188 KiB backed.
    video = client("amdgpu", 183406, 43)
    assert video.regions["gtt"].total_bytes == 9_876 * KiB
    assert video.system_resident_bytes() == 7_188 * KiB == 7_360_512
    assert video.vram_resident_bytes() == 20_484 * KiB


def test_amdgpu_one_client_seen_through_three_fds_in_two_processes():
    # fds 41 and 42 (dup) in the game and fd 57 in gnome-shell (SCM_RIGHTS): one struct drm_file.
    seen = [client("amdgpu", 183406, 41), client("amdgpu", 183406, 42), client("amdgpu", 2516, 57)]
    assert {c.dedupe_key() for c in seen} == {("0000:03:00.0", 57)}
    assert seen[0] == seen[1] == seen[2]


def test_amdgpu_logind_holds_the_compositor_kms_client():
    logind, shell = client("amdgpu", 1042, 24), client("amdgpu", 2516, 14)
    assert logind.dedupe_key() == shell.dedupe_key() == ("0000:03:00.0", 9)
    assert logind.system_resident_bytes() == 12_348 * KiB  # gtt only: doorbell 8 KiB is "other"
    assert logind.vram_resident_bytes() == 98_436 * KiB


def test_amdgpu_legacy_only_format_falls_back_to_drm_memory():
    # amdgpu_fdinfo.c before it used drm_print_memory_stats() (e.g. 6.1-6.10): only the legacy
    # keys, printed by the driver itself in this order, with the stray spaces.
    text = (
        "pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t1027\n"
        "pasid:\t32781\n"
        "drm-driver:\tamdgpu\n"
        "drm-pdev:\t0000:0b:00.0\n"
        "drm-client-id:\t74\n"
        "drm-memory-vram:\t1163004 KiB\n"
        "drm-memory-gtt: \t73836 KiB\n"
        "drm-memory-cpu: \t1124 KiB\n"
        "amd-memory-visible-vram:\t262144 KiB\n"
        "amd-evicted-vram:\t0 KiB\n"
        "amd-evicted-visible-vram:\t0 KiB\n"
        "amd-requested-vram:\t1163004 KiB\n"
        "amd-requested-visible-vram:\t262144 KiB\n"
        "amd-requested-gtt:\t73836 KiB\n"
        "drm-engine-gfx:\t2217833106 ns\n"
    )
    old = parse_drm_fdinfo(text)
    assert old is not None
    assert old.regions["gtt"] == DrmRegion(legacy_memory_bytes=73_836 * KiB)
    assert old.system_resident_bytes() == (73_836 + 1_124) * KiB == 76_759_040
    assert old.vram_resident_bytes() == 1_163_004 * KiB == 1_190_916_096
    assert old.dedupe_key() == ("0000:0b:00.0", 74)


# -- i915: truncated units, stolen regions, two devices ------------------------------------------


def test_i915_dgpu_client_with_truncated_units():
    stk = client("i915", 96233, 11)
    assert (stk.driver, stk.client_id, stk.pdev) == ("i915", 31, "0000:03:00.0")
    assert list(stk.regions) == ["system0", "local0", "stolen-local0"]
    # This kernel's print_size() truncated to whole MiB: "1497 MiB" is all we know.
    assert stk.regions["local0"].resident_bytes == 1497 * MiB
    assert stk.regions["local0"].active_bytes == 211 * MiB
    assert stk.system_resident_bytes() == 94 * MiB == 98_566_144
    assert stk.vram_resident_bytes() == 1497 * MiB == 1_569_718_272


def test_i915_stolen_memory_is_neither_ram_nor_vram():
    kms = client("i915", 2101, 14)
    assert kms.regions["stolen-system0"].resident_bytes == 8 * MiB
    assert kms.system_resident_bytes() == 71 * MiB  # system0 only
    assert kms.vram_resident_bytes() == 0


def test_i915_purgeable_and_resident_below_total():
    shell = client("i915", 2101, 19)
    assert shell.regions["system0"] == DrmRegion(
        total_bytes=312 * MiB,
        shared_bytes=46 * MiB,
        resident_bytes=309 * MiB,
        purgeable_bytes=12 * MiB,
        active_bytes=2 * MiB,
    )
    assert shell.system_resident_bytes() == 309 * MiB


# -- xe: the drm-total-cycles-* trap ---------------------------------------------------------------


def test_xe_cycles_keys_are_not_regions():
    blender = client("xe", 52671, 12)
    text = fdinfo("xe", 52671, 12)
    assert "drm-total-cycles-rcs:\t9018237744" in text  # the trap is in the file
    assert list(blender.regions) == ["system", "gtt", "vram0", "stolen"]
    # system: resident "6 MiB" (total 9612 KiB); gtt 1317476 KiB; vram0 9260 MiB.
    assert blender.regions["system"].resident_bytes == 6 * MiB
    assert blender.regions["system"].total_bytes == 9_612 * KiB
    assert blender.system_resident_bytes() == 6 * MiB + 1_317_476 * KiB == 1_355_386_880
    assert blender.vram_resident_bytes() == 9260 * MiB == 9_709_813_760


def test_xe_stolen_and_purgeable_only_for_system():
    kms = client("xe", 1001, 24)
    assert kms.regions["stolen"].resident_bytes == 16_200 * KiB
    assert kms.regions["gtt"].purgeable_bytes is None  # xe prints purgeable for system only
    assert kms.regions["system"].purgeable_bytes == 0
    assert kms.system_resident_bytes() == 38_412 * KiB
    assert kms.vram_resident_bytes() == 72_216 * KiB


# -- msm: platform device, region "memory", drm-maxfreq ------------------------------------------


def test_msm_platform_device_without_pdev():
    ff = client("generic", 7342, 33)
    assert (ff.driver, ff.client_id, ff.pdev) == ("msm", 40, None)
    assert ff.dedupe_key() == ("msm", 40)
    assert list(ff.regions) == ["memory"]
    assert ff.regions["memory"] == DrmRegion(
        total_bytes=402_964 * KiB,
        shared_bytes=18 * MiB,
        resident_bytes=398_868 * KiB,
        purgeable_bytes=0,
        active_bytes=0,
    )
    assert ff.system_resident_bytes() == 398_868 * KiB == 408_440_832
    assert ff.vram_resident_bytes() == 0


def test_every_recorded_drm_fd_is_recognised_and_parses():
    count = 0
    for fd_path in sorted(TREES.glob("*/[0-9]*/fd/*")):
        target = os.readlink(fd_path)
        text = (fd_path.parent.parent / "fdinfo" / fd_path.name).read_text()
        parsed = parse_drm_fdinfo(text)
        assert (parsed is not None) == is_drm_link(target), fd_path
        count += parsed is not None
    # amdgpu 1 + 3 + 3, i915 2 + 3 + 1, xe 1 + 2 + 1, msm 1 + 2 + 1 (logind, gnome-shell, app).
    assert count == 7 + 6 + 4 + 4


# -- fallbacks, precedence, non-DRM text, errors ---------------------------------------------------


def test_driver_printing_total_only_falls_back_to_total():
    # drm_show_memory_stats() prints resident only with DRM_GEM_OBJECT_RESIDENT, which it sets
    # only when the client's objects have a status callback (drm_file.c).
    text = (
        "drm-driver:\tv3d\ndrm-client-id:\t17\n"
        "drm-total-memory:\t70 MiB\ndrm-shared-memory:\t0\ndrm-active-memory:\t0\n"
    )
    v3d = parse_drm_fdinfo(text)
    assert v3d is not None
    assert v3d.regions["memory"].resident_bytes is None
    assert v3d.system_resident_bytes() == 70 * MiB


def test_resident_beats_legacy_beats_total():
    assert (
        DrmRegion(total_bytes=3, legacy_memory_bytes=2, resident_bytes=1).effective_resident_bytes
        == 1
    )
    assert DrmRegion(total_bytes=3, legacy_memory_bytes=2).effective_resident_bytes == 2
    assert DrmRegion(total_bytes=3).effective_resident_bytes == 3
    assert DrmRegion(shared_bytes=5, active_bytes=5).effective_resident_bytes == 0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1057\n",  # an eventfd
        "size:\t4096\ncount:\t1\nexp_name:\tsystem\n",  # a dma-buf
        "drm-driver:\t\ndrm-client-id:\t3\n",  # empty driver
        "drm-client-id:\t3\ndrm-total-gtt:\t4 KiB\n",  # no driver line
    ],
)
def test_not_a_drm_client(text):
    assert parse_drm_fdinfo(text) is None


def test_no_client_id_cannot_be_deduplicated():
    old = parse_drm_fdinfo(
        "drm-driver:\ti915\ndrm-pdev:\t0000:00:02.0\ndrm-total-system0:\t8 MiB\n"
    )
    assert old is not None and old.client_id is None
    assert old.dedupe_key() is None


def test_dedupe_key_separates_devices():
    a = DrmClient("i915", 4, "0000:00:02.0")
    b = DrmClient("i915", 4, "0000:03:00.0")
    c = DrmClient("panfrost", 4, None)
    assert len({a.dedupe_key(), b.dedupe_key(), c.dedupe_key()}) == 3


def test_client_name_and_unknown_stats():
    text = (
        "drm-driver:\tpanthor\ndrm-client-id:\t12\ndrm-client-name:\tgnome-shell\n"
        "drm-internal-memory:\t3 MiB\n"  # proposed key: not a resident figure
        "drm-resident-memory:\t5 MiB\n"
    )
    parsed = parse_drm_fdinfo(text)
    assert parsed is not None
    assert parsed.client_name == "gnome-shell"
    assert dict(parsed.regions) == {"memory": DrmRegion(resident_bytes=5 * MiB)}


@pytest.mark.parametrize(
    "text",
    [
        "drm-driver:\txe\ndrm-client-id:\tthree\n",
        "drm-driver:\txe\ndrm-client-id:\t-3\n",
        "drm-driver:\txe\ndrm-total-vram0:\t12 ns\n",
        "drm-driver:\txe\ndrm-total-vram0:\t4 mib\n",
        "drm-driver:\txe\ndrm-resident-:\t4 KiB\n",
    ],
)
def test_malformed_drm_fdinfo_raises_parse_error(text):
    with pytest.raises(ParseError):
        parse_drm_fdinfo(text)


def test_engine_keys_are_never_regions_even_with_non_size_values():
    text = (
        "drm-driver:\tmsm\ndrm-client-id:\t1\n"
        "drm-engine-gpu:\t722193001847 ns\ndrm-engine-capacity-video-enhance:\t2\n"
        "drm-cycles-gpu:\t398166712004\ndrm-total-cycles-rcs:\t7655183225\n"
        "drm-maxfreq-gpu:\t680000000 Hz\n"
    )
    parsed = parse_drm_fdinfo(text)
    assert parsed is not None and dict(parsed.regions) == {}


# -- region classes and links ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("driver", "region", "expected"),
    [
        ("amdgpu", "gtt", "system"),
        ("amdgpu", "cpu", "system"),
        ("amdgpu", "vram", "vram"),
        ("amdgpu", "gds", "other"),
        ("amdgpu", "gws", "other"),
        ("amdgpu", "oa", "other"),
        ("amdgpu", "doorbell", "other"),
        ("amdgpu", "mmioremap", "other"),
        ("i915", "system0", "system"),
        ("i915", "local0", "vram"),
        ("i915", "local1", "vram"),
        ("i915", "stolen-system0", "other"),
        ("i915", "stolen-local0", "other"),
        ("xe", "system", "system"),
        ("xe", "gtt", "system"),
        ("xe", "vram0", "vram"),
        ("xe", "vram1", "vram"),
        ("xe", "stolen", "other"),
        ("msm", "memory", "system"),
        ("panthor", "memory", "system"),
        # unknown drivers/names: by pattern
        ("newgpu", "vram2", "vram"),
        ("newgpu", "local3", "vram"),
        ("newgpu", "system1", "system"),
        ("newgpu", "gtt", "system"),
        ("newgpu", "cpu", "system"),
        ("newgpu", "stolen", "other"),
        ("newgpu", "cycles-rcs", "other"),
        ("newgpu", "", "other"),
    ],
)
def test_region_class(driver, region, expected):
    assert region_class(driver, region) == expected


@pytest.mark.parametrize(
    "target",
    [
        "/dev/dri/card0",
        "/dev/dri/card1",
        "/dev/dri/renderD128",
        "/dev/dri/renderD129 (deleted)",
        "/dev/accel/accel0",
    ],
)
def test_is_drm_link(target):
    assert is_drm_link(target)


@pytest.mark.parametrize(
    "target",
    [
        "/dev/dri/card",
        "/dev/dri/cardX",
        "/dev/dri/by-path/pci-0000:03:00.0-render",
        "/dev/dri/renderD128/x",
        "/home/ana/dev/dri/card0",
        "/dev/null",
        "/dmabuf:",
        "socket:[4242]",
        "anon_inode:[eventfd]",
    ],
)
def test_is_not_drm_link(target):
    assert not is_drm_link(target)


# -- fuzzing ---------------------------------------------------------------------------------------


@given(st.text())
def test_fuzz_arbitrary_text(text):
    try:
        parsed = parse_drm_fdinfo(text)
    except ParseError:
        return
    if parsed is not None:
        assert parsed.driver
        assert parsed.system_resident_bytes() >= 0 and parsed.vram_resident_bytes() >= 0


KEY_PARTS = st.sampled_from(
    [
        "drm-driver",
        "drm-client-id",
        "drm-pdev",
        "drm-total-",
        "drm-resident-",
        "drm-memory-",
        "drm-shared-",
        "drm-total-cycles-",
        "drm-cycles-",
        "drm-engine-",
        "drm-engine-capacity-",
        "drm-maxfreq-",
        "drm-",
        "pasid",
        "amd-evicted-",
        "",
    ]
)
REGION_PARTS = st.sampled_from(
    ["gtt", "vram", "vram0", "system0", "stolen-local0", "memory", "rcs", ""]
)
VALUE_PARTS = st.sampled_from(
    ["amdgpu", "0", "57", "4 KiB", "16 MiB", "2 GiB", "12 ns", "680000000 Hz", "-1", "x", "", "1.5"]
)
SEPARATORS = st.sampled_from([":\t", ": \t", ":", " :\t", "\t"])


@given(st.lists(st.tuples(KEY_PARTS, REGION_PARTS, SEPARATORS, VALUE_PARTS), max_size=25))
def test_fuzz_plausible_fragments(lines):
    text = "drm-driver:\tamdgpu\n" + "\n".join(k + r + s + v for k, r, s, v in lines)
    try:
        parsed = parse_drm_fdinfo(text)
    except ParseError:
        return
    assert parsed is not None and parsed.driver == "amdgpu"
    for name in parsed.regions:
        assert name and not name.startswith(("cycles-", "engine-"))
    expected_system = sum(
        r.effective_resident_bytes
        for n, r in parsed.regions.items()
        if region_class("amdgpu", n) == "system"
    )
    assert parsed.system_resident_bytes() == expected_system


STATS = ["total", "shared", "resident", "purgeable", "active", "memory"]
FIELD = {
    "total": "total_bytes",
    "shared": "shared_bytes",
    "resident": "resident_bytes",
    "purgeable": "purgeable_bytes",
    "active": "active_bytes",
    "memory": "legacy_memory_bytes",
}


@st.composite
def well_formed(draw):
    """A model (what the driver knows) and an fdinfo text printing it in a random valid way."""
    driver = draw(st.sampled_from(["amdgpu", "i915", "xe", "msm", "panthor", "newgpu"]))
    client_id = draw(st.integers(min_value=0, max_value=2**64 - 1))
    pdev = draw(st.none() | st.just("0000:03:00.0"))
    region_names = draw(
        st.lists(
            st.sampled_from(
                [
                    *("vram", "gtt", "cpu", "doorbell", "system0", "local0", "stolen-local0"),
                    *("vram0", "system", "stolen", "memory", "mmioremap"),
                ]
            ),
            unique=True,
            max_size=6,
        )
    )
    model: dict[str, dict[str, int]] = {}
    lines = [f"drm-driver:\t{driver}", f"drm-client-id:\t{client_id}"]
    if pdev:
        lines.append(f"drm-pdev:\t{pdev}")
    for region in region_names:
        stats = draw(st.lists(st.sampled_from(STATS), unique=True, min_size=1))
        model[region] = {}
        for stat in stats:
            value = draw(st.integers(min_value=0, max_value=2**48)) * draw(
                st.sampled_from([1, KiB, MiB])
            )
            model[region][FIELD[stat]] = value
            units = [("", 1)] + [
                (u, m) for u, m in ((" KiB", KiB), (" MiB", MiB)) if value % m == 0
            ]
            unit, div = draw(st.sampled_from(units))
            sep = draw(st.sampled_from([":\t", ": \t", ":  "]))
            lines.append(f"drm-{stat}-{region}{sep}{value // div}{unit}")
    lines += draw(
        st.lists(
            st.sampled_from(
                [
                    "drm-total-cycles-rcs:\t7655183225",
                    "drm-cycles-ccs:\t3711203",
                    "drm-engine-gfx:\t941822733109 ns",
                    "drm-engine-capacity-vcs:\t2",
                    "drm-maxfreq-gpu:\t680000000 Hz",
                    "pasid:\t32770",
                    "amd-evicted-vram:\t0 KiB",
                ]
            ),
            max_size=5,
        )
    )
    lines = draw(st.permutations(lines))
    return driver, client_id, pdev, model, "\n".join(lines) + "\n"


@given(well_formed())
def test_fuzz_well_formed_text_matches_its_model(case):
    driver, client_id, pdev, model, text = case
    parsed = parse_drm_fdinfo(text)
    assert parsed is not None
    assert (parsed.driver, parsed.client_id, parsed.pdev) == (driver, client_id, pdev)
    assert {n: r for n, r in parsed.regions.items()} == {
        n: DrmRegion(**fields) for n, fields in model.items()
    }
    for cls, got in (
        ("system", parsed.system_resident_bytes()),
        ("vram", parsed.vram_resident_bytes()),
    ):
        want = 0
        for name, fields in model.items():
            if region_class(driver, name) == cls:
                want += next(
                    (
                        fields[f]
                        for f in ("resident_bytes", "legacy_memory_bytes", "total_bytes")
                        if f in fields
                    ),
                    0,
                )
        assert got == want


@given(st.text(), st.text())
def test_fuzz_region_class_and_link_predicate(driver, region):
    assert region_class(driver, region) in ("system", "vram", "other")
    assert isinstance(is_drm_link(region), bool)
