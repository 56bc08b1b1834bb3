# SPDX-License-Identifier: GPL-3.0-or-later
"""The apps of a snapshot as a Qt table model, and the proxy that sorts and filters it.

Rows are kept by app id across refreshes (updated in place, removed, appended), so the selection,
the sort order and an open rule editor survive the periodic snapshot. The rule column shows the
monitor's ``rule`` of each app (the model never matches names) and is editable: setting it emits
:attr:`AppsTableModel.ruleRequested`; the controller asks the monitor, which persists it, and the
row shows the new rule once the next snapshot says so.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon

from memwarden.ui.link.app_rules import monitor_rule
from memwarden.ui.window.app_presenter import (
    breakdown_hint,
    hidden_bytes,
    kernel_ignores,
    kernel_rank_text,
    rank_difference,
    total_tooltip,
)
from memwarden.ui.words import code_words as words
from memwarden.ui.words.formatting import human_size
from memwarden.ui.words.plain_text import tooltip

_Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    """The table's columns, in order."""

    NAME = 0
    KIND = 1
    TOTAL = 2
    RESIDENT = 3
    SWAP = 4
    SHMEM = 5
    DMABUF = 6
    GPU_SYSTEM = 7
    GPU_VRAM = 8
    KERNEL_RANK = 9
    MEMWARDEN_RANK = 10
    DIFFERENCE = 11
    RULE = 12


_BYTES_FIELD = {
    Column.TOTAL: "total",
    Column.RESIDENT: "resident",
    Column.SWAP: "swap",
    Column.SHMEM: "shmem",
    Column.DMABUF: "dmabuf",
    Column.GPU_SYSTEM: "gpu_system",
    Column.GPU_VRAM: "gpu_vram",
}

# Sort key of a cell (numbers sort as numbers).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
# The app id of a row.
APP_ID_ROLE = Qt.ItemDataRole.UserRole + 2
# The rule code of a row (``protect``/``prefer``/``normal``).
RULE_ROLE = Qt.ItemDataRole.UserRole + 3
# The row's app dict (the snapshot entry).
APP_ROLE = Qt.ItemDataRole.UserRole + 4

# The kernel underrates the app: a warm colour that reads on light and dark themes.
_UNDERRATED = QColor(0xC0, 0x39, 0x2B)


