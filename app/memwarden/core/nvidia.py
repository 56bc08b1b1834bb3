# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-process VRAM on NVIDIA GPUs, through NVML (``nvidia-ml-py``, module ``pynvml``).

NVIDIA's drivers print no ``drm-*`` memory keys in fdinfo (docs/kernel-memory.md §3.1), so NVML's
process lists are the only per-process source. ``pynvml`` is an optional extra
(``memwarden[nvidia]``): it is imported inside :func:`read_nvidia_vram`, never at import time, and
its absence is a status, not an error. ``usedGpuMemory`` is device memory (VRAM), not system RAM.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

NvidiaStatus = Literal["ok", "not-installed", "no-driver", "error"]

# The unversioned process-list functions are aliases of the ``_v3`` variants; with an NVML library
# older than the bindings they raise ``NVMLLibraryMismatchError`` (not an NVMLError subclass,
# pynvml.py ``throwOnVersionMismatch``), and the ``_v2`` variants still work.
_PROCESS_LISTS = (
    ("nvmlDeviceGetComputeRunningProcesses", "nvmlDeviceGetComputeRunningProcesses_v2"),
    ("nvmlDeviceGetGraphicsRunningProcesses", "nvmlDeviceGetGraphicsRunningProcesses_v2"),
)

# nvmlInit() errors that mean "no usable NVIDIA driver here" rather than a failure: the library is
# not installed (libnvidia-ml.so missing), or it is but the kernel module is not loaded.
_NO_DRIVER_ERRORS = ("NVMLError_LibraryNotFound", "NVMLError_DriverNotLoaded")

#: The NVIDIA kernel module's procfs directory (nv-procfs.c, proprietary and open modules alike;
#: /proc/driver is global, so a PID namespace sees it too). Without it NVML cannot work, and
#: importing pynvml and failing nvmlInit() would cost the monitor ~1.3 MiB of RSS and ~30 ms of its
#: first scan for nothing (bench/monitor.py).
_DRIVER_PROC = Path("/proc/driver/nvidia")


@dataclass(frozen=True, slots=True)
class NvidiaVram:
    """The result of one NVML query.

    Attributes:
        status: ``"ok"``; ``"not-installed"`` (no ``pynvml`` module); ``"no-driver"`` (no loaded
            NVIDIA kernel module, checked first, or no NVML library: the normal case on
            non-NVIDIA machines);
            ``"error"`` (NVML failed after initialising). Reason codes, not prose.
        bytes_by_pid: VRAM per pid in bytes, summed over devices; empty unless ``"ok"``. pids are
            as NVML reports them (host pids, docs/kernel-memory.md §3.4 [uncertain] inside PID
            namespaces).
        devices: How many NVIDIA devices NVML enumerated (0 unless ``"ok"``).
    """

    status: NvidiaStatus
    bytes_by_pid: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))
    devices: int = 0


def read_nvidia_vram(nvml: Any = None) -> NvidiaVram:
    """Ask NVML how much VRAM each process uses, on every NVIDIA device.

    Args:
        nvml: The ``pynvml`` module; ``None`` imports it. Tests pass a stand-in with the same
            functions and exception classes (no GPU on the test machines).

    Returns:
        The per-pid VRAM and a status code. Never raises for a missing module, library or driver.
    """
    if nvml is None:
        if not _DRIVER_PROC.exists():
            return NvidiaVram("no-driver")
        try:
            import pynvml
        except ImportError:
            return NvidiaVram("not-installed")
        nvml = pynvml
    nvml_error: type[BaseException] = nvml.NVMLError
    try:
        nvml.nvmlInit()
    except nvml_error as exc:
        no_driver = tuple(getattr(nvml, name) for name in _NO_DRIVER_ERRORS if hasattr(nvml, name))
        return NvidiaVram("no-driver" if isinstance(exc, no_driver) else "error")
    try:
        count = int(nvml.nvmlDeviceGetCount())
        totals: dict[int, int] = {}
        for index in range(count):
            handle = nvml.nvmlDeviceGetHandleByIndex(index)
            for pid, used in _device_usage(nvml, handle).items():
                # A process using two GPUs holds VRAM on both: sum over devices.
                totals[pid] = totals.get(pid, 0) + used
    except nvml_error:
        return NvidiaVram("error")
    finally:
        # Nothing to undo if shutdown fails; that failure must not hide the result.
        with contextlib.suppress(nvml_error):
            nvml.nvmlShutdown()
    return NvidiaVram("ok", MappingProxyType(totals), count)


def _device_usage(nvml: Any, handle: object) -> dict[int, int]:
    """VRAM per pid on one device, from its compute and graphics process lists."""
    used_by_pid: dict[int, int] = {}
    for names in _PROCESS_LISTS:
        procs = _process_list(nvml, handle, names)
        for proc in procs:
            used = proc.usedGpuMemory
            if used is None:
                continue  # NVML_VALUE_NOT_AVAILABLE (pynvml maps it to None; Windows WDDM)
            pid = int(proc.pid)
            # A process with both a compute and a graphics context on a device is listed in both
            # lists with the same figure: NVML reports usedGpuMemory per process and device, not
            # per context (nvidia-smi shows such a process once, with type "C+G"). Summing the
            # lists would count it twice; the max is that one figure.
            used_by_pid[pid] = max(used_by_pid.get(pid, 0), int(used))
    return used_by_pid


def _process_list(nvml: Any, handle: object, names: tuple[str, ...]) -> list[Any]:
    """Call the first process-list function that works; ``[]`` if the device cannot list them.

    A list the device does not support (``NVMLError_NotSupported``, e.g. graphics processes on
    some data-centre boards) is an empty list, not a failed query.
    """
    mismatch: tuple[type[BaseException], ...] = tuple(
        cls for cls in (getattr(nvml, "NVMLLibraryMismatchError", None),) if cls is not None
    )
    for name in names:
        function = getattr(nvml, name, None)
        if function is None:
            continue
        try:
            return list(function(handle))
        except mismatch:
            continue  # bindings newer than the library: try the older variant
        except nvml.NVMLError:
            return []
    return []
