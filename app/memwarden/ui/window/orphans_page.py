# SPDX-License-Identifier: GPL-3.0-or-later
"""The "Leftover files" tab: RAM held by tmpfs files and SysV segments that no program holds, with
what to do about each (delete, or copy the command that removes it).

Thin: words and decisions are in :mod:`orphans_presenter`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from memwarden.ui.window import orphans_presenter as op
from memwarden.ui.window.controller import WindowController
from memwarden.ui.words.plain_text import plain_labels, tooltip


class OrphansPage(QWidget):
    """The leftover-files tab.

    Attributes:
        confirm: Asks the person before a file is deleted (replaced in tests).
    """

    def __init__(self, controller: WindowController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.rows: list[op.OrphanRow] = []
        self.confirm: Callable[[op.OrphanRow], bool] = self._ask

        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Size"), self.tr("Kind"), self.tr("Owner"), self.tr("Where")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)

        self.advice = QLabel(self)
        self.advice.setWordWrap(True)
        plain_labels(self.summary, self.advice)
        layout.addWidget(self.advice)

        buttons = QHBoxLayout()
        self.delete_button = QPushButton(self.tr("Delete file…"), self)
        self.copy_button = QPushButton(self.tr("Copy command"), self)
        self.open_button = QPushButton(self.tr("Open folder"), self)
        for button in (self.delete_button, self.copy_button, self.open_button):
            button.setEnabled(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.delete_button.clicked.connect(self.delete_selected)
        self.copy_button.clicked.connect(self.copy_selected)
        self.open_button.clicked.connect(self.open_selected)
        controller.snapshotChanged.connect(self.update_rows)
        self.update_rows()

    def update_rows(self) -> None:
        """Show the snapshot's orphans."""
        orphans = self.controller.orphans()
        selected = self.selected()
        self.summary.setText(op.summary(orphans, self.controller.locale))
        self.rows = op.orphan_rows(orphans, locale=self.controller.locale)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            cells = (row.size, row.kind, row.owner, row.path)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tooltip(row.advice))
                if c == 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
            if selected is not None and row.path == selected.path:
                self.table.selectRow(r)
        self._selection_changed()

    def selected(self) -> op.OrphanRow | None:
        """The selected orphan."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def _selection_changed(self) -> None:
        row = self.selected()
        self.advice.setText(row.advice if row is not None else "")
        self.delete_button.setEnabled(row is not None and row.deletable)
        self.copy_button.setEnabled(row is not None and bool(row.command))
        self.open_button.setEnabled(row is not None and row.path.startswith("/"))

    # -- actions ----------------------------------------------------------------------------------

    def confirm_box(self, row: op.OrphanRow) -> QMessageBox:
        """The question before deleting ``row``'s file (its path is shown as written)."""
        buttons = QMessageBox.StandardButton
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete file"),
            self.tr("Delete %1? Its %2 of RAM will be free again. This cannot be undone.")
            .replace("%1", row.path)
            .replace("%2", row.size),
            buttons.Yes | buttons.No,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        return box

    def _ask(self, row: op.OrphanRow) -> bool:
        box = self.confirm_box(row)
        try:
            return box.exec() == QMessageBox.StandardButton.Yes
        finally:
            box.deleteLater()

    def delete_selected(self) -> bool:
        """Delete the selected file after asking; returns True when it was deleted."""
        row = self.selected()
        if row is None or not row.deletable or not self.confirm(row):
            return False
        try:
            op.delete_file(row.path)
        except OSError as exc:
            self.controller.message.emit(
                self.tr("Could not delete %1: %2")
                .replace("%1", row.path)
                .replace("%2", os.strerror(exc.errno) if exc.errno else str(exc))
            )
            return False
        self.controller.message.emit(
            self.tr("Deleted %1: %2 of RAM are free again.")
            .replace("%1", row.path)
            .replace("%2", row.size)
        )
        self.controller.refresh()
        return True

    def copy_selected(self) -> None:
        """Put the command that removes the selected orphan on the clipboard."""
        row = self.selected()
        if row is not None and row.command:
            QGuiApplication.clipboard().setText(row.command)
            self.controller.message.emit(self.tr("Copied: %1").replace("%1", row.command))

    def open_selected(self) -> None:
        """Open the folder of the selected file in the file manager."""
        row = self.selected()
        if row is not None and row.path.startswith("/"):
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(row.path).parent)))
