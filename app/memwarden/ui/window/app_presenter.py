# SPDX-License-Identifier: GPL-3.0-or-later
"""One app of the snapshot as the window shows it: its real total, the breakdown, both ranks and
the difference between them — the reason MemWarden exists.

Pure Python on the ``memwarden.scan/1`` JSON (docs/scan-json.md); no widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from memwarden.ui.words import code_words as words
from memwarden.ui.words.formatting import human_size
from memwarden.ui.words.plain_text import escape_markup

# The breakdown fields of ``bytes``, in the order the table shows them.
BREAKDOWN = ("resident", "swap", "shmem", "dmabuf", "gpu_system", "gpu_vram")

# Hidden memory below this is noise (a few pages of a small memfd), not a story to tell.
NOTABLE_HIDDEN_BYTES = 16 * 1024 * 1024


def breakdown_label(field: str) -> str:
    """The column heading / line label of one ``bytes`` field."""
    labels = {
        "resident": QCoreApplication.translate("AppPresenter", "In RAM"),
        "swap": QCoreApplication.translate("AppPresenter", "Swap"),
        "shmem": QCoreApplication.translate("AppPresenter", "Shared files"),
        "dmabuf": QCoreApplication.translate("AppPresenter", "DMA-BUF"),
        "gpu_system": QCoreApplication.translate("AppPresenter", "GPU in RAM"),
        "gpu_vram": QCoreApplication.translate("AppPresenter", "Video memory"),
        "page_tables": QCoreApplication.translate("AppPresenter", "Page tables"),
        "total": QCoreApplication.translate("AppPresenter", "Total"),
    }
    return labels.get(field, field)


def breakdown_hint(field: str) -> str:
    """What a ``bytes`` field means, for the column's tooltip."""
    hints = {
        "resident": QCoreApplication.translate(
            "AppPresenter", "Memory of its processes in RAM (resident set)."
        ),
        "swap": QCoreApplication.translate("AppPresenter", "Memory moved out to swap."),
        "shmem": QCoreApplication.translate(
            "AppPresenter",
            "Its share of memory files (memfd), files in /dev/shm or /tmp kept in RAM, and shared "
            "memory segments it holds without mapping them. The kernel does not count this for it.",
        ),
        "dmabuf": QCoreApplication.translate(
            "AppPresenter",
            "Its share of buffers shared with graphics, video or camera drivers. The kernel does "
            "not count this for it.",
        ),
        "gpu_system": QCoreApplication.translate(
            "AppPresenter",
            "GPU buffers kept in system RAM (integrated graphics, GTT). The kernel does not count "
            "this for it.",
        ),
        "gpu_vram": QCoreApplication.translate(
            "AppPresenter",
            "Memory on the graphics card. Not RAM: shown for information, not in the total.",
        ),
        "total": QCoreApplication.translate(
            "AppPresenter",
            "Everything in RAM or swap this app is responsible for, including what the kernel "
            "cannot see.",
        ),
    }
    return hints.get(field, "")


@dataclass(frozen=True, slots=True)
class RankDifference:
    """How the kernel's order differs from MemWarden's for one app.

    Attributes:
        text: A short cell text (``3 places lower``).
        explanation: A sentence for the tooltip and the details.
        underrated: True when the kernel ranks the app lower than its real memory says and the
            hidden part is notable: the app the kernel would spare while it fills the machine.
        places: ``kernel_rank - memwarden_rank`` (positive: the kernel underrates it).
    """

    text: str
    explanation: str
    underrated: bool
    places: int


def hidden_bytes(app: dict[str, Any]) -> int:
    """What the kernel cannot see of this app: its shared files, DMA-BUF and GPU buffers in RAM.
    (Not ``total - kernel_view``: the total counts pages its processes share once.)"""
    b = app["bytes"]
    return sum(int(b.get(key, 0)) for key in ("shmem", "dmabuf", "gpu_system"))


def kernel_ignores(app: dict[str, Any]) -> bool:
    """True when the kernel's OOM killer would never pick this app (no eligible process)."""
    return app.get("kernel_badness_pages") is None