class AppsTableModel(QAbstractTableModel):
    """Apps of the latest snapshot, one row each.

    Signals:
        ruleRequested(str app_id, str rule): the person chose a rule for an app in the table
            (the controller turns it into ``SetAppRule`` calls:
            :func:`memwarden.ui.link.app_rules.rule_changes`).
    """

    ruleRequested = Signal(str, str)

    def __init__(self, parent: QObject | None = None, locale: QLocale | None = None) -> None:
        super().__init__(parent)
        self._apps: list[dict[str, Any]] = []
        self._locale = locale

    # -- feeding ----------------------------------------------------------------------------------

    def set_apps(self, apps: list[dict[str, Any]]) -> None:
        """Replace the content with a snapshot's ``apps``, keeping rows of apps still there."""
        new = {str(a["id"]) + "\0" + str(a.get("uid", "")): a for a in apps}
        # Remove vanished apps, bottom up so row numbers stay valid.
        for row in range(len(self._apps) - 1, -1, -1):
            if self._key(self._apps[row]) not in new:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._apps[row]
                self.endRemoveRows()
        known = {self._key(a): row for row, a in enumerate(self._apps)}
        for key, app in new.items():
            at = known.get(key)
            if at is not None:
                self._apps[at] = app
        if self._apps:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._apps) - 1, len(Column) - 1)
            )
        added = [app for key, app in new.items() if key not in known]
        if added:
            first = len(self._apps)
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            self._apps.extend(added)
            self.endInsertRows()

    @staticmethod
    def _key(app: dict[str, Any]) -> str:
        return str(app["id"]) + "\0" + str(app.get("uid", ""))

    def app_at(self, row: int) -> dict[str, Any]:
        """The snapshot entry of a row."""
        return self._apps[row]

    def rule_at(self, row: int) -> str:
        """The rule shown for a row: the monitor's."""
        return monitor_rule(self._apps[row])

    def row_of(self, app_id: str) -> int | None:
        """The row of an app id (the first, if two users share it), or None."""
        for row, app in enumerate(self._apps):
            if app["id"] == app_id:
                return row
        return None

    # -- Qt model API -----------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._apps)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return _header(column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _header_hint(column)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == Column.RULE:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._apps):
            return None
        app = self._apps[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(app, column)
        if role == SORT_ROLE:
            key = self._sort_key(app, column)
            # Numbers as floats: a Python int between 2**31 and 2**32 reaches Qt as an unsigned
            # int, which QSortFilterProxyModel compared wrongly with the others (an app of 3.5 GiB
            # sorted below one of 5 bytes). A double holds every byte count exactly (< 2**53).
            return float(key) if isinstance(key, int) else key
        if role == Qt.ItemDataRole.EditRole and column == Column.RULE:
            return monitor_rule(app)
        if role == APP_ID_ROLE:
            return app["id"]
        if role == RULE_ROLE:
            return monitor_rule(app)
        if role == APP_ROLE:
            return app
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self._tooltip(app, column)  # the name's tooltip has the app's id
            return tooltip(text) if text else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in _BYTES_FIELD or column in (
                Column.KERNEL_RANK, Column.MEMWARDEN_RANK
            ):  # fmt: skip
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == Column.NAME:
            return _icon(app.get("icon"))
        if column == Column.DIFFERENCE and rank_difference(app).underrated:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(_UNDERRATED)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.FontRole and column == Column.TOTAL:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or index.column() != Column.RULE
            or role != Qt.ItemDataRole.EditRole
            or value not in words.RULES
        ):
            return False
        app = self._apps[index.row()]
        if monitor_rule(app) != value:
            # Shown once the monitor's next snapshot says so: the rule it saves may not be the
            # one in force (a rule on one of the app's programs can still protect it).
            self.ruleRequested.emit(str(app["id"]), str(value))
        return True

    # -- cells ------------------------------------------------------------------------------------

    def _display(self, app: dict[str, Any], column: Column) -> str:
        if column == Column.NAME:
            return str(app.get("name") or app["id"])
        if column == Column.KIND:
            return words.app_kind(str(app.get("kind", "other")))
        field = _BYTES_FIELD.get(column)
        if field is not None:
            value = int(app["bytes"].get(field, 0))
            return human_size(value, self._locale) if value or field == "total" else "–"
        if column == Column.KERNEL_RANK:
            return kernel_rank_text(app)
        if column == Column.MEMWARDEN_RANK:
            return f"#{app['memwarden_rank']}"
        if column == Column.DIFFERENCE:
            return rank_difference(app, self._locale).text
        if column == Column.RULE:
            return words.rule(monitor_rule(app))
        return ""

    def _sort_key(self, app: dict[str, Any], column: Column) -> Any:
        if column == Column.NAME:
            return str(app.get("name") or app["id"]).casefold()
        if column == Column.KIND:
            return words.app_kind(str(app.get("kind", "other"))).casefold()
        field = _BYTES_FIELD.get(column)
        if field is not None:
            return int(app["bytes"].get(field, 0))
        if column == Column.KERNEL_RANK:
            # Apps the kernel never picks sort after every rank.
            return 1 << 30 if kernel_ignores(app) else int(app["kernel_rank"])
        if column == Column.MEMWARDEN_RANK:
            return int(app["memwarden_rank"])
        if column == Column.DIFFERENCE:
            # Most underrated first when sorted descending: places, then hidden bytes.
            return rank_difference(app).places * (1 << 40) + hidden_bytes(app)
        if column == Column.RULE:
            rule = monitor_rule(app)
            return words.RULES.index(rule) if rule in words.RULES else 9
        return 0

    def _tooltip(self, app: dict[str, Any], column: Column) -> str | None:
        if column in (Column.NAME, Column.TOTAL):
            lines = [str(app["id"])] if column == Column.NAME else []
            lines.append(total_tooltip(app, self._locale))
            return "\n".join(line for line in lines if line)
        if column in (Column.DIFFERENCE, Column.KERNEL_RANK, Column.MEMWARDEN_RANK):
            return rank_difference(app, self._locale).explanation
        if column == Column.RULE:
            source = words.rule_source_text(app)
            return words.rule_hint(monitor_rule(app)) + ("\n" + source if source else "")
        field = _BYTES_FIELD.get(column)
        return breakdown_hint(field) if field else None


