# SPDX-License-Identifier: GPL-3.0-or-later
"""Every registered reason code has words of its own, in the tray and in the window.

The registry (core/reason_codes.py) lists every code that reaches the UI; a code of it that fell
through to the generic sentence meant for a newer monitor's codes would be a code someone added
without words. QtCore only: the tray's words (``messages``) and the window's (``words``).
"""

from __future__ import annotations

import pytest

from memwarden.core import reason_codes as codes
from memwarden.ui.words import code_words as words
from memwarden.ui.words import free_memory_words, messages, pause_words

UNREGISTERED = "brand-new-code"


def test_the_generic_sentences_are_what_these_tests_tell_apart():
    """The checks below compare with the sentences for a code nobody registered."""
    assert not codes.registered(UNREGISTERED)
    assert UNREGISTERED in words.helper_status(UNREGISTERED)[0]
    assert UNREGISTERED in messages.refusal(UNREGISTERED)
    assert messages.state_reason(UNREGISTERED) == "Memory is running low."
    assert UNREGISTERED in pause_words.resume_reason(UNREGISTERED)
    assert UNREGISTERED in pause_words.reclaim_sentence({"result": UNREGISTERED})


@pytest.mark.parametrize("code", sorted(codes.HELPER_STATUS))
def test_every_helper_status_has_its_own_words_in_the_window_and_the_tray(code: str) -> None:
    headline, explanation = words.helper_status(code)
    generic_headline, _generic_explanation = words.helper_status(UNREGISTERED)
    assert headline != generic_headline.replace(UNREGISTERED, code)
    assert explanation
    tray_line = messages.helper_problem(code)
    assert tray_line is None or headline in tray_line


@pytest.mark.parametrize("code", sorted(codes.HELPER_STATUS))
def test_helper_words_per_group_are_distinct(code: str) -> None:
    """Two groups never share a headline: the group is what the words say."""
    group = codes.helper_group(code)
    others = {c for c, g in codes.HELPER_STATUS.items() if g is not group}
    assert words.helper_status(code)[0] not in {words.helper_status(c)[0] for c in others}


@pytest.mark.parametrize("state", sorted(codes.STATES))
def test_every_state_has_its_title(state: str) -> None:
    assert messages.state_title(state) != messages.state_title(UNREGISTERED)


@pytest.mark.parametrize("code", sorted(codes.STATE_REASONS))
def test_every_state_reason_has_its_own_sentence(code: str) -> None:
    assert messages.state_reason(code) != messages.state_reason(UNREGISTERED)


@pytest.mark.parametrize("code", sorted(codes.VICTIM_REASONS))
def test_every_victim_reason_has_its_own_sentence(code: str) -> None:
    assert messages.victim_reason(code) != messages.victim_reason(UNREGISTERED)


@pytest.mark.parametrize("code", sorted(codes.REFUSALS))
def test_every_refusal_has_its_own_sentence(code: str) -> None:
    assert messages.refusal(code) != messages.refusal(UNREGISTERED).replace(UNREGISTERED, code)


@pytest.mark.parametrize(
    ("step", "code"),
    sorted(
        [(codes.RECLAIM_BACKGROUND, c) for c in codes.RECLAIM_RESULTS]
        + [(codes.DROP_CACHES, c) for c in codes.DROP_CACHES_RESULTS]
    ),
)
def test_every_free_memory_result_has_its_own_sentence(step: str, code: str) -> None:
    text = free_memory_words.free_step({"step": step, "result": code})
    assert text != free_memory_words.free_step({"step": step, "result": UNREGISTERED}).replace(
        UNREGISTERED, code
    )


def test_every_free_memory_step_is_known() -> None:
    unknown_step = free_memory_words.free_step({"step": UNREGISTERED, "result": codes.DONE})
    for step in codes.FREE_STEPS:
        assert free_memory_words.free_step({"step": step, "result": codes.DONE}) != unknown_step


@pytest.mark.parametrize("code", sorted(codes.SETTINGS_ERRORS | {codes.NO_CONFIG_FILE,
                                                                 codes.NOT_SAVED}))
def test_every_settings_refusal_has_its_own_sentence(code: str) -> None:
    from memwarden.ui.window.settings_presenter import problem_words

    generic = problem_words(UNREGISTERED, "warn_percent").replace(UNREGISTERED, code)
    assert problem_words(code, "warn_percent") != generic


@pytest.mark.parametrize("code", sorted(codes.RESUME_REASONS))
def test_every_resume_reason_has_its_own_sentence(code: str) -> None:
    generic = pause_words.resume_reason(UNREGISTERED).replace(UNREGISTERED, code)
    assert pause_words.resume_reason(code) != generic


@pytest.mark.parametrize("code", sorted(codes.PAUSE_RECLAIM_RESULTS))
def test_every_pause_reclaim_result_has_its_own_sentence(code: str) -> None:
    """With and without RAM measured to have come free."""
    for freed in (0, 1 << 30):
        generic = pause_words.reclaim_sentence({"result": UNREGISTERED, "ram_freed_bytes": freed})
        text = pause_words.reclaim_sentence({"result": code, "ram_freed_bytes": freed})
        assert text != generic.replace(UNREGISTERED, code)


def test_pause_reclaim_sentences_are_distinct() -> None:
    """Each result says something else (a copied sentence would hide a result)."""
    texts = {pause_words.reclaim_sentence({"result": c}) for c in codes.PAUSE_RECLAIM_RESULTS}
    assert len(texts) == len(codes.PAUSE_RECLAIM_RESULTS)
    reasons = {pause_words.resume_reason(c) for c in codes.RESUME_REASONS}
    assert len(reasons) == len(codes.RESUME_REASONS)
