# SPDX-License-Identifier: GPL-3.0-or-later
"""The Settings tab: when to warn and when to act, in sentences with spin boxes; whether the
helper is there and what protection means then; the rules the monitor keeps.

Thin: the logic (reading, validating, saving, describing) is in :mod:`settings_presenter`.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
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

from memwarden.monitor.config import Config
from memwarden.ui import settings_presenter as sp
from memwarden.ui import words
from memwarden.ui.plain_text import plain_labels
from memwarden.ui.window_presenter import WindowPresenter

log = logging.getLogger(__name__)


class SettingsPage(QWidget):
    """The settings tab of the main window."""

    def __init__(self, presenter: WindowPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.path: Path | None = None
        self._base = Config()  # the file's config: what the spin boxes do not edit is kept
        self._loading = False
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
        self.warn_spin = self._spin(0, 100, 0.5, self.tr("% of RAM and swap"))
        self.close_spin = self._spin(0, 100, 0.5, self.tr("% of RAM and swap"))
        self.kill_spin = self._spin(0, 100, 0.5, self.tr("% of RAM and swap"))
        self.grace_spin = self._spin(0, 120, 1, self.tr(" s"))
        self.horizon_spin = self._spin(1, 3600, 10, self.tr(" s"))
        self.psi_some_spin = self._spin(0, 100, 5, self.tr("% of the time"))
        self.psi_full_spin = self._spin(0, 100, 5, self.tr("% of the time"))
        self.psi_seconds_spin = self._spin(0, 600, 1, self.tr(" s"))
        form.addRow(self.tr("Warn me when free memory falls below"), self.warn_spin)
        form.addRow(self.tr("Ask an app to close below"), self.close_spin)
        form.addRow(self.tr("Close it at once below"), self.kill_spin)
        form.addRow(self.tr("Time it gets to save its work"), self.grace_spin)
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
        self.apply_button.clicked.connect(self.apply)
        self.defaults_button.clicked.connect(self.restore_defaults)
        self.rules.currentItemChanged.connect(
            lambda current, _previous: self.remove_rule.setEnabled(current is not None)
        )
        self.remove_rule.clicked.connect(self._remove_rule)
        presenter.statusChanged.connect(self.update_status)
        # The sentences name this machine's sizes, which come with the snapshot.
        presenter.snapshotChanged.connect(self._values_changed)
        self.update_status()

    def _spin(self, low: float, high: float, step: float, suffix: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setRange(low, high)
        spin.setSingleStep(step)
        spin.setDecimals(1 if step < 1 else 0)
        spin.setSuffix(suffix)
        spin.setKeyboardTracking(False)
        return spin

    def _spins(self) -> tuple[QDoubleSpinBox, ...]:
        return (
            self.warn_spin, self.close_spin, self.kill_spin, self.grace_spin, self.horizon_spin,
            self.psi_some_spin, self.psi_full_spin, self.psi_seconds_spin,
        )  # fmt: skip

    # -- values -----------------------------------------------------------------------------------

    def values(self) -> sp.SettingsValues:
        """What the spin boxes say."""
        return sp.SettingsValues(
            warn_percent=self.warn_spin.value(),
            close_percent=self.close_spin.value(),
            kill_percent=self.kill_spin.value(),
            horizon_seconds=self.horizon_spin.value(),
            grace_seconds=self.grace_spin.value(),
            psi_some_warn_percent=self.psi_some_spin.value(),
            psi_full_percent=self.psi_full_spin.value(),
            psi_full_seconds=self.psi_seconds_spin.value(),
        )

    def show_values(self, values: sp.SettingsValues) -> None:
        """Put values into the spin boxes."""
        self._loading = True
        try:
            self.warn_spin.setValue(values.warn_percent)
            self.close_spin.setValue(values.close_percent)
            self.kill_spin.setValue(values.kill_percent)
            self.horizon_spin.setValue(values.horizon_seconds)
            self.grace_spin.setValue(values.grace_seconds)
            self.psi_some_spin.setValue(values.psi_some_warn_percent)
            self.psi_full_spin.setValue(values.psi_full_percent)
            self.psi_seconds_spin.setValue(values.psi_full_seconds)
        finally:
            self._loading = False
        self._values_changed()

    def load(self) -> None:
        """Read the config file the monitor uses (or would use) into the page."""
        props = self.presenter.client.properties
        self.path = sp.config_path(props, self.presenter.connected)
        if self.path is None:
            self.where.setText(
                self.tr(
                    "The monitor was started without a settings file (--no-config): its limits "
                    "are set on its command line and cannot be changed here."
                )
            )
            for widget in (*self._spins(), self.apply_button, self.defaults_button):
                widget.setEnabled(False)
            self._base = Config()
            self.show_values(sp.defaults())
            return
        for widget in (*self._spins(), self.apply_button, self.defaults_button):
            widget.setEnabled(True)
        config, error = sp.read_config(self.path)
        self._base = config
        self.where.setText(self.tr("Settings file: %1").replace("%1", str(self.path)))
        if error:
            self.result.setText(self.tr("The settings file has a problem: %1").replace("%1", error))
        self.show_values(sp.SettingsValues.from_config(config))

    def _values_changed(self) -> None:
        if self._loading:
            return
        values = self.values()
        system = self.presenter.system()
        config = values.apply_to(self._base)
        self.summary.setText(
            "\n".join(
                sp.describe(
                    config,
                    int(system.get("mem_total", 0)),
                    int(system.get("swap_total", 0)),
                    self.presenter.locale,
                )
            )
        )
        problem = sp.validation_error(values)
        self.apply_button.setEnabled(problem is None and self.path is not None)
        self.result.setText(problem or "")

    def restore_defaults(self) -> None:
        """Put the default values into the spin boxes (not saved until Apply)."""
        self.show_values(sp.defaults())

    def apply(self) -> None:
        """Save and have the monitor reload."""
        if self.path is None:
            return
        self.apply_button.setEnabled(False)
        self._task = asyncio.ensure_future(
            sp.apply_settings(
                self.presenter.client, self.path, self.values(), self.presenter.connected
            )
        )
        self._task.add_done_callback(self._applied)

    def _applied(self, task: asyncio.Future[tuple[bool, str]]) -> None:
        if task.cancelled():  # the app is quitting
            return
        self.apply_button.setEnabled(True)
        try:
            _saved, text = task.result()
        except Exception as exc:  # apply_settings catches what it expects
            log.exception("saving settings")
            text = str(exc)
        self.result.setText(text)

    # -- status -----------------------------------------------------------------------------------

    def update_status(self) -> None:
        """Helper status, config error, thresholds in force and the rules, from the monitor."""
        props = self.presenter.client.properties
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
        self.in_force.setText(sp.in_force(self.presenter.thresholds(), self.presenter.locale))
        self._show_rules(self.presenter.rules())

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
        self.presenter.set_rule(str(item.data(Qt.ItemDataRole.UserRole)), "normal")
