# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the monitor's cost by state (issue 13): calm, warning and critical, beside earlyoom.

Every run is its own PID namespace (``unshare --pid --fork --mount-proc``; this module is its
PID 1, as in :mod:`bench.monitor`) holding a synthetic desktop (:mod:`bench.synthetic_desktop`,
about 63 fds a process: 100, 300 and 1,000 processes hold 6k, 19k and 63k fds; the fd limit is per
process, so no ``ulimit -n`` is needed). CPU is the tools' run time from schedstat (to the
nanosecond; utime+stime in 10 ms ticks is printed beside it), over wall time: the share of one
core. VmRSS is read at the end of each run.

Warning — ``memwarden monitor --no-dbus --no-helper --no-config --dry-run --json-events`` with
``--warn-below-mib`` just under RAM + swap (``WARN_BELOW_TOTAL_MIB``; the monitor refuses a level at
or above it), so available memory is below it and memory freed elsewhere on a shared machine cannot
bring the monitor back to calm (it would need the warning level plus 2 % of RAM + swap), and
``--kill-below-mib`` half the defaults' gap between their warning and close levels (5 % of RAM +
swap) below the MemAvailable+SwapFree at the start: available memory midway between the two, where a
desktop in warning at the defaults sits. The monitor samples by that distance (about every 0.1 s on
24 GiB), and nothing is closed (``--dry-run`` besides: memory taken elsewhere cannot make it signal
anything). Its JSON events say which state it was in during the window; a row whose monitor left the
warning state or exited, or whose distance to the close level moved by more than
``MARGIN_DRIFT_MIB`` (memory taken or freed elsewhere), is run once more. earlyoom runs beside it
with ``-M`` at the same close level and ``--dryrun`` (Debian's ``-r 3600``; it polls every 0.1-1 s
by the same distance). The 300-process run also has a second monitor and earlyoom with their
defaults, which are calm there.

