# SPDX-License-Identifier: GPL-3.0-or-later
"""The real helper, paused once right before its first ``oom_score_adj`` write (tests only).

Usage (as root): ``paused_helper.py PAUSED_FD GO_FD [helper arguments...]``. When the helper is
about to make its first write, that is after it has checked the target's ownership, it writes
the target's pid and a newline to PAUSED_FD and waits for one byte (or EOF) on GO_FD. A test
changes the target in that window, deterministically, and then lets the helper go on. Nothing
else differs from ``memwarden-helper``: the pause lives here, not in the helper.
"""

from __future__ import annotations

import os
import sys

from memwarden.helper import targets
from memwarden.helper.service import main

_paused_fd, _go_fd = int(sys.argv[1]), int(sys.argv[2])
_write = targets.HeldProcess.write_oom_score_adj
_pauses_left = [1]


def _pausing_write(self: targets.HeldProcess, value: int) -> None:
    if _pauses_left[0]:
        _pauses_left[0] -= 1
        os.write(_paused_fd, f"{self.pid}\n".encode())
        os.read(_go_fd, 1)
    _write(self, value)


targets.HeldProcess.write_oom_score_adj = _pausing_write  # type: ignore[method-assign]
sys.exit(main(sys.argv[3:]))
