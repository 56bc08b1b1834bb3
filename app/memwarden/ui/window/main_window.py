# SPDX-License-Identifier: GPL-3.0-or-later
"""MemWarden's main window: the state and a short history at the top; below, the apps with their
real memory and both rankings, the leftover files, and the settings.

Thin: every number, sentence and decision comes from :class:`WindowController` and the other
presenters; this module lays widgets out and forwards what the person does. The tray opens it
with ``show()``/``raise_()``; closing it only hides it (a QMainWindow without
``WA_DeleteOnClose``), and the tray keeps running.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
)
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from memwarden.core.rule_codes import RULES
from memwarden.ui.link.client_api import MonitorClientApi
from memwarden.ui.window import app_presenter
from memwarden.ui.window.apps_model import APP_ROLE, RULE_ROLE, Column
from memwarden.ui.window.controller import WindowController
from memwarden.ui.window.history import HistoryBuffer
from memwarden.ui.window.history_view import HistoryView
from memwarden.ui.window.orphans_page import OrphansPage
from memwarden.ui.window.settings_page import SettingsPage
from memwarden.ui.words import code_words as words
from memwarden.ui.words.plain_text import plain_labels

_Index = QModelIndex | QPersistentModelIndex

_LEVEL_COLOURS = {
    "calm": "#1e8449",
    "warning": "#d35400",
    "critical": "#c0392b",
    "offline": "#7f8c8d",
}


class RuleDelegate(QStyledItemDelegate):
    """A combo box for the rule column: Normal, Protect, Sacrifice first."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        combo = QComboBox(parent)
        for code in words.RULES:
            combo.addItem(words.rule(code), code)
            combo.setItemData(combo.count() - 1, words.rule_hint(code), Qt.ItemDataRole.ToolTipRole)
        # Commit as soon as a choice is made, not when focus leaves.
        combo.activated.connect(lambda _i: self.commitData.emit(combo))
        combo.activated.connect(lambda _i: self.closeEditor.emit(combo))
        return combo

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        if isinstance(editor, QComboBox):
            at = editor.findData(index.data(Qt.ItemDataRole.EditRole))
            editor.setCurrentIndex(max(0, at))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class MainWindow(QMainWindow):
    """The main window.

    Args:
        client: The monitor client (:class:`memwarden.ui.link.monitor_client.MonitorClient`).
        parent: The Qt parent.
        history: A history kept since start-up, so the chart is not empty on first open; a new
            one by default.
    """

    def __init__(
        self,
        client: MonitorClientApi,
        parent: QWidget | None = None,
        *,
        history: HistoryBuffer | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = WindowController(client, self, history=history)
        self.setWindowTitle(self.tr("MemWarden"))
        self.setObjectName("MemWardenMainWindow")
        self.resize(1180, 760)

        central = QWidget(self)
        self.setCentralWidget(central)
        layout = QVBoxLayout(central)

        # -- status strip and history --
        strip = QFrame(central)
        strip.setFrameShape(QFrame.Shape.StyledPanel)
        strip_layout = QVBoxLayout(strip)
        self.headline = QLabel(strip)
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.headline.setFont(font)
        self.figures = QLabel(strip)
        self.victim = QLabel(strip)
        self.paused = QLabel(strip)
        for label in (self.figures, self.victim, self.paused):
            label.setWordWrap(True)
        # The victim line names an app, the figures may carry an error's text.
        plain_labels(self.headline, self.figures, self.victim, self.paused)
        strip_layout.addWidget(self.headline)
        strip_layout.addWidget(self.figures)
        strip_layout.addWidget(self.victim)
        strip_layout.addWidget(self.paused)
        self.history_view = HistoryView(self.controller.history, strip)
        strip_layout.addWidget(self.history_view)
        layout.addWidget(strip)

        # -- tabs --
        self.tabs = QTabWidget(central)
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(self._apps_tab(), self.tr("Apps"))
        self.orphans_page = OrphansPage(self.controller, self.tabs)
        self.tabs.addTab(self.orphans_page, self.tr("Leftover files"))
        self.settings_page = SettingsPage(self.controller, self.tabs)
        self.tabs.addTab(self.settings_page, self.tr("Settings"))

        self.controller.statusChanged.connect(self.update_status)
        self.controller.historyChanged.connect(self.history_view.update)
        self.controller.snapshotChanged.connect(self._snapshot_changed)
        self.controller.message.connect(self.show_message)
        self.update_status()

    def _apps_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        intro = QLabel(
            self.tr(
                "The kernel picks what to kill by the memory it can see. Apps that hold shared "
                "memory files or graphics buffers look small to it: the kernel would kill an "
                "innocent app first. The difference is in the last columns."
            ),
            page,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        row = QHBoxLayout()
        self.filter = QLineEdit(page)
        self.filter.setPlaceholderText(self.tr("Filter by name or kind"))
        self.filter.setClearButtonEnabled(True)
        self.only_misjudged = QCheckBox(self.tr("Only apps the kernel underrates"), page)
        row.addWidget(self.filter, 1)
        row.addWidget(self.only_misjudged)
        layout.addLayout(row)

        self.table = QTableView(page)
        self.table.setModel(self.controller.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.TOTAL, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.rule_delegate = RuleDelegate(self.table)
        self.table.setItemDelegateForColumn(Column.RULE, self.rule_delegate)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.table.horizontalHeader()
        # Every column as wide as its content; the name takes what is left, so the table fits
        # the window without scrolling sideways (a long name is elided, its tooltip has the id).
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.rule_buttons: dict[str, QPushButton] = {}
        for code in RULES:
            button = QPushButton(words.rule(code), page)
            button.setToolTip(words.rule_hint(code))
            button.setEnabled(False)
            button.clicked.connect(lambda _checked=False, c=code: self.set_selected_rule(c))
            self.rule_buttons[code] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.details = QLabel(page)
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setMinimumHeight(self.details.fontMetrics().height() * 4)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.details)

        self.filter.textChanged.connect(self.controller.proxy.set_text)
        self.only_misjudged.toggled.connect(self.controller.proxy.set_only_misjudged)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.controller.apps.dataChanged.connect(lambda *_: self._show_details())
        return page

    # -- showing ----------------------------------------------------------------------------------

    def update_status(self) -> None:
        """The status strip, from the controller."""
        status = self.controller.status()
        colour = _LEVEL_COLOURS.get(status.level, _LEVEL_COLOURS["offline"])
        self.headline.setText(status.headline)
        self.headline.setStyleSheet(f"color: {colour};")
        error = self.controller.last_error
        self.figures.setText(
            " · ".join(
                part
                for part in (status.available, status.time_left, status.pressure, error or "")
                if part
            )
        )
        self.victim.setText(status.next_victim)
        self.victim.setVisible(bool(status.next_victim))
        self.paused.setText(status.paused)
        self.paused.setVisible(bool(status.paused))
        self.history_view.set_limits(self.controller.thresholds())

    def _snapshot_changed(self) -> None:
        self.update_status()
        self._show_details()
        orphans = self.controller.orphans()
        index = self.tabs.indexOf(self.orphans_page)
        self.tabs.setTabText(
            index,
            self.tr("Leftover files (%1)").replace("%1", str(len(orphans)))
            if orphans
            else self.tr("Leftover files"),
        )

    def show_message(self, text: str) -> None:
        """A transient sentence in the status bar."""
        self.statusBar().showMessage(text, 10_000)

    def selected_app(self) -> tuple[dict[str, Any], str] | None:
        """The selected app and its rule."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        index = rows[0]
        return index.data(APP_ROLE), str(index.data(RULE_ROLE))

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_details()

    def _show_details(self) -> None:
        selected = self.selected_app()
        for code, button in self.rule_buttons.items():
            button.setEnabled(selected is not None and selected[1] != code)
        if selected is None:
            self.details.setText(
                self.tr("Select an app to see what it holds and why it ranks where it does.")
            )
            return
        app, rule = selected
        self.details.setText(app_presenter.details_html(app, rule, self.controller.locale))

    # -- acting -----------------------------------------------------------------------------------

    def set_selected_rule(self, rule: str) -> None:
        """Give the selected app a rule (through the model, as the rule column does)."""
        rows = self.table.selectionModel().selectedRows()
        if rows:
            index = rows[0].siblingAtColumn(Column.RULE)
            self.controller.proxy.setData(index, rule, Qt.ItemDataRole.EditRole)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        menu = QMenu(self)
        current = str(index.data(RULE_ROLE))
        for code in RULES:
            action = menu.addAction(words.rule(code))
            action.setCheckable(True)
            action.setChecked(code == current)
            action.setToolTip(words.rule_hint(code))
            action.triggered.connect(lambda _checked=False, c=code: self.set_selected_rule(c))
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # -- lifecycle --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.settings_page.load()
        self.controller.activate()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.controller.deactivate()
