# SPDX-License-Identifier: GPL-3.0-or-later
"""The "running out of memory" prompt: a thin window over :mod:`prompt_presenter`.

It never steals the keyboard focus (``WA_ShowWithoutActivating``): it comes up over the other
windows while the person is typing or playing, and waits to be clicked. Its buttons only emit
signals; the tray does the calls and gives the prompt a new model. With an app the monitor paused
selected, the buttons are its three choices: Resume, Close selected, Protect and resume.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QFont, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from memwarden.core.rule_codes import PREFER, PROTECT
from memwarden.ui.qt_compat import emit
from memwarden.ui.tray import ui_events
from memwarden.ui.tray.prompt_presenter import PromptModel, PromptRow
from memwarden.ui.words.plain_text import plain_labels, tooltip

# The highlight of the row that would be closed: a warm tint that reads on light and dark themes
# (the text keeps the palette's colour; the row is also bold and marked in words).
VICTIM_TINT = QColor(245, 167, 0, 90)


class PromptWindow(QWidget):
    """The prompt.

    Signals:
        closeRequested(dict): close this app (the snapshot entry).
        protectRequested(dict, bool): protect this app (True) or remove its protection (False).
        resumeRequested(dict): let this paused app run again.
        protectResumeRequested(dict): protect this paused app, then let it run again.
        freeRequested(): free memory now.
        dismissed(): the person dismissed the prompt.
    """

    closeRequested = Signal(dict)
    protectRequested = Signal(dict, bool)
    resumeRequested = Signal(dict)
    protectResumeRequested = Signal(dict)
    freeRequested = Signal()
    dismissed = Signal()

    def __init__(self, icon: QIcon | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("memwarden-prompt")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setWindowTitle(self.tr("Out of memory"))  # Qt adds " — MemWarden"
        if icon is not None:
            self.setWindowIcon(icon)
        self._model: PromptModel | None = None

        self.title = QLabel()
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.paused = QLabel()
        self.paused.setWordWrap(True)
        self.orphans = QLabel()
        self.orphans.setWordWrap(True)
        self.orphans.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.apps = QTreeWidget()
        self.apps.setRootIsDecorated(False)
        self.apps.setColumnCount(3)
        self.apps.setHeaderLabels([self.tr("App"), self.tr("Memory"), self.tr("Of which")])
        self.apps.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.apps.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.victim = QLabel()
        self.victim.setWordWrap(True)
        self.result = QLabel()
        self.result.setWordWrap(True)
        # The victim line names an app, the orphan note names files.
        plain_labels(self.title, self.subtitle, self.paused, self.orphans, self.victim,
                     self.result)  # fmt: skip

        self.buttons = QDialogButtonBox()
        self.resume_button = QPushButton(self.tr("Resume"))
        self.close_button = QPushButton(self.tr("Close selected"))
        self.protect_button = QPushButton(self.tr("Protect"))
        self.free_button = QPushButton(self.tr("Free memory now"))
        self.dismiss_button = QPushButton(self.tr("Dismiss"))
        role = QDialogButtonBox.ButtonRole
        self.buttons.addButton(self.resume_button, role.ActionRole)
        self.buttons.addButton(self.close_button, role.ActionRole)
        self.buttons.addButton(self.protect_button, role.ActionRole)
        self.buttons.addButton(self.free_button, role.ActionRole)
        self.buttons.addButton(self.dismiss_button, role.RejectRole)

        layout = QVBoxLayout(self)
        for widget in (self.title, self.subtitle, self.paused, self.orphans, self.apps,
                       self.victim, self.result, self.buttons):  # fmt: skip
            layout.addWidget(widget)

        self.resume_button.clicked.connect(self._resume_clicked)
        self.close_button.clicked.connect(self._close_clicked)
        self.protect_button.clicked.connect(self._protect_clicked)
        self.free_button.clicked.connect(self.freeRequested)
        self.dismiss_button.clicked.connect(self._dismiss)
        self.apps.itemSelectionChanged.connect(self._selection_changed)
        self._selection_changed()
        self.resize(620, 420)

    # -- the model --------------------------------------------------------------------------------

    @property
    def model(self) -> PromptModel | None:
        """What the prompt shows."""
        return self._model

    def set_model(self, model: PromptModel) -> None:
        """Show this content; the selected app stays selected when it is still listed, else the
        first paused app, else the one that would be closed next is selected."""
        selected = self.selected_row()
        keep = selected.app_id if selected is not None else None
        self._model = model
        self.title.setText(model.title)
        self.subtitle.setText(model.subtitle)
        self.paused.setText(model.paused_note)
        self.paused.setVisible(bool(model.paused_note))
        self.orphans.setText(model.orphan_note)
        self.orphans.setVisible(bool(model.orphan_note))
        self.victim.setText(model.victim_note)
        self.victim.setVisible(bool(model.victim_note))
        self.apps.clear()
        items = []
        select = None
        for i, row in enumerate(model.rows):
            item = QTreeWidgetItem([self._row_name(row), row.size, row.breakdown])
            item.setToolTip(0, tooltip(row.reason or row.detail))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if row.next_victim or row.paused:
                font = item.font(0)
                font.setBold(True)
                for col in range(3):
                    item.setFont(col, font)
                    item.setBackground(col, QBrush(VICTIM_TINT))
            self.apps.addTopLevelItem(item)
            items.append(item)
            if row.app_id == keep:
                select = i
        if select is None and model.rows:
            first = model.paused_index if model.paused_index is not None else model.victim_index
            if first is not None or keep is not None:
                select = first if first is not None else 0
        if select is not None:
            self.apps.setCurrentItem(items[select])
        self._selection_changed()
        ui_events.record(
            "prompt", title=model.title, victim=model.victim_note, orphans=model.orphan_note,
            paused=model.paused_note,
            rows=[{"id": r.app_id, "name": r.name, "size": r.size, "next": r.next_victim,
                   "rule": r.rule, "paused": r.paused} for r in model.rows],
        )  # fmt: skip

    def _row_name(self, row: PromptRow) -> str:
        if row.paused:
            return self.tr("%1 (paused)").replace("%1", row.name)
        if row.next_victim:
            return self.tr("%1 (would be closed)").replace("%1", row.name)
        if row.rule == PROTECT:
            return self.tr("%1 (protected)").replace("%1", row.name)
        if row.rule == PREFER:
            return self.tr("%1 (sacrifice first)").replace("%1", row.name)
        return row.name

    def select_app(self, app_id: str) -> None:
        """Select this app's row, if it is listed (an app just paused: its choices at hand)."""
        rows = self._model.rows if self._model is not None else []
        index = next((i for i, r in enumerate(rows) if r.app_id == app_id), None)
        item = self.apps.topLevelItem(index) if index is not None else None
        if item is not None:
            self.apps.setCurrentItem(item)

    def set_result(self, text: str) -> None:
        """A line about the last action (what "free memory now" measured, a refusal)."""
        self.result.setText(text)
        self.result.setVisible(bool(text))
        ui_events.record("prompt-result", text=text)

    def set_busy(self, busy: bool) -> None:
        """Disable the action buttons while a call runs."""
        for button in (self.resume_button, self.close_button, self.protect_button,
                       self.free_button):  # fmt: skip
            button.setDisabled(busy)
        if not busy:
            self._selection_changed()

    def selected_row(self) -> PromptRow | None:
        """The selected app's row."""
        if self._model is None:
            return None
        item = self.apps.currentItem()
        if item is None or not item.isSelected():
            return None
        index = self.apps.indexOfTopLevelItem(item)
        return self._model.rows[index] if 0 <= index < len(self._model.rows) else None

    # -- actions ----------------------------------------------------------------------------------

    def _selection_changed(self) -> None:
        row = self.selected_row()
        paused = row is not None and row.paused
        self.resume_button.setVisible(paused)
        self.resume_button.setEnabled(paused)
        self.close_button.setEnabled(row is not None and row.closable)
        protected = row is not None and row.rule == PROTECT
        if paused:
            # Already protected (by a rule changed since it was paused): Resume is the choice.
            self.protect_button.setText(self.tr("Protect and resume"))
            self.protect_button.setEnabled(not protected)
            return
        self.protect_button.setEnabled(row is not None)
        self.protect_button.setText(self.tr("Remove protection") if protected
                                    else self.tr("Protect"))  # fmt: skip

    def _close_clicked(self) -> None:
        row = self.selected_row()
        if row is not None and row.closable:
            emit(self.closeRequested, dict(row.app))

    def _protect_clicked(self) -> None:
        row = self.selected_row()
        if row is not None and row.paused:
            if row.rule != PROTECT:
                emit(self.protectResumeRequested, dict(row.app))
        elif row is not None:
            emit(self.protectRequested, dict(row.app), row.rule != PROTECT)

    def _resume_clicked(self) -> None:
        row = self.selected_row()
        if row is not None and row.paused:
            emit(self.resumeRequested, dict(row.app))

    def _dismiss(self) -> None:
        self.hide()
        emit(self.dismissed)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window is dismissing it (the tray keeps it for next time)."""
        event.ignore()
        self._dismiss()

    def show_without_focus(self) -> None:
        """Come up over other windows without taking the keyboard focus."""
        if not self.isVisible():
            screen = self.screen().availableGeometry() if self.screen() else None
            if screen is not None:
                self.move(screen.center() - self.rect().center())
        self.show()
        self.raise_()
        ui_events.record("prompt-shown")

