# SPDX-License-Identifier: GPL-3.0-or-later
"""``memwarden-helper``: the privileged D-Bus system service, and the only privileged code.

It owns ``io.github.memwarden.Helper1`` on the system bus, is started by D-Bus activation and
exits after a while without calls. Two methods change anything, each behind its own polkit action
(declared right under the method; SetOomScoreAdj below the floor behind a second, stronger one);
the rest is read-only. All calls go through the caller shim (:mod:`memwarden.helper.caller`),
which bounds, authorizes, runs and maps errors; nothing here ever sends a traceback. The API is
documented in ``packaging/dbus/io.github.memwarden.Helper1.xml``.
"""

# No `from __future__ import annotations` here: dbus-fast reads these annotations at class
# creation, and a postponed `-> None` would reach it as the string "None", which it rejects.

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from dbus_fast import BusType, Message, MessageType, NameFlag, RequestNameReply
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusInt32, DBusSignature, DBusStr
from dbus_fast.service import ServiceInterface, dbus_method

from memwarden import __version__
from memwarden.core import reason_codes as codes
from memwarden.core.process import ProcessKey
from memwarden.helper import constants as c
from memwarden.helper import kernel, privileges, targets
from memwarden.helper.caller import (
    Caller,
    CallerShim,
    current_caller,
    read_only,
    requires_action,
)
from memwarden.helper.errors import Failed
from memwarden.helper.incoming import connect_limited
from memwarden.helper.pacing import FreeMemoryPacer, IdleTimer
from memwarden.helper.polkit import PolkitAuthority

_LOG = logging.getLogger("memwarden.helper")

# SetOomScoreAdj's processes as they come off the wire (pid, start time): unvalidated input, made
# into ProcessKeys only once the call is authorized.
ProcessList = Annotated[list[tuple[int, int]], DBusSignature("a(ut)")]
StringList = Annotated[list[str], DBusSignature("as")]
AvailableBeforeAfter = Annotated[tuple[int, int], DBusSignature("tt")]


@dataclass(frozen=True, slots=True)
class _Credentials:
    uid: int
    pid: int


# Worker threads for /proc and sysctl work: one SetOomScoreAdj and one FreeMemory at a time (see
# HelperInterface), so two; the unit's TasksMax= counts on it.
_WORKER_THREADS = 2


def _adj_details(processes: Sequence[tuple[int, int]], score_adj: int) -> Mapping[str, str]:
    """polkit details of SetOomScoreAdj, so that rules can look at them (see the rules example)."""
    return {
        "score_adj": str(score_adj),
        "pids": ",".join(str(pid) for pid, _ in processes[: c.MAX_PROCESSES_PER_CALL]),
    }


def _adj_precheck(processes: Sequence[tuple[int, int]], score_adj: int) -> None:
    """Refuse, before polkit is asked, what no authorization could make valid."""
    targets.check_request([pid for pid, _ in processes], score_adj)


def _below_floor(processes: Sequence[tuple[int, int]], score_adj: int) -> bool:
    """Lower than the monitor ever asks for: an administrator must agree (constants)."""
    return score_adj < c.OOM_SCORE_ADJ_FLOOR


