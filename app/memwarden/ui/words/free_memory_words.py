# SPDX-License-Identifier: GPL-3.0-or-later
"""What "free memory now" did, in words: each step and how it went, and the measured result.

The monitor reports reason codes (:mod:`memwarden.core.reason_codes`: the steps, the reclaim's
results, and for the cache drop its own results or the helper's code, worded here by what that
code means for the person) and measured figures; nothing here claims more than was measured.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from memwarden.core import reason_codes as codes
from memwarden.core.reason_codes import HelperGroup, helper_group
from memwarden.ui.words.formatting import human_size
from memwarden.ui.words.messages import Text

_t = QCoreApplication.translate


def free_step(step: Mapping[str, Any]) -> str:
    """One step of "free memory now" and how it went."""
    name, result = str(step.get("step", "")), str(step.get("result", ""))
    if name == codes.RECLAIM_BACKGROUND:
        texts = {
            codes.DONE: _t("Messages", "Background apps were trimmed."),
            codes.PARTIAL: _t("Messages", "Background apps were trimmed partly."),
            codes.NOTHING_TO_RECLAIM: _t("Messages", "Background apps had nothing to give back."),
            codes.NO_CGROUP_V2: _t("Messages", "Background apps could not be trimmed: this "
                                               "system does not use cgroup v2."),
            codes.NOT_DELEGATED: _t("Messages", "Background apps could not be trimmed: the "
                                                "session does not let MemWarden manage them."),
            codes.NO_BACKGROUND_SLICE: _t("Messages", "There are no background apps to trim."),
            codes.NO_MEMORY_CONTROLLER: _t("Messages", "Background apps could not be trimmed: "
                                                       "the memory controller is off."),
            codes.FAILED: _t("Messages", "Background apps could not be trimmed: something went "
                                         "wrong (the monitor's log says what)."),
        }
        return texts.get(result, _t("Messages", "Background apps could not be trimmed (%1).")
                         .replace("%1", result))
    if name == codes.DROP_CACHES:
        return _drop_caches_step(result)
    return _t("Messages", "A step MemWarden does not know finished with: %1.").replace("%1", result)


def _drop_caches_step(result: str) -> str:
    """The ``drop-caches`` step: its own results, else the helper's code by what it means."""
    own = {
        codes.DONE: _t("Messages", "Caches were dropped and memory compacted."),
        codes.FAILED: _t("Messages", "Caches were not dropped: something went wrong (the "
                                     "monitor's log says what)."),
        codes.RATE_LIMITED: _t("Messages", "Caches were not dropped again: they were dropped "
                                           "less than a minute ago."),
    }
    g = HelperGroup
    by_group = {
        g.OFF: _t("Messages", "Caches were not dropped: the privileged helper is not in use."),
        g.MISSING: _t("Messages", "Caches were not dropped: the privileged helper is not "
                                  "installed."),
        g.BROKEN: _t("Messages", "Caches were not dropped: the privileged helper does not work."),
        g.NO_SYSTEM_BUS: _t("Messages", "Caches were not dropped: there is no system bus to "
                                        "reach the privileged helper."),
        g.UNREACHABLE: _t("Messages", "Caches were not dropped: the privileged helper did not "
                                      "answer."),
        g.DENIED: _t("Messages", "Caches were not dropped: not allowed."),
        g.CAPABILITY: _t("Messages", "Caches were not dropped: the privileged helper lacks a "
                                     "capability."),
        g.RETRYING: _t("Messages", "Caches were not dropped: the privileged helper is busy. Try "
                                   "again in a moment."),
        g.FAULT: _t("Messages", "Caches were not dropped: the privileged helper failed."),
    }
    text = own.get(result)
    if text is None:
        group = helper_group(result) if result in codes.DROP_CACHES_RESULTS else None
        text = by_group.get(group) if group is not None else None
    if text is not None:
        return text
    return _t("Messages", "Caches were not dropped (%1).").replace("%1", result)


def free_result_text(result: Mapping[str, Any], locale: QLocale | None = None) -> Text:
    """The measured outcome of "free memory now": memory left before and after (the measure the
    tray and the thresholds show), and what went to swap; nothing more."""
    before = int(result.get("available_before", 0))
    after = int(result.get("available_after", 0))
    freed = max(0, int(result.get("freed_bytes", after - before)))
    swapped = max(0, int(result.get("swapped_out_bytes", 0)))
    if freed > 0:
        summary = _t("Messages", "Freed %1").replace("%1", human_size(freed, locale))
    else:
        summary = _t("Messages", "No memory could be freed without closing apps")
    measured = _t("Messages", "Available memory: %1 before, %2 after.") \
        .replace("%1", human_size(before, locale)).replace("%2", human_size(after, locale))
    if swapped > 0:
        measured += " " + _t("Messages", "%1 of idle memory was moved to swap.") \
            .replace("%1", human_size(swapped, locale))
    steps = [free_step(s) for s in result.get("steps") or ()]
    return Text(summary, " ".join([measured, *steps]))
