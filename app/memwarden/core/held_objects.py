# SPDX-License-Identifier: GPL-3.0-or-later
"""The objects behind hidden memory, across processes: who holds each one, by fd or by mapping,
and how much of it is already mapped (and so already in the holders' ``RssShmem``).

``smaps`` (the one expensive file: the kernel walks every page table to print it) is read only for
processes that map an object we measure, and kept until the Pss it gave may have moved. A page's
Pss is 1/mapcount, and every mapping or unmapping of a shmem page moves the mapper's ``RssShmem``
(mm counters count PTEs), so the Pss of one object is still right while its set of mappers and each
mapper's ``RssShmem`` are unchanged; when one of them moves, every mapper of that object is re-read
(the others' Pss moved with it). Mappers we cannot read (another user's, for a user monitor) are
not seen at all, here as in the split.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from memwarden.core.accounting import HiddenObject, ObjectKind, discount_gpu_exported_dmabufs
from memwarden.core.dmabuf import parse_dmabuf_fdinfo
from memwarden.core.drm_fdinfo import parse_drm_fdinfo
from memwarden.core.errors import AccessDenied, CoreError, ProcessGone
from memwarden.core.mounts import RamFsTable
from memwarden.core.pid_fds import FdKind, strip_deleted
from memwarden.core.pid_maps import parse_smaps_pss
from memwarden.core.scan_state import ProcState, read_proc_text
from memwarden.core.sysvipc import ShmSegment, read_sysvipc_shm

_SHMEM_FD_KINDS = (FdKind.MEMFD, FdKind.TMPFS)
_OBJECT_KIND = {
    FdKind.MEMFD: ObjectKind.MEMFD,
    FdKind.TMPFS: ObjectKind.TMPFS,
    FdKind.SYSV: ObjectKind.SYSV,
    FdKind.DMABUF: ObjectKind.DMABUF,
}


class HeldObjects:
    """Collects the objects the scanned processes hold; remembers who mapped what between scans.

    Args:
        proc_root: The procfs the processes were read from.
        ram_fs: The RAM-backed mounts a process sees (the scanner keeps them per mount namespace).
    """

    def __init__(self, proc_root: Path, ram_fs: Callable[[int, ProcState], RamFsTable]) -> None:
        self.proc_root = proc_root
        self._proc = str(proc_root)
        self._ram_fs = ram_fs
        self._mappers: dict[object, set[int]] = {}  # who mapped each object at the last scan
        #: The objects of the last collect, with their sizes and holders then (what a partial
        #: refresh measures growth from: memwarden.core.partial_refresh).
        self.last: dict[object, HiddenObject] = {}

    def collect(
        self, states: dict[int, ProcState], *, full: bool = True
    ) -> dict[object, HiddenObject]:
        """Every object the processes hold by fd or by mapping, with its holders and mapped Pss.

        With ``full=False`` a shared-memory fd whose object the last collect knew is not
        ``stat``-ed when another holder's fd already measured that object in this collect: an
        object held by a thousand processes costs one ``stat``, not a thousand. (An fd closed and
        reopened on another object under the same number is seen by the next full collect.)
        """
        objects: dict[object, HiddenObject] = {}
        for pid, state in states.items():
            if state.hidden_readable and state.held_fds:
                try:
                    self._add_fd_objects(pid, state, objects, full)
                except ProcessGone:
                    continue
        self._add_mapped_objects(states, objects)
        discount_gpu_exported_dmabufs(objects.values())
        self.last = objects
        return objects

    def _add_fd_objects(
        self, pid: int, state: ProcState, objects: dict[object, HiddenObject], full: bool
    ) -> None:
        base = f"{self._proc}/{pid}/"
        known, state.fd_keys = state.fd_keys, {}
        for fd, (kind, target) in state.held_fds.items():
            try:
                if kind in _SHMEM_FD_KINDS:
                    key: object = known.get(fd)
                    if full or key not in objects:
                        st = os.stat(f"{base}fd/{fd}")
                        key = (st.st_dev, st.st_ino)
                    state.fd_keys[fd] = key
                    obj = objects.get(key)
                    if obj is None:
                        obj = objects[key] = HiddenObject(
                            _OBJECT_KIND[kind],
                            key,
                            strip_deleted(target),
                            resident_bytes=st.st_blocks * 512,
                            owner_uid=st.st_uid,
                        )
                    obj.holders.add(pid)
                elif kind is FdKind.DMABUF:
                    info = state.dmabuf_fdinfo.get(fd)
                    if info is None:
                        info = parse_dmabuf_fdinfo(read_proc_text(f"{base}fdinfo/{fd}"))
                        if info is None:
                            continue
                        state.dmabuf_fdinfo[fd] = info  # a dma-buf's size never changes
                    # fdinfo has ino: since 5.14; before, the fd's inode is the buffer's.
                    ino = info.ino if info.ino is not None else os.stat(f"{base}fd/{fd}").st_ino
                    key = ("dmabuf", ino)
                    obj = objects.get(key)
                    if obj is None:
                        label = f"{info.exp_name}:{info.name}" if info.name else info.exp_name
                        obj = objects[key] = HiddenObject(
                            ObjectKind.DMABUF,
                            key,
                            label,
                            resident_bytes=info.size_bytes,
                            exporter=info.exp_name,
                        )
                    obj.holders.add(pid)
                elif kind is FdKind.DRM:
                    client = parse_drm_fdinfo(read_proc_text(f"{base}fdinfo/{fd}"))
                    if client is None:
                        continue
                    # Kernels before 6.5 may print no client id: then only the fd is unique.
                    key = ("drm", client.dedupe_key() or (pid, fd))
                    obj = objects.get(key)
                    if obj is None:
                        obj = objects[key] = HiddenObject(
                            ObjectKind.DRM,
                            key,
                            client.driver,
                            resident_bytes=client.system_resident_bytes(),
                            vram_bytes=client.vram_resident_bytes(),
                        )
                    obj.holders.add(pid)
            except (FileNotFoundError, ProcessGone):
                continue  # the fd was closed since we listed it
            except CoreError:
                continue  # one malformed fdinfo must not hide the rest
            except PermissionError:
                raise AccessDenied(f"{pid}: fd {fd}") from None

    def _add_mapped_objects(
        self, states: dict[int, ProcState], objects: dict[object, HiddenObject]
    ) -> None:
        segments: dict[int, ShmSegment] | None = None
        mappers: dict[object, set[int]] = {}
        for pid, state in states.items():
            for vma in state.maps:
                if vma.kind is FdKind.DMABUF:
                    key: object = ("dmabuf", vma.ino)
                    obj = objects.get(key)
                    if obj is None:
                        # Mapped only (libdmabufinfo does the same): the VMA length is the size.
                        obj = objects[key] = HiddenObject(
                            ObjectKind.DMABUF, key, vma.path, resident_bytes=vma.size_bytes
                        )
                    elif obj.resident_bytes < vma.size_bytes and obj.label == vma.path:
                        obj.resident_bytes = vma.size_bytes
                    obj.holders.add(pid)
                    continue
                key = (vma.dev, vma.ino)
                if key not in objects and vma.kind is FdKind.SYSV:
                    if segments is None:
                        segments = {s.shmid: s for s in read_sysvipc_shm(self.proc_root)}
                    seg = segments.get(vma.ino)
                    if seg is not None:
                        objects[key] = HiddenObject(
                            ObjectKind.SYSV,
                            key,
                            f"SysV shm key {seg.key:#010x} id {seg.shmid}",
                            resident_bytes=seg.rss_bytes + seg.swap_bytes,
                            owner_uid=seg.uid,
                        )
                obj = objects.get(key)
                if obj is None:
                    continue  # a memfd whose fd was closed after mmap: all of it is in Rss
                obj.holders.add(pid)
                mappers.setdefault(key, set()).add(pid)
        stale = self._pids_to_reread_smaps(states, mappers)
        self._mappers = mappers
        for pid in set().union(*mappers.values()) if mappers else ():
            state = states[pid]
            if pid in stale or state.pss is None:
                try:
                    text = read_proc_text(f"{self._proc}/{pid}/smaps")
                    state.pss = parse_smaps_pss(text, self._ram_fs(pid, state))
                except CoreError:  # gone, denied or malformed: it maps nothing we can measure
                    state.pss = {}
                state.pss_rss_shmem_kib = state.rss_shmem_kib
            for key, kib in state.pss.items():
                if pid in mappers.get(key, ()):
                    objects[key].mapped_pss_kib += kib

    def _pids_to_reread_smaps(
        self, states: dict[int, ProcState], mappers: dict[object, set[int]]
    ) -> set[int]:
        """Mappers of an object whose mappers, or their RssShmem, moved: re-read (module doc)."""
        stale: set[int] = set()
        for key, pids in mappers.items():
            if pids != self._mappers.get(key) or any(
                states[p].pss is None or states[p].pss_rss_shmem_kib != states[p].rss_shmem_kib
                for p in pids
            ):
                stale |= pids
        return stale
