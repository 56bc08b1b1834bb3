# SPDX-License-Identifier: GPL-3.0-or-later
"""``/proc/PID/fdinfo/N``: the generic ``key:<TAB>value`` lines and the size values inside them.

Every fdinfo file starts with the lines the VFS prints for any file (fs/proc/fd.c ``seq_show``:
``pos``, ``flags``, ``mnt_id``, ``ino``; ``ino`` since Linux 5.14), followed by whatever the file's
``show_fdinfo`` adds: ``drm-*`` keys for a DRM client (Documentation/gpu/drm-usage-stats.rst),
``size``/``count``/``exp_name``/``name`` for a DMA-buf (drivers/dma-buf/dma-buf.c), and so on.

The format-specific parsers (:mod:`memwarden.core.drm_fdinfo`, :mod:`memwarden.core.dmabuf`) build
on the two pure functions here.
"""

from __future__ import annotations

import re

from memwarden.core.errors import ParseError

_UINT_RE = re.compile(r"[0-9]+")

# The units the kernel prints after a size. drm_file.c ``print_size()`` uses "", " KiB" and " MiB"
# (Documentation/gpu/drm-usage-stats.rst: "<uint> [KiB|MiB]"); amdgpu's legacy keys always use
# " KiB"; /proc/PID/status and meminfo use " kB" (which means KiB). " GiB" and " B" are accepted
# defensively: IGT's parser (lib/igt_drm_fdinfo.c) accepts GiB too, and a future print_size() with
# a larger unit table would print it.
_UNIT_BYTES: dict[str, int] = {
    "B": 1,
    "kB": 1024,
    "KiB": 1024,
    "MiB": 1024**2,
    "GiB": 1024**3,
}


def parse_fdinfo(text: str) -> dict[str, str]:
    """Split an fdinfo file into its ``key: value`` pairs.

    Keys and values are stripped of surrounding whitespace: amdgpu prints
    ``drm-memory-gtt: \\t…`` with a stray space before the tab (amdgpu_fdinfo.c), and other
    drivers may pad with spaces. Lines without a ``:`` (or with an empty key) are ignored.

    When a key appears more than once, the **first** occurrence wins. The VFS prints its lines
    (``pos``, ``flags``, ``mnt_id``, ``ino``) before any driver line, and the DMA-buf exporter
    prints ``size``/``count``/``exp_name`` before the user-chosen ``name`` (set with the
    ``DMA_BUF_SET_NAME`` ioctl, which does not reject newlines). Keeping the first occurrence means
    a name such as ``"x\\nsize:\\t1"`` cannot overwrite the real ``size``. Lines that really repeat
    (``lock:`` entries, epoll ``tfd:`` lines) are not used by MemWarden.

    Lines are split on ``"\\n"`` only, as the kernel writes them; other Unicode line breaks inside
    a value (a name may contain anything) stay part of that value.

    Args:
        text: The whole content of one ``/proc/PID/fdinfo/N`` file.

    Returns:
        The pairs in file order, first occurrence of each key.
    """
    pairs: dict[str, str] = {}
    for line in text.split("\n"):
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key = key.strip()
        if not key or key in pairs:
            continue
        pairs[key] = value.strip()
    return pairs


def parse_uint(value: str) -> int:
    """Parse a non-negative decimal integer as the kernel prints it (``%u``, ``%llu``, ``%zu``).

    Args:
        value: The value text; surrounding whitespace is ignored.

    Raises:
        ParseError: not a plain decimal number (signs, ``0x`` prefixes and non-ASCII digits are
            rejected; so is a number too long for Python's int-conversion limit).
    """
    text = value.strip()
    if not _UINT_RE.fullmatch(text):
        raise ParseError(f"not an unsigned integer: {value!r}")
    try:
        return int(text)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        raise ParseError(f"integer too long: {len(text)} digits") from None


def parse_size_bytes(value: str) -> int:
    """Parse a size value from fdinfo or /proc into bytes.

    Accepted forms: a bare byte count (``"4096"``), or a count followed by whitespace and one of
    ``B``, ``kB``, ``KiB``, ``MiB``, ``GiB`` (``"23992 KiB"``, ``"16 MiB"``). ``kB`` is the /proc
    spelling of KiB (1024 bytes). Units are case-sensitive, as the kernel prints them.

    Older kernels' ``print_size()`` divided while the value was at least 1 KiB, **truncating**
    (a 23.4 MiB region prints as ``"23 MiB"``); the result is then the printed value, a lower bound
    of the real one. Since Tvrtko Ursulin's fix it only switches units on exact multiples.

    Args:
        value: The value text of one key.

    Returns:
        The size in bytes.

    Raises:
        ParseError: the value is not a count with an optional known unit (``"12 ns"``,
            ``"-1 KiB"``, ``"1.5 MiB"``, ``"KiB"`` all fail).
    """
    parts = value.split()
    if len(parts) == 1:
        return parse_uint(parts[0])
    if len(parts) == 2:
        number, unit = parts
        multiplier = _UNIT_BYTES.get(unit)
        if multiplier is None:
            raise ParseError(f"unknown size unit {unit!r} in {value!r}")
        return parse_uint(number) * multiplier
    raise ParseError(f"not a size: {value!r}")
