# SPDX-License-Identifier: GPL-3.0-or-later
"""DMA-buf: buffers shared between devices and processes, seen through fds and mappings.

A dma-buf fd's fdinfo has the generic lines plus what ``dma_buf_show_fdinfo()`` prints
(drivers/dma-buf/dma-buf.c, docs/kernel-memory.md §4.1)::

    pos:      0
    flags:    02000002
    mnt_id:   15
    ino:      29817          (generic; since Linux 5.14)
    size:     8413184        (bytes, %zu)
    count:    3              (file references minus procfs's temporary one)
    exp_name: amdgpu         (the exporter: a GPU driver, "system" heap, "udmabuf", …)
    name:     cam-frame      (only when set with DMA_BUF_SET_NAME)

The buffer is keyed by ``ino`` (there is one dma-buf pseudo filesystem, so the inode is unique,
docs/kernel-memory.md §4.3); the same inode appears in ``/proc/PID/maps`` lines of processes that
mmap it. ``count`` counts file references (fds, VMAs, importers' ``get_dma_buf()``), **not** holders
(§10).
"""

from __future__ import annotations

from dataclasses import dataclass

from memwarden.core.errors import ParseError
from memwarden.core.fdinfo import parse_fdinfo, parse_uint


@dataclass(frozen=True, slots=True)
class DmabufFdinfo:
    """What a dma-buf fd's fdinfo says about the buffer.

    Attributes:
        ino: The buffer's inode (the dedupe key); ``None`` on kernels before 5.14, whose fdinfo
            has no ``ino:`` line (Kalesh Singh, "procfs/dmabuf: add inode number to
            /proc/*/fdinfo"). The caller must then count the buffer per fd.
        size_bytes: The whole buffer, whether or not its pages are system RAM (``exp_name``
            tells: a GPU exporter's buffer may live in VRAM).
        exp_name: The exporter's name.
        name: The name set with ``DMA_BUF_SET_NAME``; ``None`` when not set.
        count: References to the dma-buf's file (fds + mappings + importers), or ``None`` if
            not printed.
    """

    ino: int | None
    size_bytes: int
    exp_name: str
    name: str | None = None
    count: int | None = None


def parse_dmabuf_fdinfo(text: str) -> DmabufFdinfo | None:
    """Parse the fdinfo of a dma-buf fd.

    Args:
        text: The whole ``/proc/PID/fdinfo/N`` file.

    Returns:
        The buffer's facts, or ``None`` when there is no ``exp_name`` line: not a dma-buf
        (libdmabufinfo's test too).

    Raises:
        ParseError: a dma-buf fdinfo without ``size``, or with a non-numeric ``size``, ``count``
            or ``ino``.
    """
    pairs = parse_fdinfo(text)
    exp_name = pairs.get("exp_name")
    if exp_name is None:
        return None
    raw_size = pairs.get("size")
    if raw_size is None:
        raise ParseError("dma-buf fdinfo: no size")
    raw_ino = pairs.get("ino")
    raw_count = pairs.get("count")
    return DmabufFdinfo(
        ino=parse_uint(raw_ino) if raw_ino is not None else None,
        size_bytes=parse_uint(raw_size),  # "size:\t%zu": bytes, never a unit
        exp_name=exp_name,
        name=pairs.get("name"),
        count=parse_uint(raw_count) if raw_count is not None else None,
    )


def is_dmabuf_link(target: str) -> bool:
    """True when an fd link target (or a maps path) names a dma-buf.

    Since Linux 5.3 ("dma-buf: give each buffer a full-fledged inode") the buffer lives on its own
    pseudo filesystem and ``dmabuffs_dname()`` formats ``"/dmabuf:<name>"`` — just ``"/dmabuf:"``
    when no name was set. Before, the file was an anonymous inode: ``"anon_inode:dmabuf"``.
    """
    return target.startswith("/dmabuf:") or target == "anon_inode:dmabuf"
