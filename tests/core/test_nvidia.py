# SPDX-License-Identifier: GPL-3.0-or-later
"""NVML per-process VRAM.

The test machines have no NVIDIA GPU, so the NVML logic runs against a stand-in module that
behaves like ``pynvml`` (nvidia-ml-py 13.x): the same function names, ``NVMLError`` subclasses
carrying ``.value``, ``usedGpuMemory = None`` for NVML_VALUE_NOT_AVAILABLE, and the
``NVMLLibraryMismatchError`` (not an NVMLError) of its unversioned functions. The paths that need no
GPU — module absent, library or driver absent — run for real.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memwarden.core import nvidia
from memwarden.core.nvidia import NvidiaVram, read_nvidia_vram

GiB = 1024**3
MiB = 1024**2


class NVMLError(Exception):
    """pynvml.NVMLError: the error code is in ``.value``."""

    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.value = value


def _error_class(name: str, value: int) -> type[NVMLError]:
    # pynvml builds one subclass per code; they are raised without arguments.
    return type(name, (NVMLError,), {"__init__": lambda self: NVMLError.__init__(self, value)})


NotSupported = _error_class("NVMLError_NotSupported", 3)
NoPermission = _error_class("NVMLError_NoPermission", 4)
DriverNotLoaded = _error_class("NVMLError_DriverNotLoaded", 9)
LibraryNotFound = _error_class("NVMLError_LibraryNotFound", 12)
GpuIsLost = _error_class("NVMLError_GpuIsLost", 15)
Uninitialized = _error_class("NVMLError_Uninitialized", 1)


class NVMLLibraryMismatchError(Exception):
    """pynvml's unversioned functions raise this (not an NVMLError) on an older library."""


def proc(pid: int, used: int | None) -> SimpleNamespace:
    return SimpleNamespace(
        pid=pid, usedGpuMemory=used, gpuInstanceId=0xFFFFFFFF, computeInstanceId=0xFFFFFFFF
    )


Listing = Sequence[SimpleNamespace] | Exception


class FakeNvml:
    """A stand-in for the pynvml module with scripted devices and failures."""

    NVMLError = NVMLError
    NVMLError_NotSupported = NotSupported
    NVMLError_NoPermission = NoPermission
    NVMLError_DriverNotLoaded = DriverNotLoaded
    NVMLError_LibraryNotFound = LibraryNotFound
    NVMLError_GpuIsLost = GpuIsLost
    NVMLError_Uninitialized = Uninitialized

    def __init__(
        self,
        devices: Sequence[tuple[Listing, Listing]] = (),
        *,
        init_error: Exception | None = None,
        count_error: Exception | None = None,
        handle_error: Exception | None = None,
        shutdown_error: Exception | None = None,
        old_library: bool = False,
        has_mismatch_error: bool = True,
    ) -> None:
        if has_mismatch_error:  # absent from older nvidia-ml-py releases
            self.NVMLLibraryMismatchError = NVMLLibraryMismatchError
        self.devices = list(devices)
        self.init_error = init_error
        self.count_error = count_error
        self.handle_error = handle_error
        self.shutdown_error = shutdown_error
        self.old_library = old_library
        self.initialised = 0
        self.shut_down = 0

    def nvmlInit(self) -> None:
        if self.init_error:
            raise self.init_error
        self.initialised += 1

    def nvmlShutdown(self) -> None:
        assert self.initialised, "nvmlShutdown without nvmlInit"
        self.shut_down += 1
        if self.shutdown_error:
            raise self.shutdown_error

    def nvmlDeviceGetCount(self) -> int:
        assert self.initialised
        if self.count_error:
            raise self.count_error
        return len(self.devices)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> object:
        if self.handle_error:
            raise self.handle_error
        return ("handle", index)

    def _listing(self, handle: Any, which: int) -> list[SimpleNamespace]:
        listing = self.devices[handle[1]][which]
        if isinstance(listing, Exception):
            raise listing
        return list(listing)

    def nvmlDeviceGetComputeRunningProcesses(self, handle: Any) -> list[SimpleNamespace]:
        if self.old_library:
            raise NVMLLibraryMismatchError("use nvmlDeviceGetComputeRunningProcesses_v2")
        return self._listing(handle, 0)

    def nvmlDeviceGetGraphicsRunningProcesses(self, handle: Any) -> list[SimpleNamespace]:
        if self.old_library:
            raise NVMLLibraryMismatchError("use nvmlDeviceGetGraphicsRunningProcesses_v2")
        return self._listing(handle, 1)

    def nvmlDeviceGetComputeRunningProcesses_v2(self, handle: Any) -> list[SimpleNamespace]:
        return self._listing(handle, 0)

    def nvmlDeviceGetGraphicsRunningProcesses_v2(self, handle: Any) -> list[SimpleNamespace]:
        return self._listing(handle, 1)


def test_per_pid_vram_max_within_a_device_sum_across_devices():
    nvml = FakeNvml(
        [
            (  # device 0: compute list, graphics list
                [proc(4242, 3 * GiB), proc(5150, None)],
                [proc(4242, 3 * GiB), proc(2516, 412 * MiB), proc(7001, 96 * MiB)],
            ),
            ([proc(4242, 1 * GiB)], []),  # device 1
        ]
    )
    result = read_nvidia_vram(nvml)
    assert result.status == "ok" and result.devices == 2
    # 4242: C+G on device 0 (one figure, listed twice) + device 1; 5150: not available -> absent.
    assert dict(result.bytes_by_pid) == {
        4242: 3 * GiB + 1 * GiB,
        2516: 412 * MiB,
        7001: 96 * MiB,
    }
    assert (nvml.initialised, nvml.shut_down) == (1, 1)


