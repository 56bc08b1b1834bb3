# SPDX-License-Identifier: GPL-3.0-or-later
"""The hidden view: memory held through files, deduplicated and split fairly among its holders.

Each object (a memfd, a tmpfs file, a SysV segment, a dma-buf, a DRM client) is counted once,
however many fds and mappings point at it, and its hidden bytes are split equally among the
processes that hold it — König's per-file badness v1 rule (docs/kernel-memory.md §2.2), which keeps
the sum over an app equal to what the app really pins. Shares are whole bytes; the remainder of the
division goes to the lowest pids so the shares add up exactly.

Mapped shmem pages are already in the mappers' ``RssShmem`` (the kernel view), so only the part no
one maps is hidden: ``resident − Σ Pss`` (docs/kernel-memory.md §5.4). dma-buf and DRM memory is
never in Rss (the pages are mapped ``VM_PFNMAP``/``VM_IO``), so all of it is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum


class ObjectKind(Enum):
    """Kinds of hidden-memory objects, also the JSON/reason vocabulary."""

    MEMFD = "memfd"
    TMPFS = "tmpfs"
    SYSV = "sysv"
    DMABUF = "dmabuf"
    DRM = "drm"


#: Which per-process byte counter an object kind feeds.
SHMEM_KINDS = frozenset({ObjectKind.MEMFD, ObjectKind.TMPFS, ObjectKind.SYSV})


@dataclass(slots=True)
class HiddenObject:
    """One deduplicated object and who holds it.

    Attributes:
        kind: What it is.
        key: Its identity: ``(dev, ino)`` for shmem, ``ino`` for dma-buf, ``(pdev, client_id)``
            for a DRM client.
        label: For people: the path, the dma-buf exporter, or the DRM driver.
        resident_bytes: System RAM it pins (shmem: ``st_blocks * 512``; SysV: rss + swap; dma-buf:
            its size; DRM: resident bytes in system regions).
        vram_bytes: Device memory (DRM only); never added to system totals.
        holders: pids holding it by fd or mapping.
        mapped_pss_kib: Σ Pss of the mappings we could read (shmem kinds only).
        owner_uid: The file's owner, when known.
        exporter: The dma-buf exporter (``exp_name``), when known.
    """

    kind: ObjectKind
    key: object
    label: str
    resident_bytes: int = 0
    vram_bytes: int = 0
    holders: set[int] = field(default_factory=set)
    mapped_pss_kib: int = 0
    owner_uid: int | None = None
    exporter: str | None = None

    @property
    def hidden_bytes(self) -> int:
        """The system RAM no process's Rss accounts for."""
        if self.kind in SHMEM_KINDS:
            return max(0, self.resident_bytes - self.mapped_pss_kib * 1024)
        return self.resident_bytes


def discount_gpu_exported_dmabufs(objects: Iterable[HiddenObject]) -> None:
    """Do not count a GPU driver's dma-buf twice.

    A buffer a DRM driver exported is a GEM object, and drm-usage-stats counts every object a
    client holds a handle to — the exporter keeps its handle, an importer gets one — in
    ``drm-total``/``drm-resident`` (Documentation/gpu/drm-usage-stats.rst). So when we see DRM
    clients of the exporting driver, the buffer is in their figures already (in VRAM or system
    RAM, which only the DRM regions tell), and its dma-buf size must not be added again. Buffers of
    other exporters (the system heap, udmabuf, V4L2 cameras) are counted as dma-buf memory.
    """
    objects = list(objects)
    drm_drivers = {o.label for o in objects if o.kind is ObjectKind.DRM}
    for obj in objects:
        if obj.kind is ObjectKind.DMABUF and obj.exporter in drm_drivers:
            obj.resident_bytes = 0


def split_evenly(total: int, holders: Iterable[int]) -> dict[int, int]:
    """Split ``total`` bytes among ``holders``; the shares add up to ``total`` exactly."""
    pids = sorted(set(holders))
    if not pids:
        return {}
    base, remainder = divmod(total, len(pids))
    return {pid: base + (1 if i < remainder else 0) for i, pid in enumerate(pids)}


@dataclass(frozen=True, slots=True)
class Share:
    """A process's share of one object, kept for "why this app" explanations."""

    kind: ObjectKind
    label: str
    hidden_bytes: int
    vram_bytes: int
    holder_count: int


@dataclass(slots=True)
class HiddenTotals:
    """Per-process hidden bytes by counter."""

    shmem: int = 0
    dmabuf: int = 0
    gpu_system: int = 0
    gpu_vram: int = 0
    shares: list[Share] = field(default_factory=list)


_Split = list[tuple[int, int, int, "Share | None"]]  # (pid, hidden, vram, share) per holder


def _split(obj: HiddenObject) -> _Split:
    hidden = split_evenly(obj.hidden_bytes, obj.holders)
    vram = split_evenly(obj.vram_bytes, obj.holders)
    return [
        (pid, hidden[pid], vram[pid],
         Share(obj.kind, obj.label, hidden[pid], vram[pid], len(obj.holders))
         if hidden[pid] or vram[pid] else None)
        for pid in hidden
    ]  # fmt: skip


class AttributionCache:
    """The splits of the last attribution, by object: an object whose size and holders did not
    move is split as before without sorting its holders again (on a desktop, a few shared
    buffers are held by hundreds of processes, and a rescan found them all unchanged)."""

    def __init__(self) -> None:
        self._by_key: dict[object, tuple[int, int, set[int], _Split]] = {}

    def split(self, obj: HiddenObject, seen: dict[object, tuple[int, int, set[int], _Split]]
              ) -> _Split:  # fmt: skip
        """The split of ``obj``, from the cache when it did not move (``seen``: this round's)."""
        old = self._by_key.get(obj.key)
        if old is not None and old[:2] == (obj.hidden_bytes, obj.vram_bytes) and old[2] == (
            obj.holders
        ):
            seen[obj.key] = old
            return old[3]
        split = _split(obj)
        seen[obj.key] = (obj.hidden_bytes, obj.vram_bytes, set(obj.holders), split)
        return split

    def keep(self, seen: dict[object, tuple[int, int, set[int], _Split]]) -> None:
        """This round's splits are the next round's cache (objects gone are forgotten)."""
        self._by_key = seen


def attribute(
    objects: Iterable[HiddenObject], cache: AttributionCache | None = None
) -> dict[int, HiddenTotals]:
    """Split every object among its holders and sum the shares per pid."""
    totals: dict[int, HiddenTotals] = {}
    seen: dict[object, tuple[int, int, set[int], _Split]] = {}
    for obj in objects:
        if not obj.holders:
            continue
        split = cache.split(obj, seen) if cache is not None else _split(obj)
        for pid, hidden, vram, share in split:
            t = totals.get(pid)
            if t is None:
                t = totals[pid] = HiddenTotals()
            if obj.kind in SHMEM_KINDS:
                t.shmem += hidden
            elif obj.kind is ObjectKind.DMABUF:
                t.dmabuf += hidden
            else:
                t.gpu_system += hidden
            t.gpu_vram += vram
            if share is not None:
                t.shares.append(share)
    if cache is not None:
        cache.keep(seen)
    return totals


def add_vram(totals: dict[int, HiddenTotals], vram_by_pid: Mapping[int, int]) -> None:
    """Add per-pid device memory from NVML (NVIDIA has no DRM fdinfo memory keys)."""
    for pid, vram in vram_by_pid.items():
        t = totals.setdefault(pid, HiddenTotals())
        t.gpu_vram += vram
        t.shares.append(Share(ObjectKind.DRM, "nvidia", 0, vram, 1))