def rank_difference(app: dict[str, Any], locale: QLocale | None = None) -> RankDifference:
    """Compare ``kernel_rank`` with ``memwarden_rank`` and say what it means."""
    hidden = hidden_bytes(app)
    hidden_text = human_size(hidden, locale)
    if kernel_ignores(app):
        return RankDifference(
            QCoreApplication.translate("AppPresenter", "never picked"),
            QCoreApplication.translate(
                "AppPresenter", "The kernel's out-of-memory killer would never pick this app."
            ),
            False,
            0,
        )
    places = int(app["kernel_rank"]) - int(app["memwarden_rank"])
    if places > 0:
        text = QCoreApplication.translate(
            "AppPresenter", "%1 lower", "rank places: the kernel ranks the app %1 places lower"
        ).replace("%1", str(places))
        if hidden >= NOTABLE_HIDDEN_BYTES:
            explanation = QCoreApplication.translate(
                "AppPresenter",
                "The kernel ranks it %1 places lower than it should: it cannot see %2 this app "
                "holds.",
            )
        else:
            explanation = QCoreApplication.translate(
                "AppPresenter", "The kernel ranks it %1 places lower than MemWarden does."
            )
        return RankDifference(
            text,
            explanation.replace("%1", str(places)).replace("%2", hidden_text),
            hidden >= NOTABLE_HIDDEN_BYTES,
            places,
        )
    if places < 0:
        text = QCoreApplication.translate(
            "AppPresenter", "%1 higher", "rank places: the kernel ranks the app %1 places higher"
        ).replace("%1", str(-places))
        explanation = QCoreApplication.translate(
            "AppPresenter",
            "The kernel ranks it %1 places higher: other apps hold more memory than the kernel "
            "sees.",
        ).replace("%1", str(-places))
        return RankDifference(text, explanation, False, places)
    return RankDifference(
        QCoreApplication.translate(
            "AppPresenter", "same", "the kernel ranks the app in the same place"
        ),
        QCoreApplication.translate("AppPresenter", "The kernel and MemWarden agree on this app."),
        False,
        0,
    )


def kernel_rank_text(app: dict[str, Any]) -> str:
    """``#3``, or a dash when the kernel would never pick it."""
    return "–" if kernel_ignores(app) else f"#{app['kernel_rank']}"


def top_object_lines(app: dict[str, Any], locale: QLocale | None = None) -> list[str]:
    """The biggest hidden objects behind the total, one line each (the "why")."""
    lines = []
    for obj in app.get("top_objects") or ():
        size = int(obj.get("bytes", 0))
        vram = int(obj.get("vram_bytes", 0))
        if vram and not size:
            amount = QCoreApplication.translate("AppPresenter", "%1 video memory").replace(
                "%1", human_size(vram, locale)
            )
        else:
            amount = human_size(size, locale)
        holders = int(obj.get("holders", 1))
        line = (
            QCoreApplication.translate(
                "AppPresenter", "%1 — %2 %3", "size — kind of object, its name"
            )
            .replace("%1", amount)
            .replace("%2", words.object_kind(str(obj.get("kind", ""))))
            .replace("%3", str(obj.get("label", "")))
        )
        if holders > 1:
            line += " " + QCoreApplication.translate(
                "AppPresenter", "(split among %1 processes)"
            ).replace("%1", str(holders))
        lines.append(line)
    return lines


def breakdown_lines(app: dict[str, Any], locale: QLocale | None = None) -> list[tuple[str, str]]:
    """(label, size) for every non-zero part of the total, VRAM last."""
    b = app["bytes"]
    return [
        (breakdown_label(f), human_size(int(b.get(f, 0)), locale))
        for f in (*BREAKDOWN[:5], "page_tables", "gpu_vram")
        if int(b.get(f, 0))
    ]


def total_tooltip(app: dict[str, Any], locale: QLocale | None = None) -> str:
    """The breakdown of the total, as tooltip text."""
    lines = [f"{label}: {size}" for label, size in breakdown_lines(app, locale)]
    hidden = hidden_bytes(app)
    if hidden:
        lines.append(
            QCoreApplication.translate("AppPresenter", "Hidden from the kernel: %1").replace(
                "%1", human_size(hidden, locale)
            )
        )
    return "\n".join(lines)


def details_html(app: dict[str, Any], rule: str, locale: QLocale | None = None) -> str:
    """The details pane for the selected app: what it holds, both ranks, why, the rule (the
    monitor's, and which of the person's rules gives it)."""
    esc = escape_markup
    b = app["bytes"]
    diff = rank_difference(app, locale)
    parts = [
        f"<b>{esc(str(app.get('name') or app.get('id')))}</b> "
        f"<span>({esc(words.app_kind(str(app.get('kind', 'other'))))})</span>",
        esc(
            QCoreApplication.translate("AppPresenter", "Holds %1 in all; the kernel sees %2 of it.")
            .replace("%1", human_size(int(b["total"]), locale))
            .replace("%2", human_size(int(b["kernel_view"]), locale))
        ),
        esc(
            QCoreApplication.translate(
                "AppPresenter", "Kernel's pick: %1 · MemWarden's pick: #%2. %3"
            )
            .replace("%1", kernel_rank_text(app))
            .replace("%2", str(app.get("memwarden_rank")))
            .replace("%3", diff.explanation)
        ),
    ]
    objects = top_object_lines(app, locale)
    if objects:
        parts.append(
            esc(QCoreApplication.translate("AppPresenter", "Biggest hidden objects:"))
            + "<br>"
            + "<br>".join("&nbsp;&nbsp;" + esc(line) for line in objects)
        )
    parts.append(esc(words.rule(rule) + ": " + words.rule_hint(rule)))
    source = words.rule_source_text(app)
    if source:
        parts.append(esc(source))
    if app.get("unreadable_pids"):
        parts.append(
            esc(
                QCoreApplication.translate(
                    "AppPresenter",
                    "Some of its processes could not be inspected: the hidden part is a lower "
                    "bound.",
                )
            )
        )
    return "<br>".join(parts)