def test_differing_figures_in_both_lists_take_the_larger():
    nvml = FakeNvml([([proc(88, 700 * MiB)], [proc(88, 650 * MiB)])])
    assert dict(read_nvidia_vram(nvml).bytes_by_pid) == {88: 700 * MiB}


def test_no_devices():
    nvml = FakeNvml([])
    assert read_nvidia_vram(nvml) == NvidiaVram("ok", {}, 0)
    assert nvml.shut_down == 1


@pytest.mark.parametrize(
    ("error", "status"),
    [(LibraryNotFound(), "no-driver"), (DriverNotLoaded(), "no-driver"), (NoPermission(), "error")],
)
def test_init_failure_is_a_status_and_nothing_to_shut_down(error, status):
    nvml = FakeNvml(init_error=error)
    assert read_nvidia_vram(nvml) == NvidiaVram(status)
    assert nvml.shut_down == 0


@pytest.mark.parametrize("where", ["count_error", "handle_error"])
def test_failure_after_init_is_an_error_and_still_shuts_down(where):
    nvml = FakeNvml([([proc(1, 1)], [])], **{where: GpuIsLost()})
    assert read_nvidia_vram(nvml) == NvidiaVram("error")
    assert nvml.shut_down == 1


def test_a_list_the_device_cannot_give_is_empty():
    nvml = FakeNvml([([proc(31337, 2 * GiB)], NotSupported())])
    result = read_nvidia_vram(nvml)
    assert result.status == "ok" and dict(result.bytes_by_pid) == {31337: 2 * GiB}


def test_older_library_falls_back_to_v2_functions():
    nvml = FakeNvml([([proc(600, 5 * MiB)], [proc(601, 7 * MiB)])], old_library=True)
    assert dict(read_nvidia_vram(nvml).bytes_by_pid) == {600: 5 * MiB, 601: 7 * MiB}


def test_bindings_without_mismatch_error_class():
    nvml = FakeNvml([([proc(600, 5 * MiB)], [])], has_mismatch_error=False)
    assert not hasattr(nvml, "NVMLLibraryMismatchError")
    assert dict(read_nvidia_vram(nvml).bytes_by_pid) == {600: 5 * MiB}


def test_shutdown_failure_does_not_hide_the_result():
    nvml = FakeNvml([([proc(9, 4 * MiB)], [])], shutdown_error=Uninitialized())
    assert dict(read_nvidia_vram(nvml).bytes_by_pid) == {9: 4 * MiB}


# -- the real module on this machine ---------------------------------------------------------------


def test_module_absent_is_not_installed(monkeypatch, tmp_path):
    monkeypatch.setattr(nvidia, "_DRIVER_PROC", tmp_path)  # as if the kernel module were loaded
    monkeypatch.setitem(sys.modules, "pynvml", None)  # the import statement raises ImportError
    assert read_nvidia_vram() == NvidiaVram("not-installed")


def test_no_kernel_module_does_not_load_nvml(tmp_path):
    """Without /proc/driver/nvidia NVML cannot work: pynvml is not even imported (monitor RSS)."""
    code = (
        "import sys; from pathlib import Path; from memwarden.core import nvidia\n"
        f"nvidia._DRIVER_PROC = Path({str(tmp_path / 'absent')!r})\n"
        "assert nvidia.read_nvidia_vram() == nvidia.NvidiaVram('no-driver')\n"
        "assert 'pynvml' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_real_environment():
    """Whatever this machine has: no pynvml, pynvml without a driver (the CI case), or a GPU."""
    result = read_nvidia_vram()
    if not nvidia._DRIVER_PROC.exists():
        assert result == NvidiaVram("no-driver")
        return
    try:
        import pynvml
    except ImportError:
        assert result == NvidiaVram("not-installed")
        return
    try:
        pynvml.nvmlInit()
    except (pynvml.NVMLError_LibraryNotFound, pynvml.NVMLError_DriverNotLoaded):
        assert result == NvidiaVram("no-driver")
        return
    count = pynvml.nvmlDeviceGetCount()
    pynvml.nvmlShutdown()
    assert result.status == "ok" and result.devices == count


def test_importing_core_does_not_import_pynvml():
    code = "import sys, memwarden.core.nvidia; assert 'pynvml' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- fuzzing: any process lists give max-per-device, sum-over-devices figures ---------------------

PROCS = st.lists(
    st.builds(proc, st.integers(min_value=1, max_value=8), st.none() | st.integers(0, 2**40)),
    max_size=6,
)


@given(st.lists(st.tuples(PROCS | st.just(NotSupported()), PROCS), max_size=4))
def test_fuzz_against_a_model(devices):
    result = read_nvidia_vram(FakeNvml(devices))
    expected: dict[int, int] = {}
    for compute, graphics in devices:
        listed = [] if isinstance(compute, Exception) else list(compute)
        on_device: dict[int, int] = {}
        for p in [*listed, *graphics]:
            if p.usedGpuMemory is not None:
                on_device[p.pid] = max(on_device.get(p.pid, 0), p.usedGpuMemory)
        for pid, used in on_device.items():
            expected[pid] = expected.get(pid, 0) + used
    assert result.status == "ok" and result.devices == len(devices)
    assert dict(result.bytes_by_pid) == expected
