# SPDX-License-Identifier: GPL-3.0-or-later
"""The Settings tab: when to warn and when to act, in sentences with spin boxes and a check box;
whether the helper is there and what protection means then; the rules the monitor keeps.

The monitor keeps the settings: the page shows its ``Settings`` property and changes them with
``SetSettings``; without a monitor it is read-only. Thin: the logic (checking, describing,
applying) is in :mod:`settings_presenter`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from memwarden.core.settings import Settings
from memwarden.ui.window import settings_presenter as sp
from memwarden.ui.window.controller import WindowController
from memwarden.ui.words import code_words as words
from memwarden.ui.words.plain_text import plain_labels

log = logging.getLogger(__name__)


class SettingsPage(QWidget):
    """The settings tab of the main window."""

    def __init__(self, controller: WindowController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        #: The monitor's saved settings the page's boxes started from (what they do not edit, and
        #: what Apply compares with); None when there are none to change.
        self.saved: Settings | None = None
        self._shown = Settings()  # what the page shows, its boxes aside
        self._loading = False
        self._edited = False  # the page's boxes differ from what the monitor said last
        self._task: asyncio.Future[tuple[bool, str]] | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)

        self.config_error = QLabel(body)
        self.config_error.setWordWrap(True)
        self.config_error.setObjectName("configError")
        self.config_error.setStyleSheet("QLabel#configError { color: #c0392b; }")
        self.config_error.hide()
        layout.addWidget(self.config_error)

        limits = QGroupBox(self.tr("When memory runs low"), body)
        form = QFormLayout(limits)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        # Ranges and steps from the settings table (settings_presenter.spin_range).
        self.warn_spin = self._spin("warn_percent", self.tr("% of RAM and swap"))
        self.close_spin = self._spin("close_percent", self.tr("% of RAM and swap"))
        self.kill_spin = self._spin("kill_percent", self.tr("% of RAM and swap"))
        self.grace_spin = self._spin("grace_seconds", self.tr(" s"))
        self.horizon_spin = self._spin("horizon_seconds", self.tr(" s"))
        self.psi_some_spin = self._spin("psi_some_warn_percent", self.tr("% of the time"))
        self.psi_full_spin = self._spin("psi_full_percent", self.tr("% of the time"))
        self.psi_seconds_spin = self._spin("psi_full_seconds", self.tr(" s"))
        form.addRow(self.tr("Warn me when free memory falls below"), self.warn_spin)
        form.addRow(self.tr("Ask an app to close below"), self.close_spin)
        form.addRow(self.tr("Close it at once below"), self.kill_spin)
        form.addRow(self.tr("Time it gets to save its work"), self.grace_spin)
        self.pause_check = QCheckBox(
            self.tr("Pause an app that keeps eating memory, and ask me before closing it"), limits
        )
        self.pause_hint = QLabel(
            self.tr(
                "At the close limit, an app that is still growing is frozen, not closed, until "
                "you choose what to do."
            ),
            limits,
        )
        self.pause_hint.setWordWrap(True)
        form.addRow(self.pause_check)
        form.addRow(self.pause_hint)
        form.addRow(self.tr("Warn early if memory would run out within"), self.horizon_spin)
        form.addRow(self.tr("Warn when programs wait for memory more than"), self.psi_some_spin)
        form.addRow(
            self.tr("Close an app when everything is stalled more than"), self.psi_full_spin
        )
        form.addRow(self.tr("… for at least"), self.psi_seconds_spin)
        layout.addWidget(limits)

        self.summary = QLabel(body)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)
        self.in_force = QLabel(body)
        self.in_force.setWordWrap(True)
        layout.addWidget(self.in_force)

        buttons = QHBoxLayout()
        self.apply_button = QPushButton(self.tr("Apply"), body)
        self.defaults_button = QPushButton(self.tr("Restore defaults"), body)
        self.result = QLabel(body)
        self.result.setWordWrap(True)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.defaults_button)
        buttons.addWidget(self.result, 1)
        layout.addLayout(buttons)
        self.where = QLabel(body)
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.where)

        helper = QGroupBox(self.tr("Protection and the kernel"), body)
        helper_layout = QVBoxLayout(helper)
        self.helper_headline = QLabel(helper)
        font = self.helper_headline.font()
        font.setBold(True)
        self.helper_headline.setFont(font)
        self.helper_text = QLabel(helper)
        self.helper_text.setWordWrap(True)
        # A settings error quotes the file; the path is the person's.
        plain_labels(self.config_error, self.in_force, self.result, self.where,
                     self.helper_headline, self.helper_text)  # fmt: skip
        helper_layout.addWidget(self.helper_headline)
        helper_layout.addWidget(self.helper_text)
        layout.addWidget(helper)

        rules = QGroupBox(self.tr("Your rules"), body)
        rules_layout = QVBoxLayout(rules)
        self.rules = QListWidget(rules)
        self.rules.setMaximumHeight(140)
        self.remove_rule = QPushButton(self.tr("Make normal"), rules)
        self.remove_rule.setEnabled(False)
        rules_layout.addWidget(self.rules)
        rules_layout.addWidget(self.remove_rule, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(rules)
        layout.addStretch(1)

        for spin in self._spins():
            spin.valueChanged.connect(self._values_changed)
        for check in self._checks_by_key().values():
            check.toggled.connect(self._values_changed)
        self.apply_button.clicked.connect(self.apply)
        self.defaults_button.clicked.connect(self.restore_defaults)
        self.rules.currentItemChanged.connect(
            lambda current, _previous: self.remove_rule.setEnabled(current is not None)
        )
        self.remove_rule.clicked.connect(self._remove_rule)
        controller.statusChanged.connect(self.update_status)
        # The sentences name this machine's sizes, which come with the snapshot.
        controller.snapshotChanged.connect(self._values_changed)
        controller.client.propertiesChanged.connect(self._properties_changed)
        controller.client.connectionChanged.connect(lambda _connected: self.load())
        self.update_status()

    def _spin(self, key: str, suffix: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setDecimals(sp.decimals(key))  # before the range: it rounds the range
        spin.setRange(*sp.spin_range(key))
        spin.setSingleStep(sp.EDITED[key])
        spin.setSuffix(suffix)
        spin.setKeyboardTracking(False)
        return spin

    def _spins_by_key(self) -> dict[str, QDoubleSpinBox]:
        return {
            "warn_percent": self.warn_spin, "close_percent": self.close_spin,
            "kill_percent": self.kill_spin, "horizon_seconds": self.horizon_spin,
            "grace_seconds": self.grace_spin, "psi_some_warn_percent": self.psi_some_spin,
            "psi_full_percent": self.psi_full_spin, "psi_full_seconds": self.psi_seconds_spin,
        }  # fmt: skip

    def _spins(self) -> tuple[QDoubleSpinBox, ...]:
        return tuple(self._spins_by_key().values())

    def _checks_by_key(self) -> dict[str, QCheckBox]:
        # The page's switches (settings_presenter.SWITCHES), a check box each.
        return {"pause_growing": self.pause_check}

    def _editors(self) -> tuple[QWidget, ...]:
        return (*self._spins(), *self._checks_by_key().values())

    # -- values -----------------------------------------------------------------------------------

    def values(self) -> Settings:
        """The settings as the page shows them: the monitor's, with what the boxes say."""
        return self._shown.with_values(
            {
                **{key: spin.value() for key, spin in self._spins_by_key().items()},
                **{key: check.isChecked() for key, check in self._checks_by_key().items()},
            }
        )

    def show_values(self, values: Settings) -> None:
        """Put values into the spin boxes and the check boxes."""
        self._shown = values
        self._loading = True
        try:
            for key, spin in self._spins_by_key().items():
                spin.setValue(values.value(key) or 0.0)
            for key, check in self._checks_by_key().items():
                check.setChecked(bool(values.value(key)))
        finally:
            self._loading = False
        self._values_changed()

    def load(self) -> None:
        """Show the monitor's settings (the last it announced, read-only without a monitor)."""
        props = self.controller.client.properties
        why_not = sp.read_only_reason(props, self.controller.connected)
        saved = sp.saved_settings(props)
        self.saved = saved if why_not is None else None
        for widget in (*self._editors(), self.apply_button, self.defaults_button):
            widget.setEnabled(why_not is None)
        path = str(props.get("ConfigPath") or "")
        where = why_not or self.tr("Settings file: %1").replace("%1", path)
        self.where.setText("\n".join(filter(None, (where, sp.from_flags(props)))))
        self._edited = False
        self.result.setText("")
        self.show_values(saved or Settings())

    def _properties_changed(self, changed: dict[str, Any]) -> None:
        # The monitor's settings moved (another window, a hand edit, a reload): show them,
        # unless the person is editing the page's boxes.
        if {"Settings", "SettingsFromFlags", "ConfigPath"} & changed.keys() and not self._edited:
            self.load()

    def _values_changed(self) -> None:
        if self._loading:
            return
        values = self.values()
        if self.saved is not None and sp.changes(self.saved, values):
            self._edited = True
        system = self.controller.system()
        self.summary.setText(
            "\n".join(
                sp.describe(
                    values,
                    int(system.get("mem_total", 0)),
                    int(system.get("swap_total", 0)),
                    self.controller.locale,
                )
            )
        )
        problem = sp.validation_error(values)
        self.apply_button.setEnabled(problem is None and self.saved is not None)
        self.result.setText(problem or "")

    def restore_defaults(self) -> None:
        """Put the default values into the page's boxes (not saved until Apply)."""
        self.show_values(sp.with_defaults(self._shown))

    def apply(self) -> None:
        """Have the monitor save and apply what the page's boxes say."""
        if self.saved is None:
            return
        self.apply_button.setEnabled(False)
        self._task = asyncio.ensure_future(
            sp.apply_settings(self.controller.client, sp.changes(self.saved, self.values()))
        )
        self._task.add_done_callback(self._applied)

    def _applied(self, task: asyncio.Future[tuple[bool, str]]) -> None:
        if task.cancelled():  # the app is quitting
            return
        self.apply_button.setEnabled(True)
        try:
            saved, text = task.result()
        except Exception as exc:  # apply_settings catches what it expects
            log.exception("saving settings")
            saved, text = False, str(exc)
        if saved:
            # What the monitor keeps now; its Settings announcement may come before or after.
            self.saved = self.values()
            self._edited = False
        self.result.setText(text)

    # -- status -----------------------------------------------------------------------------------

    def update_status(self) -> None:
        """Helper status, config error, thresholds in force and the rules, from the monitor."""
        props = self.controller.client.properties
        headline, text = words.helper_status(str(props.get("HelperStatus") or "no-helper"))
        self.helper_headline.setText(headline)
        self.helper_text.setText(text)
        error = str(props.get("ConfigError") or "")
        self.config_error.setVisible(bool(error))
        self.config_error.setText(
            self.tr(
                "Your settings file could not be used, so the defaults are in force: %1"
            ).replace("%1", error)
        )
        self.in_force.setText(sp.in_force(self.controller.thresholds(), self.controller.locale))
        self._show_rules(self.controller.rules())

    def _show_rules(self, rules: dict[str, str]) -> None:
        current = self.rules.currentItem()
        keep = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        self.rules.clear()
        if not rules:
            item = QListWidgetItem(
                self.tr("No rules yet: protect or sacrifice apps in the Apps tab.")
            )
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.rules.addItem(item)
            return
        for name, rule in sorted(rules.items(), key=lambda kv: kv[0].casefold()):
            item = QListWidgetItem(f"{name} — {words.rule(rule)}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(words.rule_hint(rule))
            self.rules.addItem(item)
            if name == keep:
                self.rules.setCurrentItem(item)

    def _remove_rule(self) -> None:
        item = self.rules.currentItem()
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        self.controller.set_rule(str(item.data(Qt.ItemDataRole.UserRole)), "normal")
