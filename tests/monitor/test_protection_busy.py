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

from memwarden.helper.errors import AccessDenied, Busy, HelperError
from memwarden.monitor.protection import Protector


@dataclass(frozen=True)
class Proc:
    pid: int
    starttime_ticks: int


class Helper:
    def __init__(self, *answers: HelperError | None) -> None:
        self.answers = list(answers)
        self.calls = 0

    async def set_oom_score_adj(
        self, processes: Iterable[Any], score_adj: int, *, interactive: bool = False
    ) -> None:
        self.calls += 1
        answer = self.answers.pop(0)
        if answer is not None:
            raise answer


def protect(protector: Protector) -> dict[str, Any]:
    return asyncio.run(protector._protect([Proc(4242, 17)], -500))  # type: ignore[list-item]


def test_busy_is_asked_again_and_a_refusal_is_remembered() -> None:
    protector = Protector(Helper(Busy("sender-busy"), None))
    assert protect(protector)["kernel"] == "sender-busy"
    assert not protector.has_applied()  # nothing remembered: the next pass asks again
    assert protect(protector)["kernel"] == "applied"
    assert protector.has_applied()

    refused = Protector(Helper(AccessDenied("not-authorized")))
    assert protect(refused)["kernel"] == "not-authorized"
    assert refused.has_applied()  # remembered: not asked again for every tick