class HelperInterface(ServiceInterface):
    """The ``io.github.memwarden.Helper1`` interface.

    Reached only through :class:`~memwarden.helper.caller.CallerShim`.

    Args:
        bus: The connection, to ask the bus daemon who a caller is.
        hold: Called with the event loop time until which the helper must keep running
            (``IdleTimer.hold_until``): FreeMemory's rate limit must outlive an idle exit.
        proc_root: The procfs the methods read and write.
    """

    def __init__(
        self,
        bus: MessageBus,
        hold: Callable[[float], None] | None = None,
        *,
        proc_root: Path,
    ) -> None:
        super().__init__(c.INTERFACE)
        self._bus = bus
        self._proc_root = proc_root
        self._free_memory = FreeMemoryPacer(c.FREE_MEMORY_MIN_INTERVAL_S, hold)
        # One call's /proc work at a time: each holds up to 2 fds per target until it is done
        # (LimitNOFILE= in the unit), and the work is quick (no I/O but procfs).
        self._targets_lock = asyncio.Lock()

    async def _credentials(self, caller: Caller) -> _Credentials:
        """The caller's uid and pid, from the bus daemon (it read them from the socket)."""
        reply = await self._bus.call(
            Message(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus",
                member="GetConnectionCredentials",
                signature="s",
                body=[caller.bus_name],
            )
        )
        if reply.message_type is MessageType.ERROR:
            raise Failed(codes.NO_CALLER_CREDENTIALS)
        creds: dict[str, Any] = reply.body[0]
        try:
            return _Credentials(int(creds["UnixUserID"].value), int(creds["ProcessID"].value))
        except (KeyError, TypeError, ValueError):
            raise Failed(codes.NO_CALLER_CREDENTIALS) from None

    @dbus_method()
    @read_only
    async def GetVersion(self) -> DBusStr:
        """The MemWarden version of this helper."""
        return __version__

    @dbus_method()
    @read_only
    async def GetCapabilities(self) -> StringList:
        """Feature codes of what this instance can do here (``constants.FEATURE_*``)."""
        return kernel.features(self._proc_root)

    @dbus_method()
    @requires_action(
        c.ACTION_SET_OOM_SCORE_ADJ,
        details=_adj_details,
        precheck=_adj_precheck,
        stronger=(c.ACTION_SET_OOM_SCORE_ADJ_BELOW_FLOOR, _below_floor),
    )
    async def SetOomScoreAdj(self, processes: ProcessList, score_adj: DBusInt32) -> None:
        """Set ``oom_score_adj`` of the caller's own processes, all or nothing."""
        who = await self._credentials(current_caller())
        wanted = [ProcessKey(pid, starttime) for pid, starttime in processes]
        # /proc reads can block behind mmap_lock under memory pressure: keep the loop free.
        async with self._targets_lock:
            changes = await asyncio.to_thread(
                targets.set_oom_score_adj, wanted, score_adj, who.uid, self._proc_root
            )
        for change in changes:
            _LOG.info(
                "uid %d (pid %d) set oom_score_adj of pid %d (%s): %d -> %d",
                who.uid,
                who.pid,
                change.pid,
                change.comm,
                change.old,
                change.new,
            )

    @dbus_method()
    @requires_action(c.ACTION_FREE_MEMORY)
    async def FreeMemory(self) -> AvailableBeforeAfter:
        """Drop clean caches and compact memory; returns MemAvailable before and after (KiB).

        At most once per ``FREE_MEMORY_MIN_INTERVAL_S`` on the machine; see FreeMemoryPacer.
        """
        who = await self._credentials(current_caller())
        result = await self._free_memory.run(
            lambda: asyncio.to_thread(kernel.free_memory, self._proc_root)
        )
        _LOG.info(
            "uid %d (pid %d) freed memory: MemAvailable %d -> %d KiB",
            who.uid,
            who.pid,
            result.available_before_kib,
            result.available_after_kib,
        )
        return result.available_before_kib, result.available_after_kib


