# SPDX-License-Identifier: GPL-3.0-or-later
"""The window's presenters without any widget: sizes, words, the rank difference, the history
buffer and the orphan advice — on the real snapshot where the data matters."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QLocale

from memwarden.ui.window import app_presenter as ap
from memwarden.ui.window import orphans_presenter as op
from memwarden.ui.window.history import HistoryBuffer
from memwarden.ui.words import code_words as words
from memwarden.ui.words.formatting import duration, human_size, percent, time_left

C = QLocale.c()
DE = QLocale(QLocale.Language.German, QLocale.Country.Germany)
MiB = 1024 * 1024
GiB = 1024 * MiB


def by_name(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in doc["apps"] if a["name"] == name)


# -- formatting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0"),
        (None, "?"),
        (512, "512 bytes"),
        (1536, "1.5 KiB"),
        (340 * MiB, "340 MiB"),
        (int(3.4 * GiB), "3.4 GiB"),
        (int(9.97 * GiB), "10 GiB"),  # rounds up: no "10.0"
        (24 * GiB, "24 GiB"),
    ],
)
def test_human_size(n: int | None, text: str) -> None:
    assert human_size(n, C) == text


def test_human_size_follows_the_language() -> None:
    assert human_size(int(3.4 * GiB), DE) == "3,4 GiB"


def test_time_left_and_durations() -> None:
    assert time_left(-1, C) == "not running out"
    assert time_left(None, C) == "not running out"
    assert time_left(0.4, C) == "now"
    assert time_left(45, C) == "in 45 s"
    assert time_left(200, C) == "in about 3 min"
    assert duration(3 * 3600, C) == "about 3 h"
    assert percent(12.345, C, 1) == "12.3%"


# -- words ----------------------------------------------------------------------------------------


def test_known_codes_have_words_and_unknown_ones_a_generic_sentence_with_the_code() -> None:
    assert words.app_kind("game") == "Game"
    assert words.rule("prefer") == "Sacrifice first"
    assert words.object_kind("memfd") == "memory file (memfd)"
    assert words.app_kind("robot") == "Other (robot)"
    assert words.rule("maybe") == "Unknown rule (maybe)"
    assert words.object_kind("ion") == "other (ion)"


@pytest.mark.parametrize(
    ("code", "ok", "headline"),
    [
        ("applied", True, "Protection reaches the kernel"),
        ("no-helper", False, "The monitor runs without the helper"),
        ("not-activatable", False, "The helper is not installed"),
        ("incompatible-helper", False, "The helper is installed but does not work"),
        ("no-reply", False, "The helper did not answer"),
        ("not-authorized", False, "The helper is not allowed to protect your apps"),
        ("cap-sys-resource", False, "The helper lacks a capability"),
        ("owner-changed", False, "A protected app runs a program of another user"),
        ("kernel-rejected-value", False, "The helper failed"),
    ],
)
def test_helper_status_says_what_protection_means(code: str, ok: bool, headline: str) -> None:
    head, text = words.helper_status(code)
    assert head == headline
    assert words.helper_ok(code) is ok
    if not ok:
        # Without the kernel knowing, the person must hear that the kernel may still kill it.
        assert "kernel's out-of-memory killer" in text


def test_unknown_helper_status_names_the_code() -> None:
    # A newer monitor's code; and two this version never produces (the reasons are named
    # cap-sys-resource, not-authorized, …).
    for code in ("brand-new-reason", "missing-capability", "access-denied"):
        head, text = words.helper_status(code)
        assert code in head
        assert "kernel's out-of-memory killer" in text
        assert not words.helper_ok(code)


# -- one app of the real snapshot -----------------------------------------------------------------


def test_the_memfd_hog_is_underrated_by_the_kernel(scene_doc: dict[str, Any]) -> None:
    hog = by_name(scene_doc, "Photo Indexer")
    game = by_name(scene_doc, "SuperTuxKart")
    # The real scan: the kernel would pick the game before the app that holds more memory.
    assert game["kernel_rank"] < hog["kernel_rank"]
    assert hog["memwarden_rank"] < game["memwarden_rank"]

    diff = ap.rank_difference(hog, C)
    places = hog["kernel_rank"] - hog["memwarden_rank"]
    assert diff.underrated and diff.places == places
    assert diff.text == f"{places} lower"
    hidden = human_size(ap.hidden_bytes(hog), C)
    assert hidden in diff.explanation and "cannot see" in diff.explanation
    assert ap.hidden_bytes(hog) >= 300 * MiB

    # The game's own two ranks depend on every other app on the (shared) machine; what holds is
    # that the difference is reported as it is, and that the game is not called underrated.
    game_diff = ap.rank_difference(game, C)
    assert not game_diff.underrated
    assert game_diff.places == game["kernel_rank"] - game["memwarden_rank"]
    if game_diff.places < 0:
        assert game_diff.text.endswith("higher")


def test_rank_difference_same_and_never() -> None:
    app = {"bytes": {"total": 10, "kernel_view": 10}, "kernel_rank": 2, "memwarden_rank": 2,
           "kernel_badness_pages": 5}  # fmt: skip
    assert ap.rank_difference(app, C).text == "same"
    app["kernel_badness_pages"] = None
    assert ap.rank_difference(app, C).text == "never picked"
    assert ap.kernel_rank_text(app) == "–"


def test_breakdown_and_why(scene_doc: dict[str, Any]) -> None:
    hog = by_name(scene_doc, "Photo Indexer")
    lines = dict(ap.breakdown_lines(hog, C))
    assert lines["Shared files"] == human_size(hog["bytes"]["shmem"], C)
    assert "In RAM" in lines
    (why,) = ap.top_object_lines(hog, C)
    assert "memory file (memfd)" in why and "/memfd:photo-thumbnail-cache" in why
    tip = ap.total_tooltip(hog, C)
    assert "Hidden from the kernel: " + human_size(ap.hidden_bytes(hog), C) in tip
    html = ap.details_html(hog, "normal", C)
    assert "<b>Photo Indexer</b>" in html and "Normal: " in html
    assert "by your rule" not in html  # no rule gives it one
    # The rule the monitor found, and which of the person's names gave it (escaped: a name).
    ruled = {**hog, "rule": "prefer", "rule_source": "/opt/<indexer>"}
    html = ap.details_html(ruled, "prefer", C)
    assert "Sacrifice first: " in html
    assert "Sacrificed first by your rule “/opt/&lt;indexer&gt;”." in html


def test_details_escape_names() -> None:
    app = {"id": "x", "name": "<script>", "kind": "other", "bytes": {"total": 1, "kernel_view": 1},
           "kernel_rank": 1, "memwarden_rank": 1, "kernel_badness_pages": 1}  # fmt: skip
    assert "<b>&lt;script&gt;</b>" in ap.details_html(app, "normal", C)


# -- history --------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_history_keeps_its_span_and_merges_bursts() -> None:
    clock = Clock()
    h = HistoryBuffer(span_s=60, min_step_s=1, clock=clock)
    h.add(10 * GiB, 0.0, 0.0)
    clock.t += 0.2
    h.add(9 * GiB, 1.0, 0.0)  # within a second: replaces
    assert len(h) == 1 and h.latest() is not None and h.latest().available_bytes == 9 * GiB
    for _ in range(100):
        clock.t += 2
        h.add(8 * GiB, 5.0, 1.0)
    samples = h.samples()
    assert all(clock.t - s.t <= 60 for s in samples)
    assert len(samples) == 31
    assert h.lowest_available() == 8 * GiB
    assert h.peak_pressure() == 5.0


def test_history_empty() -> None:
    h = HistoryBuffer()
    assert h.latest() is None and h.lowest_available() is None and h.peak_pressure() == 0.0


# -- orphans --------------------------------------------------------------------------------------


def test_orphans_of_the_real_snapshot(scene_doc: dict[str, Any]) -> None:
    import os

    rows = op.orphan_rows(scene_doc["orphans"], locale=C)
    ours = [r for r in rows if "memwarden-scene-" in r.path]
    assert len(ours) == 1
    row = ours[0]
    assert row.kind == "file in RAM (tmpfs)"
    assert row.size == "48 MiB" and row.size_bytes == 48 * MiB
    assert row.deletable is (os.getuid() == next(
        o["uid"] for o in scene_doc["orphans"] if o["path"] == row.path
    ))  # fmt: skip
    assert row.command == f"rm -- {row.path}"
    assert "Closing apps cannot free it" in row.advice
    assert "48 MiB" in op.summary([o for o in scene_doc["orphans"] if o["path"] == row.path], C)


def test_sysv_orphans_and_other_users() -> None:
    row = op.orphan_row(
        {"kind": "sysv", "path": "SysV shm key 0x00000000 id 42", "bytes": MiB, "uid": 1001},
        uid=1000,
        locale=C,
    )
    assert row.command == "ipcrm -m 42"
    assert not row.deletable
    assert row.owner == "user 1001"
    assert "another user" in row.advice
    weird = op.orphan_row({"kind": "tmpfs", "path": "/dev/shm/a b;c", "bytes": 1, "uid": 7}, 7, C)
    assert weird.command == "rm -- '/dev/shm/a b;c'" and weird.deletable
    assert op.summary([], C).startswith("No memory is held")


def test_delete_file_refuses_what_is_not_a_file(tmp_path: Any) -> None:
    f = tmp_path / "x"
    f.write_bytes(b"1")
    link = tmp_path / "l"
    link.symlink_to(f)
    with pytest.raises(FileNotFoundError):
        op.delete_file(str(link))
    with pytest.raises(FileNotFoundError):
        op.delete_file(str(tmp_path))
    op.delete_file(str(f))
    assert not f.exists() and link.is_symlink()


# -- settings -------------------------------------------------------------------------------------


def test_the_settings_page_s_ranges_come_from_the_table_without_values_that_always_hold() -> None:
    from memwarden.ui.window import settings_presenter as sp

    assert sp.spin_range("warn_percent") == (0.0, 99.9)  # 100 % would always hold
    assert sp.spin_range("psi_full_percent") == (1.0, 100.0)  # so would 0 %
    assert sp.spin_range("horizon_seconds") == (1.0, 3600.0)
    assert sp.spin_range("grace_seconds") == (0.0, 120.0)


def test_the_settings_page_checks_as_the_monitor_and_sends_only_changes() -> None:
    from memwarden.core.settings import Settings
    from memwarden.ui.window import settings_presenter as sp

    saved = Settings(warn_percent=15.25, kill_mib=300)
    assert sp.validation_error(saved) is None
    assert sp.validation_error(Settings(kill_percent=12)) == (
        "The limits must be in order: warn first, then close, then close at once "
        "(warn ≥ close ≥ at once)."
    )
    assert sp.validation_error(Settings(psi_full_percent=0)) == (
        "A value would always hold, so MemWarden would close one app after another."
    )
    # 15.25 shows as 15.3 in a box of one decimal: not a change; what the page does not edit
    # (kill_mib) is never sent.
    shown = Settings(warn_percent=15.3, kill_mib=None, grace_seconds=8.0)
    assert sp.changes(saved, shown) == {"grace_seconds": 8.0}
    assert sp.with_defaults(shown) == Settings()


def test_the_settings_page_s_switch_is_sent_only_when_changed_and_described() -> None:
    from memwarden.core.settings import BY_KEY, SWITCH, Settings
    from memwarden.ui.window import settings_presenter as sp

    assert [BY_KEY[key].kind for key in sp.SWITCHES] == [SWITCH]
    saved = Settings(warn_percent=20.0)
    assert sp.changes(saved, saved) == {}
    off = Settings(warn_percent=20.0, pause_growing=False)
    assert sp.changes(saved, off) == {"pause_growing": False}
    assert sp.changes(off, saved) == {"pause_growing": True}
    assert sp.validation_error(off) is None
    assert sp.with_defaults(off).pause_growing is True
    # What happens at the close threshold, with pausing on and off.
    on_words = sp.describe(saved, 16 << 30, 0)
    off_words = sp.describe(off, 16 << 30, 0)
    pausing = (
        "If that app is still growing, MemWarden pauses it instead and asks you whether to "
        "resume it, close it, or protect it and resume it."
    )
    not_pausing = (
        "It does so even when that app is still growing: pausing it to ask you first is off."
    )
    assert pausing in on_words and not_pausing not in on_words
    assert not_pausing in off_words and pausing not in off_words
    assert on_words.index(pausing) == 2  # right after the close sentence
    # The command line's flag for a switch may be either: both are named.
    assert "--pause-growing/--no-pause-growing" in sp.from_flags(
        {"SettingsFromFlags": ["pause_growing"]}
    )


def test_the_settings_page_is_read_only_without_a_monitor_or_a_file() -> None:
    from memwarden.ui.window import settings_presenter as sp

    props = {"ConfigPath": "/home/u/.config/memwarden/config.toml",
             "Settings": {"warn_percent": 20.0}}  # fmt: skip
    assert sp.read_only_reason(props, connected=True) is None
    assert sp.saved_settings(props).warn_percent == 20.0  # type: ignore[union-attr]
    assert "not running" in (sp.read_only_reason(props, connected=False) or "")
    assert "--no-config" in (sp.read_only_reason({**props, "ConfigPath": ""}, True) or "")
    assert "older" in (sp.read_only_reason({"ConfigPath": "/x"}, True) or "")
