# SPDX-License-Identifier: GPL-3.0-or-later
"""A small chart of free memory and memory pressure over the last minutes (QPainter only).

Free memory is the filled area (0 at the bottom, RAM + swap at the top) with the monitor's three
limits as dashed lines; pressure (PSI ``some``, percent of time programs waited for memory) is a
line on its own 0–100 % scale. Values are held until the next sample, as the monitor announces
changes rather than ticks.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from memwarden.ui.window.history import HistoryBuffer, Sample
from memwarden.ui.words.formatting import duration

FREE_COLOUR = QColor(0x2E, 0x86, 0xC1)
PRESSURE_COLOUR = QColor(0x8E, 0x44, 0xAD)
LIMIT_COLOURS = {
    "warn": QColor(0xE6, 0x7E, 0x22),
    "close": QColor(0xD3, 0x54, 0x00),
    "kill": QColor(0xC0, 0x39, 0x2B),
}


class HistoryView(QWidget):
    """Draws a :class:`HistoryBuffer`; call :meth:`set_limits` and ``update()`` as data comes."""

    def __init__(self, history: HistoryBuffer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.limits: dict[str, int] = {}
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(self.tr("History of free memory and pressure"))

    def sizeHint(self) -> QSize:
        return QSize(600, 150)

    def set_limits(self, limits: dict[str, int]) -> None:
        """The monitor's thresholds in bytes (``warn``, ``close``, ``kill``)."""
        self.limits = {k: v for k, v in limits.items() if k in LIMIT_COLOURS}
        self.update()

    def limit_label(self, name: str) -> str:
        """The word written next to a limit's line."""
        return {
            "warn": self.tr("warn"),
            "close": self.tr("close"),
            "kill": self.tr("at once"),
        }[name]

    # -- painting ---------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, p: QPainter) -> None:
        palette = self.palette()
        text_colour = palette.color(QPalette.ColorRole.WindowText)
        p.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        metrics = p.fontMetrics()
        line_h = metrics.height()
        plot = QRectF(6, line_h + 6, self.width() - 12, self.height() - 2 * line_h - 12)
        if plot.width() < 20 or plot.height() < 20:
            return

        # Legend.
        x = plot.left()
        for colour, label in (
            (FREE_COLOUR, self.tr("Free memory")),
            (PRESSURE_COLOUR, self.tr("Waiting for memory")),
        ):
            p.fillRect(QRectF(x, 4 + line_h / 4, line_h / 2, line_h / 2), colour)
            x += line_h * 0.75
            p.setPen(text_colour)
            p.drawText(QPointF(x, 2 + metrics.ascent()), label)
            x += metrics.horizontalAdvance(label) + line_h

        grid = QColor(text_colour)
        grid.setAlpha(60)
        p.setPen(QPen(grid, 1))
        p.drawRect(plot)

        span = self.history.span_s
        now = self.history.clock()
        samples = self.history.samples()
        capacity = self.history.capacity_bytes or max(
            (s.available_bytes for s in samples), default=0
        )

        # Time axis.
        p.setPen(text_colour)
        baseline = plot.bottom() + metrics.ascent() + 3
        p.drawText(QPointF(plot.left(), baseline), self.tr("%1 ago").replace("%1", duration(span)))
        now_text = self.tr("now")
        p.drawText(QPointF(plot.right() - metrics.horizontalAdvance(now_text), baseline), now_text)

        if not samples or capacity <= 0:
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, self.tr("Collecting data…"))
            return

        def x_of(t: float) -> float:
            return plot.left() + plot.width() * (1 - min(span, max(0.0, now - t)) / span)

        def y_of(available: int) -> float:
            return plot.bottom() - plot.height() * min(1.0, available / capacity)

        def y_of_pct(pct: float) -> float:
            return plot.bottom() - plot.height() * min(1.0, max(0.0, pct) / 100)

        self._paint_free(p, samples, plot, x_of, y_of, now)
        self._paint_limits(p, plot, y_of)
        self._paint_pressure(p, samples, x_of, y_of_pct, now)
        if len(samples) < 2:  # one point is a sliver at the right edge: say why it is empty
            p.setPen(text_colour)
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, self.tr("Collecting data…"))

    def _paint_free(
        self,
        p: QPainter,
        samples: list[Sample],
        plot: QRectF,
        x_of: Callable[[float], float],
        y_of: Callable[[int], float],
        now: float,
    ) -> None:
        outline = _step_path(samples, x_of, lambda s: y_of(s.available_bytes), now)
        area = QPainterPath(outline)
        area.lineTo(x_of(now), plot.bottom())
        area.lineTo(x_of(samples[0].t), plot.bottom())
        area.closeSubpath()
        fill = QColor(FREE_COLOUR)
        fill.setAlpha(70)
        p.fillPath(area, fill)
        p.setPen(QPen(FREE_COLOUR, 2))
        p.drawPath(outline)

    def _paint_limits(self, p: QPainter, plot: QRectF, y_of: Callable[[int], float]) -> None:
        # The limits are close together (15/10/5 % by default): labels go side by side from the
        # right, each above its own line, so they never overlap.
        right = plot.right() - 4
        for name, value in sorted(self.limits.items(), key=lambda kv: -kv[1]):
            y = y_of(value)
            p.setPen(QPen(LIMIT_COLOURS[name], 1, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            label = self.limit_label(name)
            width = p.fontMetrics().horizontalAdvance(label)
            p.drawText(QPointF(right - width, y - 2), label)
            right -= width + p.fontMetrics().horizontalAdvance("  ")

    def _paint_pressure(
        self,
        p: QPainter,
        samples: list[Sample],
        x_of: Callable[[float], float],
        y_of_pct: Callable[[float], float],
        now: float,
    ) -> None:
        if not any(s.some_pct for s in samples):
            return
        p.setPen(QPen(PRESSURE_COLOUR, 1.5))
        p.drawPath(_step_path(samples, x_of, lambda s: y_of_pct(s.some_pct), now))


def _step_path(
    samples: list[Sample],
    x_of: Callable[[float], float],
    y_of: Callable[[Sample], float],
    now: float,
) -> QPainterPath:
    """A value held until the next sample, and the last one until now."""
    path = QPainterPath()
    path.moveTo(x_of(samples[0].t), y_of(samples[0]))
    for previous, sample in itertools.pairwise(samples):
        path.lineTo(x_of(sample.t), y_of(previous))
        path.lineTo(x_of(sample.t), y_of(sample))
    path.lineTo(x_of(now), y_of(samples[-1]))
    return path
