# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the tray finds its icons, and the icons as QIcons.

Looked up in order: ``$MEMWARDEN_DATA_DIR`` (a directory holding ``resources/``), the
source checkout this module runs from (development, editable installs), then
``<prefix>/share/memwarden``. The SVGs are rendered into pixmaps here at the sizes panels use, so
the tray does not depend on Qt's SVG icon-engine plugin being installed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

DATA_ENV = "MEMWARDEN_DATA_DIR"
APP_ICON_NAME = "io.github.memwarden.MemWarden"
#: Sizes rendered for the tray (panels use 16–24 px, HiDPI panels twice that).
ICON_SIZES = (16, 22, 24, 32, 44, 48, 64)


def data_dirs() -> list[Path]:
    """Candidate data directories, most specific first."""
    dirs = []
    if os.environ.get(DATA_ENV):
        dirs.append(Path(os.environ[DATA_ENV]))
    dirs.append(Path(__file__).resolve().parents[3])  # the checkout: app/memwarden/ui -> root
    dirs.append(Path(sys.prefix) / "share" / "memwarden")
    return dirs


def find(relative: str) -> Path | None:
    """The first existing ``<data dir>/<relative>``."""
    for directory in data_dirs():
        path = directory / relative
        if path.exists():
            return path
    return None


def tray_icon_path(state: str) -> Path | None:
    """``resources/tray/<state>.svg``."""
    return find(f"resources/tray/{state}.svg")


def app_icon_path() -> Path | None:
    """The scalable app icon."""
    return find(f"resources/icons/hicolor/scalable/apps/{APP_ICON_NAME}.svg")


def render_svg(path: Path, size: int) -> QPixmap:
    """An SVG as a square pixmap of ``size`` px (transparent background)."""
    image = QImage(QSize(size, size), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(path)).render(painter, QRectF(0, 0, size, size))
    painter.end()
    return QPixmap.fromImage(image)


def _icon_from_svg(path: Path | None) -> QIcon:
    icon = QIcon()
    if path is None:
        return icon
    for size in ICON_SIZES:
        icon.addPixmap(render_svg(path, size))
    return icon


def tray_icon(state: str) -> QIcon:
    """The tray icon for a state (``calm``, ``warning``, ``critical``, ``paused``, ``error``); a
    new QIcon each call (callers keep it: rendering costs a few ms)."""
    return _icon_from_svg(tray_icon_path(state))


def app_icon() -> QIcon:
    """The app icon: the icon theme's when installed, else ours."""
    themed = QIcon.fromTheme(APP_ICON_NAME)
    return themed if not themed.isNull() else _icon_from_svg(app_icon_path())


def notification_icon() -> str:
    """What a notification names as its icon: the installed theme name, else our SVG's path."""
    if not QIcon.fromTheme(APP_ICON_NAME).isNull():
        return APP_ICON_NAME
    path = app_icon_path()
    return str(path) if path is not None else APP_ICON_NAME
