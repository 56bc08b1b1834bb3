# SPDX-License-Identifier: GPL-3.0-or-later
"""What the "running out of memory" prompt says, without widgets.

Like macOS's "Your system has run out of application memory" (docs/peers.md §2.14): the person's
apps by real memory (kernel view + shared memory + GPU buffers), the one MemWarden would close
highlighted with the reason, and — when the memory is in files no app holds — the warning that
closing apps will not help, with where the files are. An app the monitor paused comes first,
marked, with what it was using and the choices it waits for (resume, close, protect and resume).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from memwarden.core.rule_codes import PREFER, PROTECT
from memwarden.ui.link.app_rules import monitor_rule, rule_name
from memwarden.ui.tray.menu_presenter import own_apps
from memwarden.ui.words import messages, pause_words
from memwarden.ui.words.formatting import human_size, time_left

_t = QCoreApplication.translate

#: Rows in the prompt (the biggest apps; the next victim is always among them).
PROMPT_ROWS = 12


@dataclass(frozen=True, slots=True)
class PromptRow:
    """One app in the prompt."""

    app: Mapping[str, Any]
    name: str
    size: str
    detail: str
    breakdown: str
    rule: str
    rule_name: str
    next_victim: bool
    reason: str = ""
    paused: bool = False

    @property
    def app_id(self) -> str:
        """The app's id (for CloseApp)."""
        return str(self.app.get("id", ""))

    @property
    def closable(self) -> bool:
        """The monitor would close it when asked (it refuses protected apps)."""
        return self.rule != PROTECT


@dataclass(frozen=True, slots=True)
class PromptModel:
    """The prompt's content."""

    title: str
    subtitle: str
    rows: list[PromptRow] = field(default_factory=list)
    victim_note: str = ""
    orphan_note: str = ""
    paused_note: str = ""

    @property
    def victim_index(self) -> int | None:
        """The row of the app that would be closed next."""
        return next((i for i, r in enumerate(self.rows) if r.next_victim), None)

    @property
    def paused_index(self) -> int | None:
        """The row of the first app the monitor paused (they come first)."""
        return 0 if self.rows and self.rows[0].paused else None


def _victim_note(app: Mapping[str, Any]) -> str:
    """The sentence about the app that would be closed first (a game or a browser named so)."""
    kind = str(app.get("kind", ""))
    if kind == "game":
        return _t("Prompt", "The game %1 would be closed first. %2")
    if kind == "browser":
        return _t("Prompt", "The browser %1 would be closed first. %2")
    return _t("Prompt", "%1 would be closed first. %2")


def derived_reason(app: Mapping[str, Any], rule: str) -> str:
    """The monitor's reason code for a victim, when no Warning said it (core.policy's order)."""
    b = app.get("bytes") or {}
    hidden = int(b.get("shmem", 0)) + int(b.get("dmabuf", 0)) + int(b.get("gpu_system", 0))
    if rule == PREFER:
        return "sacrifice-first"
    if hidden > int(b.get("kernel_view", 0)):
        return "hidden-memory"
    return "largest"


def build_prompt(
    snapshot: Mapping[str, Any] | None,
    props: Mapping[str, Any],
    last_warning: Mapping[str, Any] | None = None,
    *,
    uid: int | None = None,
    limit: int = PROMPT_ROWS,
    locale: QLocale | None = None,
) -> PromptModel:
    """The prompt for this snapshot, these properties and the last Warning (if any); each app
    with the rule the monitor gives it in the snapshot."""
    victim = str(props.get("NextVictim", ""))
    warning = dict(last_warning or {})
    warned_app = warning.get("app") or {}
    if not victim and warned_app:
        victim = str(warned_app.get("id", ""))
    apps = own_apps(snapshot, uid)
    paused = _paused_apps(pause_words.paused_entries(props), apps)
    paused_ids = {str(a.get("id")) for a in paused}
    others = [a for a in apps if str(a.get("id")) not in paused_ids]
    shown = others[:limit]
    if victim and all(a.get("id") != victim for a in shown):
        shown += [a for a in others if a.get("id") == victim]
    rows = []
    victim_note = ""
    for app in [*paused, *shown]:
        rule = monitor_rule(app)
        is_next = bool(victim) and app.get("id") == victim
        is_paused = str(app.get("id")) in paused_ids
        reason = ""
        if is_next and not is_paused:  # a paused app's note says what happens to it
            code = str(warning.get("victim_reason", "")) if warned_app.get("id") == victim else ""
            reason = messages.victim_reason(code or derived_reason(app, rule))
            tab = warned_app.get("tab") if warned_app.get("id") == victim else None
            if tab:
                victim_note = _t("Prompt", "A tab of %1 would be closed first (it uses %3); the "
                                           "rest of it stays open. %2") \
                    .replace("%3", messages.size_with_breakdown(tab, locale))
            else:
                victim_note = _victim_note(app)
            victim_note = victim_note.replace("%1", messages.app_name(app)).replace("%2", reason)
        rows.append(PromptRow(
            app=app, name=messages.app_name(app),
            size=human_size(messages.real_size(app), locale),
            detail=messages.size_with_breakdown(app, locale),
            breakdown=messages.breakdown(app, locale), rule=rule, rule_name=rule_name(app),
            next_victim=is_next, reason=reason, paused=is_paused,
        ))  # fmt: skip
    if not rows:
        victim_note = messages.victim_reason("no-candidate")
    orphans = list((snapshot or {}).get("orphans") or ())
    orphan_total = sum(int(o.get("bytes", 0)) for o in orphans)
    biggest = messages.real_size(apps[0]) if apps else 0
    orphan_note = ""
    if warning.get("victim_reason") == "orphan-tmpfs" or (orphans and orphan_total > biggest):
        orphan_note = messages.orphan_text(orphans, locale)
    available = human_size(int(props.get("AvailableBytes", 0)), locale)
    subtitle = _t("Prompt", "Available memory: %1. Close the apps you do not need to keep your "
                            "computer responsive.").replace("%1", available)  # fmt: skip
    eta = float(props.get("EtaSeconds", -1.0))
    paused_texts = [pause_words.paused_text(e, locale) for e in pause_words.paused_entries(props)]
    if eta >= 0 and victim and not paused_texts:  # while one is paused the monitor closes none
        subtitle += " " + _t("Prompt", "MemWarden will close an app %1.").replace(
            "%1", time_left(eta, locale)
        )
    return PromptModel(
        title=_t("Prompt", "Your system is running out of application memory"),
        subtitle=subtitle,
        rows=rows,
        victim_note=victim_note,
        orphan_note=orphan_note,
        paused_note="\n".join(f"{t.summary}. {t.body}" for t in paused_texts),
    )


def _paused_apps(
    entries: list[Mapping[str, Any]], apps: list[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The paused apps as the snapshot has them (with their rule and breakdown), else as the
    monitor's entry names them (a snapshot taken before it was paused may lack it)."""
    by_id = {str(a.get("id")): a for a in apps}
    found = []
    for entry in entries:
        app_id = pause_words.paused_id(entry)
        found.append(by_id.get(app_id) or pause_words.paused_app(entry))
    return found
