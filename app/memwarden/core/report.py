# SPDX-License-Identifier: GPL-3.0-or-later
"""A snapshot as the stable JSON document (``memwarden scan --json``, the monitor's D-Bus
snapshot) and as the human table. The schema is documented in docs/scan-json.md; bump
``SCHEMA`` on any incompatible change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from memwarden.core.accounting import Share
from memwarden.core.orphans import Orphan
from memwarden.core.policy import Rules
from memwarden.core.pressure import PressureLine
from memwarden.core.snapshot import AppRecord, MemoryBytes, ProcessRecord, Snapshot

SCHEMA = "memwarden.scan/1"
_TOP_SHARES = 5


def bytes_json(mem: MemoryBytes) -> dict[str, int]:
    """The ``bytes`` object: every counter plus the derived ``kernel_view`` and ``total``."""
    return {
        "resident": mem.resident,
        "swap": mem.swap,
        "page_tables": mem.page_tables,
        "shmem": mem.shmem,
        "dmabuf": mem.dmabuf,
        "gpu_system": mem.gpu_system,
        "gpu_vram": mem.gpu_vram,
        "resident_shared": mem.resident_shared,
        "kernel_view": mem.kernel_view,
        "total": mem.total,
    }


def top_shares(shares: Iterable[Share], limit: int = _TOP_SHARES) -> list[dict[str, Any]]:
    """The biggest hidden objects behind a total, merged by object (kind, label)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for share in shares:
        key = (share.kind.value, share.label)
        entry = merged.setdefault(
            key,
            {"kind": key[0], "label": key[1], "bytes": 0, "vram_bytes": 0,
             "holders": share.holder_count},
        )
        entry["bytes"] += share.hidden_bytes
        entry["vram_bytes"] += share.vram_bytes
    return sorted(merged.values(), key=lambda e: -(e["bytes"] + e["vram_bytes"]))[:limit]


def _psi_line(line: PressureLine | None) -> dict[str, float | int] | None:
    if line is None:
        return None
    return {
        "avg10": line.avg10_pct,
        "avg60": line.avg60_pct,
        "avg300": line.avg300_pct,
        "total_us": line.stall_total_us,
    }


def app_brief(app: AppRecord) -> dict[str, Any]:
    """Who the app is and what it holds: what warnings and kill events carry."""
    ident = app.identity
    return {
        "id": ident.app_id,
        "name": ident.name,
        "kind": ident.kind,
        "icon": ident.icon,
        "pids": list(app.pids),
        "bytes": bytes_json(app.bytes),
        "rule_target": app.rule_target,
    }


def rule_json(
    app: AppRecord, processes: Mapping[int, ProcessRecord], rules: Rules
) -> dict[str, str]:
    """The ``rule`` in force for an app and its ``rule_source``, decided by
    :meth:`~memwarden.core.policy.Rules.match`, as the killer decides: a client shows what the
    monitor will do instead of matching names itself."""
    members = [processes[p].identity for p in app.pids if p in processes]
    match = rules.match(app.identity, members)
    return {"rule": match.rule.value, "rule_source": match.source}


def app_json(
    app: AppRecord, processes: Mapping[int, ProcessRecord], rules: Rules
) -> dict[str, Any]:
    """One entry of ``apps`` (``processes``: the snapshot's, for what rules call the app;
    ``rules``: the user's, for the rule in force)."""
    return {
        **app_brief(app),
        **rule_json(app, processes, rules),
        "desktop_pids": {str(pid): role for pid, role in sorted(app.roles.items())},
        "uid": app.identity.uid,
        "kernel_rank": app.kernel_rank,
        "memwarden_rank": app.memwarden_rank,
        "kernel_badness_pages": app.max_kernel_badness_pages,
        "unreadable_pids": list(app.unreadable_pids),
        "top_objects": top_shares(app.shares),
    }


def process_json(rec: ProcessRecord, app_id: str | None) -> dict[str, Any]:
    """One entry of ``processes``."""
    return {
        "pid": rec.pid,
        "app_id": app_id,
        "comm": rec.identity.comm,
        "uid": rec.identity.uid,
        "oom_score": rec.oom_score,
        "oom_score_adj": rec.oom_score_adj,
        "kernel_badness_pages": rec.kernel_badness_pages,
        "bytes": bytes_json(rec.bytes),
        "hidden_readable": rec.hidden_readable,
        "unreadable_reason": rec.unreadable_reason,
        "role": rec.role,
        "top_objects": top_shares(rec.shares),
    }


