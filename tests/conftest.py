# SPDX-License-Identifier: GPL-3.0-or-later
"""Suite-wide fixtures. Subsystems keep their own fixtures in their folder's conftest.py."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for `import hogs`

# Qt tests run offscreen unless a test desktop (Xvfb) says otherwise.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hogs import Hog, start_hog


@pytest.fixture
def hog() -> Iterator[Callable[..., Hog]]:
    """Start real memory hogs (see tests/hogs.py); all are killed when the test ends."""
    started: list[Hog] = []

    def start(kind: str, size: int = 0, **kwargs: object) -> Hog:
        h = start_hog(kind, size, **kwargs)  # type: ignore[arg-type]
        started.append(h)
        return h

    yield start
    for h in started:
        h.stop()
