# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray icons are legible at panel sizes on light and dark panels, and tell the states apart
— by their glyphs too, not only by colour. Rendered from the SVGs in resources/ with QtSvg."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from memwarden.ui import resources
from memwarden.ui.tray import menu_presenter

PANELS = {"white": QColor("#ffffff"), "light": QColor("#e8e8e8"), "dark": QColor("#2d2d2d"),
          "black": QColor("#000000")}  # fmt: skip
SIZES = (16, 22, 24)


def render(state: str, size: int, panel: QColor) -> QImage:
    path = resources.tray_icon_path(state)
    assert path is not None, f"resources/tray/{state}.svg is missing"
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid()
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(panel)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def distance(a: QColor, b: QColor) -> float:
    return float(sum(abs(x - y) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True)))


def luma(c: QColor) -> float:
    return 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()


def pixels(image: QImage) -> list[QColor]:
    return [image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width())]


@pytest.mark.parametrize("state", menu_presenter.ICON_STATES)
@pytest.mark.parametrize("panel", PANELS)
@pytest.mark.parametrize("size", SIZES)
def test_icon_stands_out_from_the_panel(qapp, state, panel, size):
    bg = PANELS[panel]
    px = pixels(render(state, size, bg))
    standing_out = sum(1 for c in px if distance(c, bg) > 120)
    # The shield covers about 60 % of the square; most of it must clearly differ from the panel.
    assert standing_out > 0.4 * size * size, f"{state} at {size} px on {panel}: {standing_out}"
    # And the glyph inside must contrast with the shield: light and dark both present.
    lumas = [luma(c) for c in px if distance(c, bg) > 120]
    assert max(lumas) - min(lumas) > 100, f"{state} at {size} px on {panel}: no contrast"


@pytest.mark.parametrize("size", SIZES)
def test_states_differ_in_shape_not_only_colour(qapp, size):
    """In grey levels (as a colour-blind person or a monochrome panel sees them), every pair of
    state icons still differs clearly."""
    bg = PANELS["light"]
    grey = {s: [luma(c) for c in pixels(render(s, size, bg))] for s in menu_presenter.ICON_STATES}
    for a, b in itertools.combinations(menu_presenter.ICON_STATES, 2):
        diff = sum(abs(x - y) for x, y in zip(grey[a], grey[b], strict=True)) / (size * size)
        assert diff > 12, f"{a} and {b} look alike at {size} px (mean grey difference {diff:.1f})"


def test_tray_icon_has_every_panel_size(qapp):
    icon = resources.tray_icon("calm")
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} >= {16, 22, 24, 32, 48}


def test_app_icons(qapp):
    path = resources.app_icon_path()
    assert path is not None
    assert QSvgRenderer(str(path)).isValid()
    symbolic = path.parents[2] / "symbolic" / "apps" / "io.github.memwarden.MemWarden-symbolic.svg"
    assert QSvgRenderer(str(symbolic)).isValid()
    # A symbolic icon is one colour (the desktop recolours it).
    image = QImage(16, 16, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    painter = QPainter(image)
    QSvgRenderer(str(symbolic)).render(painter, QRectF(0, 0, 16, 16))
    painter.end()
    opaque = {c.rgb() & 0xFFFFFF for c in pixels(image) if c.alpha() == 255}
    assert len(opaque) == 1
    assert not resources.app_icon().isNull()
