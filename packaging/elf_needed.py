# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared libraries an ELF file asks for (``DT_NEEDED``), read without binutils.

Used by prune_bundle.py (what of PySide6 the bundle keeps) and by tests/packaging (what the .deb
must depend on). ``ldd`` lists the whole closure (a system library's own dependencies too, which
its package already declares); the .deb must declare only what our bundled objects ask for
directly. 64-bit little-endian only: the .deb is built for the machine's architecture, and
amd64/arm64 are what PySide6 has wheels for.
"""

from __future__ import annotations

import struct
from pathlib import Path

DT_NEEDED = 1
DT_STRTAB = 5
PT_LOAD = 1
PT_DYNAMIC = 2


def is_elf(path: Path) -> bool:
    """True when ``path`` starts with the ELF magic number."""
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def needed(path: Path) -> list[str]:
    """The ``DT_NEEDED`` sonames of ``path``, in file order.

    Raises:
        ValueError: ``path`` is not a 64-bit little-endian ELF file.
    """
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError(f"{path}: not a 64-bit little-endian ELF file")
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    loads: list[tuple[int, int, int]] = []  # (vaddr, offset, filesz)
    dynamic: tuple[int, int] | None = None
    for i in range(phnum):
        p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize
        )
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        return []
    entries: list[tuple[int, int]] = []
    for off in range(dynamic[0], dynamic[0] + dynamic[1], 16):
        tag, value = struct.unpack_from("<qQ", data, off)
        if tag == 0:
            break
        entries.append((tag, value))
    strtab_vaddr = next(v for t, v in entries if t == DT_STRTAB)
    # DT_STRTAB is an address: map it to a file offset through the segment that loads it.
    strtab = next(
        off + strtab_vaddr - vaddr
        for vaddr, off, size in loads
        if vaddr <= strtab_vaddr < vaddr + size
    )
    names = []
    for tag, value in entries:
        if tag == DT_NEEDED:
            end = data.index(b"\0", strtab + value)
            names.append(data[strtab + value : end].decode())
    return names
