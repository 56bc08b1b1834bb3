# SPDX-License-Identifier: GPL-3.0-or-later
"""DMA-buf fdinfo and link targets: the recorded buffers, old kernels, traps, fuzzing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memwarden.core.dmabuf import DmabufFdinfo, is_dmabuf_link, parse_dmabuf_fdinfo
from memwarden.core.errors import ParseError

TREES = Path(__file__).parent.parent / "data" / "proc"
PAGE = 4096


def recorded(case: str, pid: int, fd: int) -> tuple[str, DmabufFdinfo | None]:
    base = TREES / case / str(pid)
    target = os.readlink(base / "fd" / str(fd))
    return target, parse_dmabuf_fdinfo((base / "fdinfo" / str(fd)).read_text())


def test_amdgpu_exported_buffer_seen_from_both_holders():
    game_target, game = recorded("amdgpu", 183406, 60)
    shell_target, shell = recorded("amdgpu", 2516, 61)
    assert game_target == shell_target == "/dmabuf:"  # no name set
    assert (
        game
        == shell
        == DmabufFdinfo(ino=29817, size_bytes=2054 * PAGE, exp_name="amdgpu", name=None, count=3)
    )
    assert game is not None and game.size_bytes == 8_413_184


def test_named_and_unnamed_heap_buffers():
    target, cam = recorded("dmabuf", 1702, 38)
    assert target == "/dmabuf:cam-frame"  # dmabuffs_dname(): "/dmabuf:<name>"
    # count 5 = 2 fds + 2 mappings + 1 importer: references, not holders.
    assert cam == DmabufFdinfo(30211, 759 * PAGE, "system", "cam-frame", 5)
    target, plain = recorded("dmabuf", 1702, 39)
    assert target == "/dmabuf:"
    assert plain == DmabufFdinfo(30212, 380 * PAGE, "system", None, 1)
    assert plain is not None and plain.size_bytes == 1_556_480


def test_mappings_name_the_buffer_by_inode():
    # maps: "... r--s 00000000 00:0c 30211   /dmabuf:cam-frame": the inode column is the key.
    lines = (TREES / "dmabuf" / "2391" / "maps").read_text().splitlines()
    dmabuf_lines = [line.split() for line in lines if is_dmabuf_link(line.split()[-1])]
    assert [(f[4], f[5]) for f in dmabuf_lines] == [
        ("30211", "/dmabuf:cam-frame"),
        ("30347", "/dmabuf:"),
    ]


def test_every_recorded_fd_agrees_with_its_link():
    found = 0
    for fd_path in sorted(TREES.glob("*/[0-9]*/fd/*")):
        target = os.readlink(fd_path)
        info = parse_dmabuf_fdinfo((fd_path.parent.parent / "fdinfo" / fd_path.name).read_text())
        assert (info is not None) == is_dmabuf_link(target), fd_path
        found += info is not None
    assert found == 2 + 2 + 3  # amdgpu, i915 (PRIME), dmabuf tree (pipewire 2, firefox 1)


def test_old_kernel_without_ino_line():
    # Before Linux 5.14 fdinfo had no "ino:"; the buffer can then not be deduplicated.
    info = parse_dmabuf_fdinfo(
        "pos:\t0\nflags:\t02000002\nmnt_id:\t16\nsize:\t8192\ncount:\t1\nexp_name:\tsystem\n"
    )
    assert info == DmabufFdinfo(None, 8192, "system", None, 1)


def test_name_cannot_forge_size():
    # DMA_BUF_SET_NAME accepts "x\nsize:\t1073741824"; dma_buf_show_fdinfo() prints it last.
    text = (
        "pos:\t0\nflags:\t02\nmnt_id:\t16\nino:\t9\nsize:\t4096\ncount:\t1\nexp_name:\tsystem\n"
        "name:\tx\nsize:\t1073741824\n"
    )
    info = parse_dmabuf_fdinfo(text)
    assert info is not None and (info.size_bytes, info.name) == (4096, "x")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "pos:\t0\nflags:\t02\nmnt_id:\t1\nino:\t1032\n",  # a memfd: generic lines only
        "pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t1027\ndrm-driver:\tamdgpu\n",  # DRM
        "size:\t4096\ncount:\t1\n",  # no exp_name
    ],
)
def test_not_a_dmabuf(text):
    assert parse_dmabuf_fdinfo(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "exp_name:\tsystem\n",  # no size
        "size:\t8 KiB\nexp_name:\tsystem\n",  # "%zu": never a unit
        "size:\t-4096\nexp_name:\tsystem\n",
        "size:\t4096\ncount:\t-1\nexp_name:\tsystem\n",
        "ino:\tabc\nsize:\t4096\nexp_name:\tsystem\n",
    ],
)
def test_malformed_dmabuf_raises_parse_error(text):
    with pytest.raises(ParseError):
        parse_dmabuf_fdinfo(text)


@pytest.mark.parametrize(
    "target", ["/dmabuf:", "/dmabuf:cam-frame", "/dmabuf:a b:c", "anon_inode:dmabuf"]
)
def test_is_dmabuf_link(target):
    assert is_dmabuf_link(target)


@pytest.mark.parametrize(
    "target",
    [
        "dmabuf:",
        "/dmabuf",
        "/dmabufx",
        "anon_inode:[dmabuf]",
        "anon_inode:[eventfd]",
        "/memfd:dmabuf (deleted)",
        "/dev/dri/renderD128",
        "/dev/dma_heap/system",
    ],
)
def test_is_not_dmabuf_link(target):
    assert not is_dmabuf_link(target)


# -- fuzzing ---------------------------------------------------------------------------------------


@given(st.text())
def test_fuzz_arbitrary_text(text):
    try:
        info = parse_dmabuf_fdinfo(text)
    except ParseError:
        return
    if info is not None:
        assert info.size_bytes >= 0 and (info.count is None or info.count >= 0)


LINES = st.sampled_from(
    [
        "pos:\t0",
        "ino:\t29817",
        "ino:\t",
        "ino: x",
        "size:\t8413184",
        "size:\t4 KiB",
        "size:",
        "count:\t3",
        "count:\t-1",
        "exp_name:\tamdgpu",
        "exp_name:",
        "name:\tcam-frame",
        "name:\tsize:\t1",
        "name:\t",
        "garbage",
        "",
    ]
)


@given(st.lists(LINES, max_size=12))
def test_fuzz_plausible_lines(lines):
    text = "\n".join(lines)
    try:
        info = parse_dmabuf_fdinfo(text)
    except ParseError:
        assert any(line.startswith("exp_name:") for line in lines)
        return
    has_exp_name = any(line.startswith("exp_name:") for line in lines)
    assert (info is not None) == has_exp_name


@given(
    ino=st.none() | st.integers(min_value=1, max_value=2**64 - 1),
    size=st.integers(min_value=0, max_value=2**64 - 1),
    count=st.none() | st.integers(min_value=0, max_value=2**31),
    exp_name=st.sampled_from(["system", "amdgpu", "i915", "udmabuf", "qcom,system"]),
    name=st.none() | st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=32),
)
def test_fuzz_well_formed_round_trip(ino, size, count, exp_name, name):
    text = "pos:\t0\nflags:\t02000002\nmnt_id:\t16\n"
    if ino is not None:
        text += f"ino:\t{ino}\n"
    text += f"size:\t{size}\n"
    if count is not None:
        text += f"count:\t{count}\n"
    text += f"exp_name:\t{exp_name}\n"
    if name is not None:
        text += f"name:\t{name}\n"
    info = parse_dmabuf_fdinfo(text)
    # The parser strips values: a name with outer spaces is reported without them.
    want_name = name.strip() if name is not None else None
    assert info == DmabufFdinfo(ino, size, exp_name, want_name, count)


@given(st.text())
def test_fuzz_link_predicate(target):
    assert is_dmabuf_link(target) == (
        target.startswith("/dmabuf:") or target == "anon_inode:dmabuf"
    )