def snapshot_json(
    snap: Snapshot, orphans: Sequence[Orphan] = (), *, rules: Rules, per_process: bool = False
) -> dict[str, Any]:
    """The whole document; each app's rule is the one ``rules`` give it (:func:`rule_json`)."""
    mem = snap.meminfo
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "system": {
            "mem_total": mem.mem_total_kib * 1024,
            "mem_available": mem.mem_available_kib * 1024,
            "swap_total": mem.swap_total_kib * 1024,
            "swap_free": mem.swap_free_kib * 1024,
            "shmem": mem.shmem_kib * 1024,
            "psi_memory": None
            if snap.pressure is None
            else {"some": _psi_line(snap.pressure.some), "full": _psi_line(snap.pressure.full)},
            "page_size": snap.page_size,
            "nvidia": snap.nvidia_status,
            "unreadable_processes": snap.unreadable_count,
        },
        "apps": [app_json(app, snap.processes, rules) for app in snap.apps],
        "orphans": [
            {"kind": o.kind, "path": o.path, "bytes": o.bytes, "uid": o.uid} for o in orphans
        ],
    }
    if per_process:
        app_ids = {pid: app.id for app in snap.apps for pid in app.pids}
        doc["processes"] = [
            process_json(rec, app_ids.get(pid))
            for pid, rec in sorted(snap.processes.items(), key=lambda kv: -kv[1].bytes.total)
        ]
    return doc


# -- the human table ------------------------------------------------------------------------------


def human_bytes(n: int) -> str:
    """``1.2 GiB``, ``340 MiB``, ``12 KiB``, ``0``: three significant digits at most."""
    if n == 0:
        return "0"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            if unit == "B":
                return f"{n} B"
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


_APP_COLUMNS = (
    ("APP", "<"), ("KIND", "<"), ("PROCS", ">"), ("RESIDENT", ">"), ("SWAP", ">"),
    ("SHMEM", ">"), ("DMA-BUF", ">"), ("GPU RAM", ">"), ("VRAM", ">"), ("TOTAL", ">"),
    ("KERNEL#", ">"), ("OURS#", ">"),
)


def _table(header: Sequence[tuple[str, str]], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, (h, _) in enumerate(header)]
    lines = []
    for row in [[h for h, _ in header], *rows]:
        cells = [
            cell.ljust(w) if align == "<" else cell.rjust(w)
            for cell, w, (_, align) in zip(row, widths, header, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def apps_table(snap: Snapshot, limit: int | None = 20) -> str:
    """Apps sorted by true badness, with both ranks side by side."""
    rows = []
    for app in snap.apps[:limit]:
        b = app.bytes
        kernel_rank = str(app.kernel_rank) if app.max_kernel_badness_pages is not None else "-"
        name = app.identity.name + ("*" if app.unreadable_pids else "")
        rows.append([
            _truncate(name, 28), app.identity.kind, str(len(app.pids)),
            human_bytes(b.resident), human_bytes(b.swap), human_bytes(b.shmem),
            human_bytes(b.dmabuf), human_bytes(b.gpu_system), human_bytes(b.gpu_vram),
            human_bytes(b.total), kernel_rank, str(app.memwarden_rank),
        ])
    return _table(_APP_COLUMNS, rows)


_PROC_COLUMNS = (
    ("PID", ">"), ("COMMAND", "<"), ("APP", "<"), ("OOM_SCORE", ">"), ("ADJ", ">"),
    ("RESIDENT", ">"), ("SWAP", ">"), ("SHMEM", ">"), ("DMA-BUF", ">"), ("GPU RAM", ">"),
    ("VRAM", ">"), ("TOTAL", ">"),
)


def processes_table(snap: Snapshot, limit: int | None = 40) -> str:
    """Processes sorted by true badness."""
    app_names = {pid: app.identity.name for app in snap.apps for pid in app.pids}
    recs = sorted(snap.processes.values(), key=lambda r: -r.bytes.total)[:limit]
    rows = []
    for rec in recs:
        b = rec.bytes
        comm = rec.identity.comm + ("*" if not rec.hidden_readable else "")
        rows.append([
            str(rec.pid), _truncate(comm, 20),
            _truncate(app_names.get(rec.pid, "-"), 20), str(rec.oom_score), str(rec.oom_score_adj),
            human_bytes(b.resident), human_bytes(b.swap), human_bytes(b.shmem),
            human_bytes(b.dmabuf), human_bytes(b.gpu_system), human_bytes(b.gpu_vram),
            human_bytes(b.total),
        ])
    return _table(_PROC_COLUMNS, rows)


def orphans_table(orphans: Sequence[Orphan]) -> str:
    """Orphan files: where the RAM is that no kill can free."""
    rows = [[human_bytes(o.bytes), str(o.uid), o.kind, o.path] for o in orphans]
    return _table((("SIZE", ">"), ("UID", ">"), ("KIND", "<"), ("PATH", "<")), rows)


def summary_line(snap: Snapshot) -> str:
    """One line about the system: available memory, swap, PSI."""
    mem = snap.meminfo
    parts = [
        f"available {human_bytes(mem.mem_available_kib * 1024)} of "
        f"{human_bytes(mem.mem_total_kib * 1024)}",
        f"swap free {human_bytes(mem.swap_free_kib * 1024)} of "
        f"{human_bytes(mem.swap_total_kib * 1024)}",
    ]
    if snap.pressure is not None:
        full = snap.pressure.full
        parts.append(
            f"PSI some {snap.pressure.some.avg10_pct:.2f}%"
            + (f" full {full.avg10_pct:.2f}%" if full else "")
            + " (avg10)"
        )
    else:
        parts.append("PSI off")
    return "; ".join(parts)