Critical — a leaker grows ``LEAK_CHUNK_MIB`` every ``LEAK_PERIOD_MS`` (about 130 MB/s) beside a
300-process desktop, the close level ``LEAK_DISTANCE_MIB`` below the start (the warning level the
defaults' gap above it), so the close comes after about 20 s of warning and critical. CPU from the
leak's start until the tool's first signal (and, in the details, until the leaker is dead).
MemWarden's leaker holds an unmapped memfd (the case it must get right); earlyoom's holds anonymous
memory, since earlyoom does not see a memfd and would close desktop processes one by one instead. A
run in which memory taken or freed elsewhere moved by more than ``LEAK_DRIFT_MIB`` (the close then
comes seconds early or late), or whose leaker was never closed, is run once more.

Prints figures and ratios measured in this run; asserts nothing (benchmarks are not tests).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.monitor import (
    GOAL_CPU_S_PER_MIN,
    GOAL_RSS_MIB,
    ROOT,
    _held_mib,
    _in_namespace,
    _machine_busy,
    _pump,
    _rss_kib,
    _run_ns,
    _start_tool,
    available_kib,
)

MiB = 1024 * 1024
WARNING_PROCS = (100, 300, 1000)
CALM_PROCS = 300  # the calm row rides along in this warning run
WARNING_S = 20.0
#: Imports, the first scan and the engine's settling time after leaving calm (1 s) are not counted.
STARTUP_S = 3.0
WARN_BELOW_TOTAL_MIB = 256
#: Half the defaults' gap between the warning and the close levels (core/settings.py: 15 % and
#: 10 % of RAM + swap): the distance from available memory to the close level at the start.
MARGIN_PERCENT = 2.5
#: Never closer than this to the close level at the start (machines under 10 GiB).
MIN_MARGIN_MIB = 256
#: A row whose distance to the close level moved more than this (memory taken or freed elsewhere)
#: sampled at another rate than it set out to: it is run again.
MARGIN_DRIFT_MIB = 300

CRITICAL_PROCS = 300
LEAK_CHUNK_MIB, LEAK_PERIOD_MS = 16, 110
#: ~22 s of the leak at the rate it reaches (the hog sleeps the period, then fills the chunk:
#: 120-140 MB/s measured on the 2-CPU test VM, less when the machine is busy).
LEAK_DISTANCE_MIB = 2880
LEAK_CAP_MIB = LEAK_DISTANCE_MIB + 1536
LEAK_TIMEOUT_S = 45.0
#: A critical run in which memory taken or freed elsewhere moved by more than this (~4 s of the
#: leak: the close came that much early or late) is run again.
LEAK_DRIFT_MIB = 500
#: Goals from issue 13, in % of one core.
GOAL_WARNING_PCT = 2.0
GOAL_CRITICAL_PCT = 5.0


# -- in the namespace ------------------------------------------------------------------------------


def _known_start() -> None:
    """oom_score_adj 0 for everything started from here (see bench.monitor.reaction_run)."""
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as f:
        f.write("0")


def _totals_mib() -> int:
    text = Path("/proc/meminfo").read_text()
    fields = dict(re.findall(r"^(MemTotal|SwapTotal):\s+(\d+)", text, re.M))
    return (int(fields["MemTotal"]) + int(fields["SwapTotal"])) // 1024


def _spawn(cmd: list[str], word: str) -> tuple[subprocess.Popen[str], list[tuple[float, str]]]:
    """Start a tool, collect its lines with their times, return once it printed ``word``."""
    lines: list[tuple[float, str]] = []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = threading.Event()
    for stream in (proc.stdout, proc.stderr):
        threading.Thread(target=_pump, args=(stream, lines, ready, word), daemon=True).start()
    ready.wait(timeout=60)
    return proc, lines


def _states(lines: list[tuple[float, str]], t0: float, t1: float) -> dict[str, Any]:
    """MemWarden's state at ``t0``, its changes until ``t1`` (s after t0), warnings in between."""
    at_start, changes, warnings = None, [], 0
    for t, line in list(lines):
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        if event["event"] == "state":
            if t <= t0:
                at_start = event["state"]
            elif t <= t1:
                changes.append((round(t - t0, 2), event["state"]))
        elif event["event"] == "warning" and t0 < t <= t1:
            warnings += 1
    return {"at_start": at_start, "changes": changes, "warnings": warnings}


def _stop(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def warning_run(spec: dict[str, Any]) -> dict[str, Any]:
    """The monitor held in warning (and, with ``calm``, calm ones beside it); this is PID 1."""
    from bench import synthetic_desktop

    assert os.getpid() == 1, "run me in a PID namespace"
    _known_start()
    t, before = time.monotonic(), available_kib()
    desktop = synthetic_desktop.start(spec["procs"])
    result: dict[str, Any] = {"desktop_start_s": time.monotonic() - t,
                              "desktop_mib": (before - available_kib()) // 1024,
                              "procs": len(desktop.pids), "fds": desktop.fd_count()}
    try:
        avail0, total = available_kib() // 1024, _totals_mib()
        warn = total - WARN_BELOW_TOTAL_MIB
        close = avail0 - max(int(total * MARGIN_PERCENT / 100), MIN_MARGIN_MIB)
        result.update(avail0_mib=avail0, warn_mib=warn, close_mib=close)
        if warn <= avail0 or close <= 0:
            result["skipped"] = (f"available memory + free swap ({avail0} MiB) is not below "
                                 f"RAM + swap - {WARN_BELOW_TOTAL_MIB} MiB ({warn} MiB)")
            return result
        monitor = [sys.executable, "-m", "memwarden", "monitor", "--no-dbus", "--no-helper",
                   "--no-config", "--json-events"]
        cmds = {
            "memwarden": ([*monitor, "--dry-run", "--warn-below-mib", str(warn),
                           "--kill-below-mib", str(close)], '"event":"state"'),
            # --dryrun: memory taken elsewhere could cross its -M, and the biggest process here
            # for earlyoom (by oom_score) is a monitor.
            "earlyoom": (["earlyoom", "-M", str(close * 1024), "-r", "3600", "--dryrun"],
                         "mem avail:"),
        }
        if spec["calm"]:
            cmds["memwarden calm"] = (monitor, '"event":"state"')
            cmds["earlyoom calm"] = (["earlyoom", "-r", "3600"], "mem avail:")
        tools = {name: _spawn(cmd, word) for name, (cmd, word) in cmds.items()}
        try:
            time.sleep(STARTUP_S)
            t0, busy0 = time.monotonic(), _machine_busy()
            start = {n: (_run_ns(p.pid), _ticks(p.pid)) for n, (p, _) in tools.items()}
            # The monitor samples by the distance to the close level, which memory taken or
            # freed elsewhere on a shared machine moves: the distance during the window.
            margins = []
            while time.monotonic() - t0 < spec["window_s"]:
                margins.append(available_kib() // 1024 - close)
                time.sleep(0.25)
            t1, busy1 = time.monotonic(), _machine_busy()
            result["margin_mib"] = [min(margins), statistics.median(margins), max(margins)]
            result["busy_cpus"] = _busy_cpus(busy0, busy1)
            result["tools"] = {}
            for name, (p, lines) in tools.items():
                if p.poll() is not None:
                    time.sleep(0.05)  # the reader threads drain the pipes
                    result["tools"][name] = {"exited": p.returncode,
                                             "said": [line[:160] for _, line in lines[-3:]]}
                    continue
                result["tools"][name] = {
                    "cpu_share": (_run_ns(p.pid) - start[name][0]) / 1e9 / (t1 - t0),
                    "tick_share": (_ticks(p.pid) - start[name][1]) / (t1 - t0),
                    **_rss_kib(p.pid),
                    **(_states(lines, t0, t1) if name.startswith("memwarden") else {}),
                }
        finally:
            _stop([p for p, _ in tools.values()])
    finally:
        desktop.stop()
    return result


def _busy_cpus(busy0: tuple[int, int], busy1: tuple[int, int]) -> float:
    """How many of the machine's CPUs were busy between the two readings (all its work)."""
    return (busy1[0] - busy0[0]) / (busy1[1] - busy0[1]) * (os.cpu_count() or 1)


def _ticks(pid: int) -> float:
    """utime+stime in seconds (10 ms ticks), for comparison with schedstat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def critical_run(spec: dict[str, Any]) -> dict[str, Any]:
    """A leak beside the desktop until the tool closes it; this process is PID 1."""
    from bench import synthetic_desktop

    sys.path.insert(0, str(ROOT / "tests"))
    from hogs import start_hog

    assert os.getpid() == 1, "run me in a PID namespace"
    _known_start()
    desktop = synthetic_desktop.start(CRITICAL_PROCS)
    leaker = start_hog(spec["kind"], LEAK_CAP_MIB * MiB, name="leaker",
                       extra=f"{LEAK_CHUNK_MIB}:{LEAK_PERIOD_MS}")
    avail0 = available_kib() // 1024
    close = avail0 - LEAK_DISTANCE_MIB
    tool, lines = _start_tool(spec["tool"], close)  # waits until it watches, then SETTLE_S
    assert tool is not None
    pidfd = os.pidfd_open(leaker.pid)
    held: list[tuple[float, int]] = []
    elsewhere: list[int] = []  # memory taken (+) or freed (-) by others since the start, MiB
    stop = threading.Event()

    def watch_leak() -> None:
        # What the leaker holds, twice a second: its real rate on a busy machine, and how much
        # of the drop in available memory is not its own.
        while not stop.wait(0.5):
            mib = _held_mib(leaker.pid, spec["kind"])
            if mib > 0:
                held.append((time.monotonic(), mib))
                elsewhere.append(avail0 - available_kib() // 1024 - mib)

    try:
        run0, ticks0 = _run_ns(tool.pid), _ticks(tool.pid)
        t_leak, busy0 = time.monotonic(), _machine_busy()
        leaker.start_leak()
        threading.Thread(target=watch_leak, daemon=True).start()
        signalled = None  # (when, run time) at the tool's first signal, seen within 20 ms
        dead = False
        while not dead and time.monotonic() - t_leak < LEAK_TIMEOUT_S:
            dead = bool(select.select([pidfd], [], [], 0.02)[0])
            if signalled is None and any(_is_signal(line) for _, line in list(lines)):
                signalled = (time.monotonic(), _run_ns(tool.pid))
        t_dead, busy1 = time.monotonic(), _machine_busy()
        run1, ticks1 = _run_ns(tool.pid), _ticks(tool.pid)
        stop.set()
        wall = t_dead - t_leak
        rss = _rss_kib(tool.pid)
        time.sleep(0.05)  # the reader threads drain the pipes
        return {
            "tool": spec["tool"], "kind": spec["kind"], "procs": len(desktop.pids),
            "avail0_mib": avail0, "close_mib": close, "dead": dead, "wall_s": wall,
            "cpu_share": ((signalled[1] - run0) / 1e9 / (signalled[0] - t_leak)
                          if signalled else None),
            "signal_s": signalled[0] - t_leak if signalled else None,
            "dead_share": (run1 - run0) / 1e9 / wall, "tick_share": (ticks1 - ticks0) / wall,
            "leak_mib_per_s": held[-1][1] / (held[-1][0] - t_leak) if held else None,
            "elsewhere_mib": [min(elsewhere, default=0), max(elsewhere, default=0)],
            "busy_cpus": _busy_cpus(busy0, busy1),
            "claims": _claims(spec["tool"], lines, t_leak, leaker.pid), **rss,
            **(_states(lines, t_leak, t_dead) if spec["tool"] == "memwarden" else {}),
        }
    finally:
        stop.set()
        _stop([tool])
        leaker.stop()
        desktop.stop()
        os.close(pidfd)


def _is_signal(line: str) -> bool:
    """The tool's line that says it signals an app (MemWarden's kill event, earlyoom's)."""
    return line.startswith('{"event":"kill"') or bool(re.search(r"sending SIG\w+ to proc", line))


def _claims(tool: str, lines: list[tuple[float, str]], t_leak: float, leaker: int) -> list[str]:
    """When (s into the leak) and whom the tool says it signalled: the leaker or the desktop."""
    claims = []
    for t, line in list(lines):
        if tool == "memwarden" and line.startswith('{"event":"kill"'):
            event = json.loads(line)
            app = event["app"]
            whom = "the leaker" if leaker in app["pids"] else f"{len(app['pids'])} other processes"
            claims.append(f"+{t - t_leak:.1f} s: closes {app.get('name')!r} = {whom} "
                          f"({app['bytes']['total'] // MiB} MiB, {event['victim_reason']})")
        m = re.search(r'sending (SIG\w+) to process (\d+) uid \d+ "([^"]*)"', line)
        if tool == "earlyoom" and m:
            whom = "the leaker" if int(m[2]) == leaker else f"pid {m[2]}"
            claims.append(f"+{t - t_leak:.1f} s: {m[1]} to {m[3]!r} = {whom}")
    return claims or ["no signal seen"]


# -- outside: start the namespaces, print ----------------------------------------------------------


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.2f} %"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}x" if a is not None and b else "-"


def _row(state: str, desktop: str, mw: dict[str, Any], eo: dict[str, Any], goal: str) -> str:
    a, b = mw.get("cpu_share"), eo.get("cpu_share")
    return (f"  {state:9s} {desktop:22s} {_pct(a):>10s} {_pct(b):>10s} {_ratio(a, b):>8s}   "
            f"{goal:14s} {mw.get('VmRSS', 0) / 1024:5.1f}")


def run() -> None:
    """Run every state, print the table and the details under it."""
    print("== monitor: CPU by state, beside earlyoom (issue 13) ==")
    missing = [t for t in ("unshare", "earlyoom") if shutil.which(t) is None]
    if os.geteuid() != 0 or missing:
        print(f"skipped: needs root and {', '.join(missing) or 'PID namespaces'} "
              "(make bench installs bench/debian-packages.txt)")
        return
    started, load0 = time.monotonic(), os.getloadavg()[0]
    warning = {}
    for procs in WARNING_PROCS:
        spec = {"procs": procs, "window_s": WARNING_S, "calm": procs == CALM_PROCS}
        for attempt in range(2):
            r = _in_namespace("warning", spec, WARNING_S + 180, "bench.monitor_states")
            # Seen on a shared machine: memory taken or freed elsewhere pushed the monitor out of
            # the warning state or changed how often it samples. The row then measured something
            # else, so it is run again.
            spoilt = [f"{n} {'exited' if 'exited' in t else 'changed state'}"
                      for n, t in r.get("tools", {}).items() if "exited" in t or t.get("changes")]
            low, _, high = r.get("margin_mib", (0, 0, 0))
            if high - low > MARGIN_DRIFT_MIB:
                spoilt.append(f"the distance to the close level moved {low}-{high} MiB")
            r["spoilt"] = spoilt
            if not spoilt:
                break
            print(f"  (warning, {procs} processes: {', '.join(spoilt)} in the window"
                  f"{', run again' if attempt == 0 else ''})")
        warning[procs] = r
    critical = {}
    for tool, kind in (("memwarden", "leak-memfd"), ("earlyoom", "leak-anon")):
        for attempt in range(2):
            r = _in_namespace("critical", {"tool": tool, "kind": kind}, LEAK_TIMEOUT_S + 120,
                              "bench.monitor_states")
            low, high = r["elsewhere_mib"]
            # Memory taken or freed elsewhere moved the close by seconds, or kept the capped leak
            # above the close level: run again.
            r["spoilt"] = not r["dead"] or high - low > LEAK_DRIFT_MIB
            if not r["spoilt"]:
                break
            print(f"  (critical, {tool}: {'dead' if r['dead'] else 'the leaker was never closed'}"
                  f", others took {low} to {high} MiB meanwhile"
                  f"{', run again' if attempt == 0 else ''})")
        critical[tool] = r
    took_s, load1 = time.monotonic() - started, os.getloadavg()[0]
    _print(warning, critical, f"{took_s:.0f} s in all; load average {load0:.1f} at the start, "
           f"{load1:.1f} at the end")


def _print(warning: dict[int, Any], critical: dict[str, Any], took: str) -> None:
    print("monitor CPU by state (share of one core, schedstat; earlyoom in the same namespace)")
    print(f"  {'state':9s} {'desktop':22s} {'memwarden':>10s} {'earlyoom':>10s} {'ratio':>8s}   "
          f"{'goal':14s} {'RSS MiB'}")
    calm = warning[CALM_PROCS].get("tools", {})
    mw_calm, eo_calm = calm.get("memwarden calm", {}), calm.get("earlyoom calm", {})
    goal_calm = f"<= {GOAL_CPU_S_PER_MIN / 60 * 100:.3f} %"
    print(_row("calm", f"{CALM_PROCS} procs", mw_calm, eo_calm, goal_calm))
    rss = {"calm": mw_calm.get("VmRSS")}
    for procs, r in warning.items():
        desktop = f"{procs} procs/{r['fds'] / 1000:.0f}k fds"
        if "skipped" in r:
            print(f"  {'warning':9s} {desktop:22s} skipped: {r['skipped']}")
            continue
        tools = r["tools"]
        goal = f"<= {GOAL_WARNING_PCT:g} %" if procs == max(WARNING_PROCS) else ""
        state = "warning*" if r["spoilt"] else "warning"
        print(_row(state, desktop, tools.get("memwarden", {}), tools.get("earlyoom", {}), goal))
        rss[f"warning {procs}"] = tools.get("memwarden", {}).get("VmRSS")
    mw, eo = critical["memwarden"], critical["earlyoom"]
    state = "critical*" if mw["spoilt"] or eo["spoilt"] else "critical"
    print(_row(state, f"{CRITICAL_PROCS} procs, leak", mw, eo, f"<= {GOAL_CRITICAL_PCT:g} %"))
    for tool, r in critical.items():
        if "= the leaker" not in r["claims"][0]:
            # The CPU then runs until the leaker dies or the run gives up: see the details.
            print(f"  ! {tool}'s first signal did not go to the leaker: {r['claims'][0]}")
    if any(r.get("spoilt") for r in [*warning.values(), mw, eo]):
        print("  * twice, memory taken or freed elsewhere moved this row (see the details)")
    rss["critical"] = mw.get("VmRSS")
    print("  RSS at the end: " + ", ".join(
        f"{k} {v / 1024:.1f}" for k, v in rss.items() if v) + f" MiB (goal {GOAL_RSS_MIB:g} MiB)")
    if "cpu_share" in mw_calm:
        print(f"  calm: memwarden {mw_calm['cpu_share'] * 60:.4f} CPU-s per idle minute "
              f"(goal {GOAL_CPU_S_PER_MIN}), earlyoom {eo_calm.get('cpu_share', 0) * 60:.4f}")
    print(f"\n  details ({took}; the machine has {os.cpu_count()} CPUs and may be shared: "
          "'CPUs busy' is all of its work)")
    for r in warning.values():
        print(f"  warning, {r['procs']} processes / {r['fds']} fds (desktop up in "
              f"{r['desktop_start_s']:.1f} s, ~{r['desktop_mib']} MiB): available "
              f"{r['avail0_mib']} MiB at the start, warn {r['warn_mib']}, close "
              f"{r['close_mib']} MiB")
        if "skipped" in r:
            continue
        low, median, high = r["margin_mib"]
        print(f"    {WARNING_S:.0f} s window, {r['busy_cpus']:.2f} CPUs busy; available memory "
              f"above the close level: median {median:.0f} MiB ({low}-{high})")
        for name, t in r["tools"].items():
            if "exited" in t:
                print(f"    {name:15s} exited early (rc={t['exited']}): {t['said']}")
                continue
            seen = "" if "at_start" not in t else (
                f"; state {t['at_start']} at t0, changes {t['changes'] or 'none'}, "
                f"{t['warnings']} warnings")
            print(f"    {name:15s} {_pct(t['cpu_share']):>8s} (ticks {_pct(t['tick_share'])}), "
                  f"VmRSS {t['VmRSS'] / 1024:.1f} MiB{seen}")
    for tool, r in critical.items():
        rate = r["leak_mib_per_s"]
        print(f"  critical, {tool}: {r['kind']} at "
              f"{'?' if rate is None else f'{rate * MiB / 1e6:.0f}'} MB/s beside {r['procs']} "
              f"processes, close at {r['close_mib']} MiB ({r['avail0_mib']} at the start); others "
              f"took {r['elsewhere_mib'][0]} to {r['elsewhere_mib'][1]} MiB meanwhile")
        seen = "" if "at_start" not in r else (
            f"; states {r['changes']} (s into the leak), {r['warnings']} warnings")
        until = "no signal" if r["signal_s"] is None else f"{r['signal_s']:.1f} s"
        print(f"    {_pct(r['cpu_share'])} until its first signal ({until}); "
              f"{_pct(r['dead_share'])} (ticks {_pct(r['tick_share'])}) until the leaker was "
              f"{'dead' if r['dead'] else 'ALIVE'} ({r['wall_s']:.1f} s); "
              f"{r['busy_cpus']:.2f} CPUs busy{seen}")
        for claim in r["claims"]:
            print(f"      {claim}")


def main(argv: list[str]) -> None:
    """In the namespace: ``python -m bench.monitor_states warning|critical SPEC``; else run."""
    if len(argv) == 2 and argv[0] in ("warning", "critical"):
        fn = warning_run if argv[0] == "warning" else critical_run
        result = fn(json.loads(argv[1]))
        print(json.dumps(result), flush=True)
        os._exit(0)  # the hogs' pipes may still be open: PID 1 exits, the kernel cleans up
    run()


if __name__ == "__main__":
    main(sys.argv[1:])
