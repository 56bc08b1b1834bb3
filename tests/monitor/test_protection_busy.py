# SPDX-License-Identifier: GPL-3.0-or-later
"""A busy helper is no refusal: the protector asks again on its next pass.

The helper answers ``Busy`` when too many calls are in flight (someone floods it); a refusal
(``AccessDenied``, ``MissingCapability``…) is remembered so it is not asked every tick, but a
Busy must not be, or one flood would leave an app unprotected for good.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from memwarden.core.process import ProcessKey
from memwarden.helper.errors import AccessDenied, Busy, HelperError
from memwarden.monitor.protection import Protector


@dataclass(frozen=True)
class Proc:
    pid: int
    starttime_ticks: int

    @property
    def key(self) -> ProcessKey:
        return ProcessKey(self.pid, self.starttime_ticks)


class Helper:
    def __init__(self, *answers: HelperError | None) -> None:
        self.answers = list(answers)
        self.calls: list[list[ProcessKey]] = []

    async def set_oom_score_adj(
        self, processes: Iterable[ProcessKey], score_adj: int, *, interactive: bool = False
    ) -> None:
        self.calls.append(list(processes))
        answer = self.answers.pop(0)
        if answer is not None:
            raise answer


def protect(protector: Protector) -> dict[str, Any]:
    return asyncio.run(protector._protect([Proc(4242, 17)], -500))  # type: ignore[list-item]


def test_busy_is_asked_again_and_a_refusal_is_remembered() -> None:
    helper = Helper(Busy("sender-busy"), None)
    protector = Protector(helper)
    assert protect(protector)["kernel"] == "sender-busy"
    assert not protector.has_applied()  # nothing remembered: the next pass asks again
    assert protect(protector)["kernel"] == "applied"
    assert protector.has_applied()
    # Each time the helper is asked with the process's key: pid and start time.
    assert helper.calls == [[ProcessKey(4242, 17)]] * 2

    refused = Protector(Helper(AccessDenied("not-authorized")))
    assert protect(refused)["kernel"] == "not-authorized"
    assert refused.has_applied()  # remembered: not asked again for every tick