async def serve(idle_timeout_s: float, proc_root: Path) -> int:
    """Own the bus name and answer calls until idle, SIGTERM, or the bus going away.

    Args:
        idle_timeout_s: Seconds without calls after which it exits.
        proc_root: The procfs the methods read and write.

    Returns:
        The exit status: 0 after a normal stop, 1 when the bus or the name was unavailable.
    """
    loop = asyncio.get_running_loop()
    loop.set_default_executor(
        ThreadPoolExecutor(max_workers=_WORKER_THREADS, thread_name_prefix="memwarden-helper")
    )
    try:
        # Size-limited reads, and a full socket waits instead of closing the connection: a flood
        # of calls must not cost the helper its memory or its place on the bus.
        bus, incoming = await connect_limited(BusType.SYSTEM)
    except Exception as exc:  # no system bus: nothing to serve
        _LOG.error("cannot connect to the system bus: %s", exc)
        return 1
    idle = IdleTimer(idle_timeout_s)
    interface = HelperInterface(bus, idle.hold_until, proc_root=proc_root)
    shim = CallerShim(
        c.OBJECT_PATH,
        interface,
        PolkitAuthority(bus),
        bus.send,
        idle.busy,
        was_cut=incoming.was_cut,
    )
    # Handler and export first, name last: no call can arrive before we can answer it.
    bus.add_message_handler(shim)
    bus.export(c.OBJECT_PATH, interface)
    try:
        reply = await bus.request_name(c.BUS_NAME, NameFlag.DO_NOT_QUEUE)
    except Exception as exc:  # the bus policy refuses (not root, policy file missing)
        _LOG.error("cannot own %s: %s", c.BUS_NAME, exc)
        bus.disconnect()
        return 1
    if reply is not RequestNameReply.PRIMARY_OWNER:
        _LOG.error("cannot own %s: %s", c.BUS_NAME, reply.name)
        bus.disconnect()
        return 1
    _LOG.info("owning %s as %s (version %s)", c.BUS_NAME, bus.unique_name, __version__)

    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    disconnected = asyncio.ensure_future(bus.wait_for_disconnect())  # type: ignore[no-untyped-call]
    idle_or_stop = {asyncio.ensure_future(idle.wait_idle()), asyncio.ensure_future(stop.wait())}
    done, pending = await asyncio.wait(
        {disconnected, *idle_or_stop}, return_when=asyncio.FIRST_COMPLETED
    )
    for task in pending - {disconnected}:
        task.cancel()
    if disconnected in done:
        _LOG.warning("the system bus went away; exiting")
        return 0
    # Give the name back before leaving: calls sent to it from now on activate a new instance.
    # Calls routed to us before that are ahead of the reply in our stream, so they are already
    # dispatched when release_name returns; drain answers them.
    _LOG.info("idle or stopped: releasing %s", c.BUS_NAME)
    try:
        await bus.release_name(c.BUS_NAME)
    except Exception as exc:  # the bus went away meanwhile: nothing left to release
        _LOG.warning("could not release %s: %s", c.BUS_NAME, exc)
    await shim.drain()
    bus.disconnect()
    # A disconnect we asked for may still report the closed socket as an error.
    with contextlib.suppress(Exception):
        await disconnected
    return 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="memwarden-helper",
        description="MemWarden's privileged helper (D-Bus system service; started by D-Bus).",
    )
    parser.add_argument("--verbose", action="store_true", help="log debug messages")
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=c.DEFAULT_IDLE_TIMEOUT_S,
        metavar="SECONDS",
        help=f"exit after this long without calls (default {c.DEFAULT_IDLE_TIMEOUT_S:g})",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = parser.parse_args(argv)
    if args.idle_timeout <= 0:
        parser.error("--idle-timeout must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``memwarden-helper``.

    Logs to stderr, which systemd sends to the journal (it adds time and identity itself).
    """
    args = _parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if os.geteuid() != 0:
        _LOG.warning("not running as root: only processes of uid %d can be changed", os.geteuid())
    # The one place the procfs is named: everything below reads and writes the proc_root it is
    # given, so that tests can run the same code on a recorded tree.
    proc_root = Path("/proc")
    _confine(proc_root)
    return asyncio.run(serve(args.idle_timeout, proc_root))


def _confine(proc_root: Path) -> None:
    """Drop every capability but the two it needs, before anything reaches us from the bus."""
    sets, problems = privileges.drop_unneeded_capabilities(proc_root)
    unwanted = kernel.unwanted_capabilities(sets)
    if unwanted:
        _LOG.warning(
            "could not drop capabilities %#x (%s): running with more than it needs",
            unwanted,
            "; ".join(problems),
        )
    _LOG.debug(
        "capabilities: effective %#x, bounding %#x, no_new_privs %s%s",
        sets.effective,
        sets.bounding,
        sets.no_new_privs,
        f" ({'; '.join(problems)})" if problems else "",
    )


if __name__ == "__main__":
    sys.exit(main())
