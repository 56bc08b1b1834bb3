# SPDX-License-Identifier: GPL-3.0-or-later
"""The window rendered offscreen from a real snapshot, in English and German.

window_screenshots.py renders them. The PNGs go to ``$MEMWARDEN_SCREENSHOTS`` when set (the e2e
run collects them there), else to a temporary folder; docs/screenshots/ holds the committed ones,
made by the same script.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from window_screenshots import SIZE, take_screenshots

pytestmark = pytest.mark.memory  # the scene's processes hold a few hundred MiB


def test_screenshots_in_english_and_german(qapp: Any, aloop: Any, tmp_path: Path) -> None:
    out = Path(os.environ.get("MEMWARDEN_SCREENSHOTS") or tmp_path)
    written = take_screenshots(out, qapp, watch_s=1.0)
    assert [p.name for p in written] == ["window.png", "window-settings.png", "window-de.png"]
    images = {p.name: QImage(str(p)) for p in written}
    for name, image in images.items():
        assert (image.width(), image.height()) == SIZE, name
    # Different tabs and different languages are different pictures.
    assert images["window.png"] != images["window-de.png"]
    assert images["window.png"] != images["window-settings.png"]
