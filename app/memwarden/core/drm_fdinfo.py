# SPDX-License-Identifier: GPL-3.0-or-later
"""DRM client memory from ``/proc/PID/fdinfo/N`` (Documentation/gpu/drm-usage-stats.rst).

A GPU driver allocates buffers for a client (one ``struct drm_file``, i.e. one ``open()`` of
``/dev/dri/card*`` or ``renderD*``) in *regions*: system RAM the OOM killer never sees (amdgpu
``gtt``/``cpu``, i915 ``system0``, xe ``system``/``gtt``, generic ``memory``) and device memory
(``vram*``, ``local*``), which is not RAM at all. Since Linux 6.5 the common ``drm_show_fdinfo()``
prints ``drm-driver``, ``drm-client-id`` and (PCI only) ``drm-pdev``; the driver adds per-region
``drm-{total,shared,resident,purgeable,active}-<region>`` keys and engine-time keys.

Deduplication (docs/kernel-memory.md §3.2): ``drm-client-id`` names one ``struct drm_file``;
``dup()``, ``fork()`` and SCM_RIGHTS keep the same id in every holder, so the scanner deduplicates
clients **globally** (across all processes) on :meth:`DrmClient.dedupe_key` and splits each
client's memory among all pids holding it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from memwarden.core.errors import ParseError
from memwarden.core.fdinfo import parse_fdinfo, parse_size_bytes, parse_uint

RegionClass = Literal["system", "vram", "other"]

# Engine keys, tested *before* the memory keys, as IGT's __igt_parse_drm_fdinfo does: xe prints
# ``drm-total-cycles-rcs`` (drm-usage-stats.rst, xe_drm_client.c), which starts like the memory key
# ``drm-total-<region>`` and would otherwise become a region named "cycles-rcs".
# ``drm-engine-capacity-*`` is covered by ``engine-``.
_ENGINE_PREFIXES = ("engine-", "cycles-", "total-cycles-", "maxfreq-")

# drm-usage-stats.rst memory stats; ``memory`` is amdgpu's legacy ``drm-memory-<region>``
# ("deprecated alias of drm-resident", only amdgpu prints it). Unknown stats (the proposed
# ``drm-internal-<region>``) are ignored.
_STATS = ("total", "shared", "resident", "purgeable", "active", "memory")

# Region names whose meaning the driver sources document. Anything else is classified by pattern
# in region_class().
_DRIVER_REGIONS: dict[str, dict[str, RegionClass]] = {
    # amdgpu_fdinfo.c pl_name[]: TTM_PL_VRAM "vram", TTM_PL_TT "gtt" (system pages the GPU maps),
    # TTM_PL_SYSTEM "cpu" (system pages not GPU-mapped), then on-chip/aperture domains that hold
    # no RAM: GDS, GWS, OA, doorbell and, in newer trees, MMIO_REMAP "mmioremap".
    "amdgpu": {
        "vram": "vram",
        "gtt": "system",
        "cpu": "system",
        "gds": "other",
        "gws": "other",
        "oa": "other",
        "doorbell": "other",
        "mmioremap": "other",
    },
    # xe_drm_client.c DOC block: system, gtt, vram0.., stolen.
    "xe": {"system": "system", "gtt": "system", "stolen": "other"},
    # i915 intel_memory_region.c names regions "<type><instance>": system0, local0..,
    # stolen-system0, stolen-local0. Stolen memory is carved out by the firmware at boot and is
    # not part of MemTotal, so it is neither RAM the OOM killer could reclaim nor VRAM.
    "i915": {"system0": "system"},
}

_DRM_LINK_RE = re.compile(r"/dev/(?:dri/(?:card|renderD)|accel/accel)[0-9]+(?: \(deleted\))?")


def is_drm_link(target: str) -> bool:
    """True when an fd link target (``readlink /proc/PID/fd/N``) is a DRM device node.

    Matches ``/dev/dri/card<N>`` and ``/dev/dri/renderD<N>`` (what amdgpu_top matches), and the
    compute-accelerator nodes ``/dev/accel/accel<N>`` (drivers/accel: DRM drivers that print the
    same fdinfo keys). A node removed while open (GPU unplugged) reads ``… (deleted)``.
    """
    return _DRM_LINK_RE.fullmatch(target) is not None


def region_class(driver: str, region: str) -> RegionClass:
    """Where a DRM memory region lives.

    Args:
        driver: The ``drm-driver`` value (``amdgpu``, ``i915``, ``xe``, ``msm``, …).
        region: The region part of a memory key (``gtt``, ``vram0``, ``stolen-local0``, …).

    Returns:
        ``"system"`` for system RAM (counted in the holder's hidden memory), ``"vram"`` for device
        memory (reported apart, never added to RAM totals), ``"other"`` for regions that are
        neither (stolen memory, on-chip GDS/GWS/OA, doorbells).

    Known driver names come from the driver sources; unknown ones are classified by pattern:
    ``vram*``/``local*`` are device memory; ``system*``, ``gtt``, ``cpu`` and the generic
    ``memory`` (reserved for system RAM by drm-usage-stats.rst, used by the GEM helpers of msm,
    panfrost, panthor, v3d, …) are system RAM; ``stolen*`` and anything else are other.
    """
    known = _DRIVER_REGIONS.get(driver, {}).get(region)
    if known is not None:
        return known
    if region.startswith(("vram", "local")):
        return "vram"
    if region.startswith("system") or region in ("gtt", "cpu", "memory"):
        return "system"
    return "other"


@dataclass(frozen=True, slots=True)
class DrmRegion:
    """One memory region of a DRM client, as printed; ``None`` where the driver printed no key.

    Attributes:
        total_bytes: ``drm-total-<region>``: all buffers with a handle, backed or not.
        shared_bytes: ``drm-shared-<region>``: buffers shared with another client (PRIME/dma-buf).
        resident_bytes: ``drm-resident-<region>``: buffers with backing store in the region.
        purgeable_bytes: ``drm-purgeable-<region>``: resident buffers userspace marked purgeable.
        active_bytes: ``drm-active-<region>``: buffers busy on an engine.
        legacy_memory_bytes: amdgpu's ``drm-memory-<region>``, the deprecated alias of resident
            (always in whole KiB).
    """

    total_bytes: int | None = None
    shared_bytes: int | None = None
    resident_bytes: int | None = None
    purgeable_bytes: int | None = None
    active_bytes: int | None = None
    legacy_memory_bytes: int | None = None

    @property
    def effective_resident_bytes(self) -> int:
        """The best available figure for memory actually backing this region.

        ``drm-resident`` when printed; else amdgpu's legacy ``drm-memory`` (the only memory key
        amdgpu printed before it adopted ``drm_print_memory_stats()``); else ``drm-total``.
        ``drm_print_memory_stats()`` prints resident only when the driver passes
        ``DRM_GEM_OBJECT_RESIDENT``, and ``drm_show_memory_stats()`` passes it only when the
        client's objects have a ``status`` callback (drm_file.c), so some drivers print total
        alone. Total counts every buffer with a handle whether or not it is backed, so it is an
        upper bound; for a guard it is better to over-estimate memory the OOM killer cannot see
        than to report 0 for it.
        """
        for value in (self.resident_bytes, self.legacy_memory_bytes, self.total_bytes):
            if value is not None:
                return value
        return 0


_EMPTY_REGIONS: Mapping[str, DrmRegion] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class DrmClient:
    """One DRM client (``struct drm_file``) as its fdinfo shows it.

    Attributes:
        driver: ``drm-driver`` (mandatory in the spec).
        client_id: ``drm-client-id``; ``None`` when not printed (drivers before the common
            ``drm_show_fdinfo()`` of 6.5 that printed no id), and then the client cannot be
            deduplicated.
        pdev: ``drm-pdev``, the PCI address (``0000:03:00.0``); ``None`` for platform devices
            (msm, panfrost, …).
        regions: Region name → its figures, in file order.
        client_name: ``drm-client-name`` (set by ``DRM_IOCTL_SET_CLIENT_NAME``), when printed.
    """

    driver: str
    client_id: int | None
    pdev: str | None
    regions: Mapping[str, DrmRegion] = field(default_factory=lambda: _EMPTY_REGIONS)
    client_name: str | None = None

    def system_resident_bytes(self) -> int:
        """Bytes resident in system-RAM regions (see :func:`region_class`).

        This is the memory the OOM killer cannot see: GPU buffers in system RAM are allocated by
        the driver, not mapped as ordinary pages of the process (docs/kernel-memory.md §3 and
        §9, step 4).
        """
        return self._resident_in("system")

    def vram_resident_bytes(self) -> int:
        """Bytes resident in device-memory regions (VRAM). Never add these to RAM totals."""
        return self._resident_in("vram")

    def _resident_in(self, wanted: RegionClass) -> int:
        return sum(
            region.effective_resident_bytes
            for name, region in self.regions.items()
            if region_class(self.driver, name) == wanted
        )

    def dedupe_key(self) -> tuple[str, int] | None:
        """The key the scanner deduplicates clients on, globally across all processes.

        ``(pdev or driver, client_id)``: drm-usage-stats.rst allows ids that are "unique within
        the scope of each device, in which case drm-pdev shall be present" (since 6.5 the id is a
        global counter, ``drm_file_alloc()``). Platform devices print no ``drm-pdev``; their ids
        come from that global counter, so the driver name suffices.

        Returns:
            The key, or ``None`` when the client printed no ``drm-client-id``: then only the fd
            itself identifies it, and the caller must count it per fd.
        """
        if self.client_id is None:
            return None
        return (self.pdev or self.driver, self.client_id)


_FIELD_OF_STAT = {
    "total": "total_bytes",
    "shared": "shared_bytes",
    "resident": "resident_bytes",
    "purgeable": "purgeable_bytes",
    "active": "active_bytes",
    "memory": "legacy_memory_bytes",
}


def parse_drm_fdinfo(text: str) -> DrmClient | None:
    """Parse the fdinfo of a DRM fd.

    Args:
        text: The whole ``/proc/PID/fdinfo/N`` file.

    Returns:
        The client, or ``None`` when the text has no (non-empty) ``drm-driver`` key: not a DRM
        client, or a driver without fdinfo support (nouveau, NVIDIA's own modules).

    Raises:
        ParseError: ``drm-client-id`` is not a number, a memory key has no region name, or a
            memory value is not a size (``parse_size_bytes``).
    """
    pairs = parse_fdinfo(text)
    driver = pairs.get("drm-driver")
    if not driver:
        return None
    raw_id = pairs.get("drm-client-id")
    client_id = parse_uint(raw_id) if raw_id is not None else None
    figures: dict[str, dict[str, int]] = {}
    for key, value in pairs.items():
        if not key.startswith("drm-"):
            continue
        rest = key[4:]
        if rest.startswith(_ENGINE_PREFIXES):
            continue
        stat, sep, region = rest.partition("-")
        attr = _FIELD_OF_STAT.get(stat)
        if attr is None or not sep:
            continue  # drm-driver, drm-client-id, drm-pdev, unknown stats
        if not region:
            raise ParseError(f"drm fdinfo: no region in {key!r}")
        figures.setdefault(region, {})[attr] = parse_size_bytes(value)
    regions = {name: DrmRegion(**values) for name, values in figures.items()}
    return DrmClient(
        driver=driver,
        client_id=client_id,
        pdev=pairs.get("drm-pdev") or None,
        regions=MappingProxyType(regions),
        client_name=pairs.get("drm-client-name") or None,
    )
