# SPDX-License-Identifier: GPL-3.0-or-later
"""Generic fdinfo parsing: key/value lines, integers and sizes with kernel units."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memwarden.core.errors import ParseError
from memwarden.core.fdinfo import parse_fdinfo, parse_size_bytes, parse_uint

TREES = Path(__file__).parent.parent / "data" / "proc"
KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


def test_generic_lines_of_this_machine():
    # A real fdinfo from the running kernel: the VFS lines every fd has.
    fd = os.open("/dev/null", os.O_RDONLY | os.O_CLOEXEC)
    try:
        pairs = parse_fdinfo(Path(f"/proc/self/fdinfo/{fd}").read_text())
    finally:
        os.close(fd)
    assert set(pairs) >= {"pos", "flags", "mnt_id"}
    assert pairs["pos"] == "0"
    assert int(pairs["flags"], 8) & os.O_CLOEXEC
    assert int(pairs["ino"]) == os.stat("/dev/null").st_ino


def test_amdgpu_stray_space_before_tab_is_stripped():
    # amdgpu_fdinfo.c: drm_printf(p, "drm-memory-gtt: \t%llu KiB\n", ...)
    pairs = parse_fdinfo("drm-memory-vram:\t1163004 KiB\ndrm-memory-gtt: \t73836 KiB\n")
    assert pairs == {"drm-memory-vram": "1163004 KiB", "drm-memory-gtt": "73836 KiB"}


def test_lines_without_colon_or_key_are_ignored_and_values_keep_inner_colons():
    text = "pos:\t0\ngarbage line\n:\torphan value\n\ntfd:        5 events:       19 data: 5\n"
    assert parse_fdinfo(text) == {"pos": "0", "tfd": "5 events:       19 data: 5"}


def test_first_occurrence_wins_so_a_late_name_cannot_shadow_size():
    # DMA_BUF_SET_NAME does not reject newlines, and dma_buf_show_fdinfo() prints "name" last.
    text = (
        "ino:\t7\nsize:\t4096\ncount:\t1\nexp_name:\tsystem\nname:\tx\nsize:\t999999999\nino:\t1\n"
    )
    pairs = parse_fdinfo(text)
    assert pairs["size"] == "4096"
    assert pairs["ino"] == "7"
    assert pairs["name"] == "x"


def test_only_newline_separates_lines():
    # A value (a dma-buf name) may hold other Unicode line breaks: they stay in the value.
    assert parse_fdinfo("name:\ta\u2028size:\t1\x0bb\nx:\t1") == {
        "name": "a\u2028size:\t1\x0bb",
        "x": "1",
    }


def test_every_recorded_fdinfo_has_the_generic_lines():
    files = sorted(TREES.glob("*/[0-9]*/fdinfo/*"))
    assert len(files) > 100
    for path in files:
        pairs = parse_fdinfo(path.read_text())
        assert list(pairs)[:4] == ["pos", "flags", "mnt_id", "ino"], path
        parse_uint(pairs["ino"])
        assert int(pairs["flags"], 8) >= 0


# -- parse_uint ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"), [("0", 0), (" 42\t", 42), ("18446744073709551615", 2**64 - 1)]
)
def test_parse_uint(text, value):
    assert parse_uint(text) == value


@pytest.mark.parametrize("text", ["", " ", "+5", "-1", "0x10", "1 2", "1.0", "\u0661\u0662", "12a"])
def test_parse_uint_rejects(text):
    with pytest.raises(ParseError):
        parse_uint(text)


def test_parse_uint_rejects_numbers_beyond_the_int_conversion_limit():
    with pytest.raises(ParseError, match="too long"):
        parse_uint("7" * 5000)


# -- parse_size_bytes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("0", 0),
        ("4096", 4096),
        ("23992 KiB", 23_992 * KiB),  # xe DOC example
        ("16 MiB", 16 * MiB),
        ("3 GiB", 3 * GiB),
        ("151852 kB", 151_852 * KiB),  # /proc spelling: kB is KiB
        ("617 B", 617),
        ("  73836\tKiB  ", 73_836 * KiB),
    ],
)
def test_parse_size_bytes(text, size):
    assert parse_size_bytes(text) == size


def test_truncated_units_of_old_kernels_give_the_printed_lower_bound():
    # Before the print_size() fix 23.4 MiB printed as "23 MiB": all we can know is 23 MiB.
    assert parse_size_bytes("23 MiB") == 23 * 1024 * 1024 == 24_117_248


@pytest.mark.parametrize(
    "text",
    ["", "KiB", "12 ns", "680000000 Hz", "1.5 MiB", "-1 KiB", "4 mib", "4 KB", "1 KiB 2", "0x10"],
)
def test_parse_size_bytes_rejects(text):
    with pytest.raises(ParseError):
        parse_size_bytes(text)


# -- fuzzing: arbitrary text gives a result or ParseError, never another exception ----------------

UNITS = {"": 1, "B": 1, "kB": KiB, "KiB": KiB, "MiB": MiB, "GiB": GiB}
VALUE_FRAGMENTS = st.sampled_from(
    [
        "0",
        "7",
        "4096",
        "23992",
        "18446744073709551616",
        "-1",
        "1.5",
        "0x1f",
        "\u0663",
        " ",
        "\t",
        "",
    ]
)
UNIT_FRAGMENTS = st.sampled_from([*UNITS, "ns", "Hz", "mib", "KB", "KiB KiB"])
KEY_FRAGMENTS = st.sampled_from(
    ["pos", "flags", "ino", "drm-driver", "drm-memory-gtt ", " size", "name", "", ":"]
)


@given(st.text())
def test_fuzz_parse_fdinfo_never_raises(text):
    pairs = parse_fdinfo(text)
    for key, value in pairs.items():
        assert key and key == key.strip() and ":" not in key and "\n" not in key
        assert value == value.strip() and "\n" not in value


@given(
    st.lists(st.tuples(KEY_FRAGMENTS, st.sampled_from([":", ":\t", ": \t", ""]), VALUE_FRAGMENTS))
)
def test_fuzz_parse_fdinfo_from_key_fragments(lines):
    text = "\n".join(k + sep + v for k, sep, v in lines)
    pairs = parse_fdinfo(text)
    # Model: each line splits at its first ':'; the first line naming a key gives its value.
    expected: dict[str, str] = {}
    for line in text.split("\n"):
        if ":" in line:
            key, value = line.split(":", 1)
            expected.setdefault(key.strip(), value.strip())
    expected.pop("", None)
    assert pairs == expected
    assert list(pairs) == list(expected)


@given(st.text())
def test_fuzz_parse_size_bytes_arbitrary_text(text):
    try:
        size = parse_size_bytes(text)
    except ParseError:
        return
    assert size >= 0


@given(VALUE_FRAGMENTS, st.sampled_from([" ", "\t", "  ", ""]), UNIT_FRAGMENTS)
def test_fuzz_parse_size_bytes_from_fragments(number, space, unit):
    text = number + space + unit
    try:
        size = parse_size_bytes(text)
    except ParseError:
        return
    # Anything accepted must be a plain count with a known unit, and be computed exactly.
    parts = text.split()
    assert parts[0].isascii() and parts[0].isdigit()
    multiplier = UNITS[parts[1]] if len(parts) == 2 else 1
    assert size == int(parts[0]) * multiplier


@given(st.integers(min_value=0, max_value=2**70), st.sampled_from(sorted(UNITS)))
def test_fuzz_parse_size_bytes_round_trip(count, unit):
    text = f"{count} {unit}" if unit else str(count)
    assert parse_size_bytes(text) == count * UNITS[unit]


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_fuzz_parse_uint(text):
    try:
        value = parse_uint(text)
    except ParseError:
        return
    assert value == int(text.strip())
