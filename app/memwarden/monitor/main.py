# SPDX-License-Identifier: GPL-3.0-or-later
"""``memwarden monitor``: the headless watcher, for desktops (the tray talks to it over D-Bus),
servers, scripts and tests (``--json-events``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from memwarden.core.meminfo import MeminfoReader
from memwarden.core.process import ProcessKey
from memwarden.core.rule_codes import PREFER, PROTECT
from memwarden.core.settings import Settings
from memwarden.helper.constants import OOM_SCORE_ADJ_FLOOR
from memwarden.monitor.config import ConfigStore, default_config_path
from memwarden.monitor.engine import Engine
from memwarden.monitor.events import JsonLinesWriter, Listener
from memwarden.monitor.options import flag_problem, overrides_from
from memwarden.monitor.protection import Protector
from memwarden.monitor.psi_trigger import PsiWaker, open_trigger
from memwarden.monitor.self_guard import lock_memory

log = logging.getLogger("memwarden.monitor")

#: The monitor's own oom_score_adj when the helper can set it: low, but above the session's
#: usual -1000/-900 so the compositor still outranks it (the guard is useless without a desktop).
#: It is the helper's floor: below it, polkit asks for an administrator.
OWN_OOM_SCORE_ADJ = OOM_SCORE_ADJ_FLOOR
#: A helper that answers Busy (it bounds the calls in flight) is asked again after these pauses.
SELF_GUARD_RETRY_S = (2.0, 8.0, 30.0)


async def _guard_self(engine: Engine, helper: Any) -> None:
    """Lock our memory; ask the helper for a low oom_score_adj (both best effort; run in the
    background: the guard starts without waiting for the helper)."""
    engine.self_guard = {"memory": lock_memory(), "oom_score_adj": "no-helper"}
    if helper is None:
        return
    from memwarden.helper.errors import Busy, HelperError

    for pause in (0.0, *SELF_GUARD_RETRY_S):
        await asyncio.sleep(pause)
        try:
            await helper.set_oom_score_adj([ProcessKey.of(os.getpid())], OWN_OOM_SCORE_ADJ)
            engine.self_guard["oom_score_adj"] = str(OWN_OOM_SCORE_ADJ)
            return
        except Busy as exc:
            engine.self_guard["oom_score_adj"] = exc.reason  # and ask again
        except HelperError as exc:
            engine.self_guard["oom_score_adj"] = exc.reason
            return
        except Exception as exc:  # the helper is optional: nothing about it may stop the guard
            log.info("helper: %s", exc)
            engine.self_guard["oom_score_adj"] = "failed"
            return


def paused_state_path() -> Path | None:
    """Where the paused apps' pids are kept for the next monitor of this session
    (monitor/app_pause.py): the runtime directory, emptied at each boot, so a pid and start time
    read there never name a process of another boot. One file per session bus, as there is one
    monitor per session. None without a runtime directory."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if not runtime or not os.path.isdir(runtime):
        return None
    bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    digest = hashlib.sha256(bus.encode()).hexdigest()[:16]
    return Path(runtime) / "memwarden" / f"paused-{digest}.json"


async def run(args: argparse.Namespace) -> int:
    """Run the monitor until SIGTERM/SIGINT (or until its session has ended: dbus_service)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    machine = MeminfoReader(Path("/proc")).read
    meminfo = machine()
    total = (meminfo.mem_total_kib + meminfo.swap_total_kib) * 1024
    problem = flag_problem(args, total)
    if problem is not None:
        log.error("%s", problem)
        return 2  # a usage error, as argparse's
    store = None
    if not args.no_config:
        store = ConfigStore(args.config or default_config_path(), machine=machine)
        await store.read_ahead()  # in a worker thread, as every later read
        store.load()  # logs why a file was not used; the D-Bus API exposes it as ConfigError
    # The flags on top of the file (or the defaults) must keep the percentages in order.
    problem = flag_problem(args, total, store.config if store is not None else Settings())
    if problem is not None:
        log.error("%s", problem)
        return 2
    listeners: list[Listener] = [JsonLinesWriter()] if args.json_events else []
    helper = None
    if not args.no_helper:
        from memwarden.helper.client import HelperClient

        helper = HelperClient(timeout_s=5.0)
    engine = Engine(
        store,
        overrides=overrides_from(args),
        extra_rules={PROTECT: args.protect, PREFER: args.prefer},
        dry_run=args.dry_run,
        listeners=listeners,
        protector=Protector(helper),
        # Without the bus no tray can show a paused app, so none is ever paused.
        paused_state_path=None if args.no_dbus else paused_state_path(),
    )
    guarding_self = asyncio.ensure_future(_guard_self(engine, helper))

    api = None
    if not args.no_dbus:
        from memwarden.monitor import dbus_service

        try:
            # Kept on the bus in the background: a lost bus means reconnecting, never stopping.
            api = await dbus_service.serve(engine, stop=stop)
        except dbus_service.NameTaken as exc:
            # One monitor per session: a second one would race the first for every kill.
            log.error("another monitor is running: %s", exc)
            guarding_self.cancel()
            if helper is not None:
                helper.close()
            return 1
    wake = asyncio.Event()
    waker = None
    fd = open_trigger(Path("/proc/pressure/memory"))
    if fd is not None:
        waker = PsiWaker(loop, wake, fd)
        waker.start()
    engine.emit(
        "state",
        state=engine.machine.state.value,
        previous=None,
        thresholds=engine.thresholds_json(),
        dry_run=engine.dry_run,
        pid=os.getpid(),
    )
    try:
        await engine.run(stop, wake)
    finally:
        guarding_self.cancel()
        with contextlib.suppress(BaseException):
            await guarding_self
        if waker is not None:
            waker.stop()
        if api is not None:
            with contextlib.suppress(Exception):
                await api.close()
        if helper is not None:
            helper.close()
    return api.exit_status if api is not None else 0


def main(args: argparse.Namespace) -> int:
    """Entry point from ``memwarden monitor``."""
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        stream=sys.stderr,
        format="memwarden-monitor: %(levelname)s %(name)s: %(message)s",
    )
    return asyncio.run(run(args))