def _header(column: Column) -> str:
    # Two lines where a heading is long: the table must fit a laptop screen without scrolling.
    return {
        Column.NAME: QCoreApplication.translate("AppsTableModel", "App"),
        Column.KIND: QCoreApplication.translate("AppsTableModel", "Kind"),
        Column.TOTAL: QCoreApplication.translate("AppsTableModel", "Total"),
        Column.RESIDENT: QCoreApplication.translate("AppsTableModel", "In RAM"),
        Column.SWAP: QCoreApplication.translate("AppsTableModel", "Swap"),
        Column.SHMEM: QCoreApplication.translate("AppsTableModel", "Shared\nfiles"),
        Column.DMABUF: QCoreApplication.translate("AppsTableModel", "DMA-BUF"),
        Column.GPU_SYSTEM: QCoreApplication.translate("AppsTableModel", "GPU in\nRAM"),
        Column.GPU_VRAM: QCoreApplication.translate("AppsTableModel", "Video\nmemory"),
        Column.KERNEL_RANK: QCoreApplication.translate("AppsTableModel", "Kernel's\npick"),
        Column.MEMWARDEN_RANK: QCoreApplication.translate("AppsTableModel", "MemWarden's\npick"),
        Column.DIFFERENCE: QCoreApplication.translate("AppsTableModel", "Kernel\nranks it"),
        Column.RULE: QCoreApplication.translate("AppsTableModel", "If memory\nruns out"),
    }.get(column, "")


def _header_hint(column: Column) -> str:
    field = _BYTES_FIELD.get(column)
    if field is not None:
        return breakdown_hint(field)
    return {
        Column.KERNEL_RANK: QCoreApplication.translate(
            "AppsTableModel",
            "The order in which the kernel's out-of-memory killer would pick apps. It counts only "
            "memory mapped into processes.",
        ),
        Column.MEMWARDEN_RANK: QCoreApplication.translate(
            "AppsTableModel",
            "The order by everything an app really holds, including shared memory files and "
            "graphics buffers.",
        ),
        Column.DIFFERENCE: QCoreApplication.translate(
            "AppsTableModel",
            "How the kernel's order differs from the real one. An app ranked lower by the kernel "
            "can fill the memory while the kernel kills an innocent app.",
        ),
        Column.RULE: QCoreApplication.translate(
            "AppsTableModel",
            "Protect an app, sacrifice it first, or leave it to MemWarden. Saved by the monitor.",
        ),
    }.get(column, "")


def _icon(name: Any) -> QIcon | None:
    if not name or not isinstance(name, str):
        return None
    icon = QIcon.fromTheme(name)
    return None if icon.isNull() else icon


class AppsFilterProxy(QSortFilterProxyModel):
    """Sorts by :data:`SORT_ROLE` and filters by a text and, optionally, by hidden memory."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self._text = ""
        self._only_misjudged = False

    def set_text(self, text: str) -> None:
        """Show only apps whose name, id or kind contains ``text`` (any case)."""
        self._change_filter(lambda: setattr(self, "_text", text.strip().casefold()))

    def set_only_misjudged(self, on: bool) -> None:
        """Show only apps the kernel underrates while they hide notable memory."""
        self._change_filter(lambda: setattr(self, "_only_misjudged", on))

    def _change_filter(self, change: Callable[[], None]) -> None:
        # Qt 6.9 replaced invalidateRowsFilter() with begin/endFilterChange(); both are fine
        # for PySide6 >= 6.6 as pyproject allows.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, AppsTableModel) or source_row >= model.rowCount():
            return True
        app = model.app_at(source_row)
        if self._only_misjudged and not rank_difference(app).underrated:
            return False
        if not self._text:
            return True
        haystack = " ".join(
            (
                str(app.get("name", "")),
                str(app.get("id", "")),
                words.app_kind(str(app.get("kind", "other"))),
            )
        ).casefold()
        return self._text in haystack
