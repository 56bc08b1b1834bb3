# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine's settings and rules in force: the file's (or the defaults), under the command
line's flags and ``--protect``/``--prefer`` names, saved by the monitor alone.

:class:`EngineSettings` is the half of the engine that keeps them (monitor/engine.py has the
other, the watching); ``SetSettings``, ``SetAppRule`` and ``ReloadConfig`` end here, under
``config_lock`` (monitor/settings_calls.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Collection
from typing import Any

from memwarden.core.meminfo import MemInfo
from memwarden.core.policy import MAX_RULES, TooManyRules
from memwarden.core.rule_codes import NORMAL, PREFER, PROTECT
from memwarden.core.settings import Settings
from memwarden.core.threshold_bytes import thresholds_for
from memwarden.core.watch_state import StateMachine, Thresholds
from memwarden.monitor.config import ConfigStore
from memwarden.monitor.kernel_rules import KernelRules
from memwarden.monitor.looking import Looking


class EngineSettings:
    """The settings and rules in force, and the changes to them.

    Args:
        store: The config file (None: defaults, nothing saved — tests and ``--no-config``).
        overrides: Settings from the command line (key -> value), on top of the file.
        extra_rules: ``--protect``/``--prefer`` names, on top of the file's.
    """

    # The engine's: what a change of settings or rules must reach, and its events.
    emit: Callable[..., None]
    last_meminfo: MemInfo
    machine: StateMachine
    kernel_rules: KernelRules
    look: Looking

    def __init__(
        self,
        store: ConfigStore | None,
        overrides: dict[str, Any] | None,
        extra_rules: dict[str, Collection[str]] | None,
    ) -> None:
        self.store = store
        self.overrides = dict(overrides or {})
        self.extra_rules = {k: tuple(v) for k, v in (extra_rules or {}).items()}
        #: Settings changes (SetSettings), rule changes (SetAppRule) and reloads take turns: each
        #: saves the whole file, so one must not start from what another is about to replace.
        self.config_lock = asyncio.Lock()
        self.config = self._effective_config()
        self.thresholds: Thresholds

    def _effective_config(self) -> Settings:
        base = self.saved_settings()
        config = base.with_values(self.overrides)
        if self.extra_rules:
            config = dataclasses.replace(
                config,
                protect=tuple(dict.fromkeys(config.protect + self.extra_rules.get(PROTECT, ()))),
                prefer=tuple(dict.fromkeys(config.prefer + self.extra_rules.get(PREFER, ()))),
            )
        return config

    def saved_settings(self) -> Settings:
        """The settings the monitor keeps: its file's, or the defaults without one."""
        return self.store.config if self.store is not None else Settings()

    def total_bytes(self) -> int:
        """RAM + swap at the last sample, in bytes."""
        meminfo = self.last_meminfo
        return (meminfo.mem_total_kib + meminfo.swap_total_kib) * 1024

    def _thresholds_now(self) -> Thresholds:
        meminfo = self.last_meminfo
        return thresholds_for(self.config, meminfo.mem_total_kib * 1024,
                              meminfo.swap_total_kib * 1024)  # fmt: skip

    def _settings_moved(self) -> None:
        """The file's settings changed: put them (under the flags) in force at once."""
        self.config = self._effective_config()
        self.thresholds = self._thresholds_now()
        self.machine.thresholds = self.thresholds
        self._rules_moved()

    def reload_config(self) -> None:
        """Re-read the file and apply it (thresholds, rules)."""
        if self.store is not None:
            self.store.load()
            if self.store.error:
                self.emit("config", error=self.store.error, backup=str(self.store.backup or ""))
        self._settings_moved()

    def set_settings(self, settings: Settings) -> None:
        """Save ``settings`` in the file (atomically) and put them in force at once; the caller
        validated them (core/settings.py).

        Raises:
            OSError: The file could not be written: nothing changed.
        """
        assert self.store is not None, "no file to keep settings in"
        self.store.save(settings, or_raise=True)
        self._settings_moved()

    def set_rule(self, name: str, rule: str) -> None:
        """Protect / prefer / normal an app by name, persisted in the config file.

        Raises:
            TooManyRules: the list already holds ``MAX_RULES`` names (a client must not grow the
                monitor, or the file, without bound).
        """
        # The config's lists are named after their rules (Config.protect, Config.prefer).
        names = getattr(self.config, rule, ()) if rule != NORMAL else ()
        if name not in names and len(names) >= MAX_RULES:
            raise TooManyRules(f"{rule}: at most {MAX_RULES} names")
        self.extra_rules = {
            k: tuple(n for n in v if n != name) for k, v in self.extra_rules.items()
        }
        if self.store is not None:
            self.store.save(self.store.config.with_rule(name, rule))
        elif rule != NORMAL:
            self.extra_rules.setdefault(rule, ())
            self.extra_rules[rule] += (name,)
        self.config = self._effective_config()
        if self.store is None and rule == NORMAL:
            self.config = self.config.with_rule(name, NORMAL)
        self._rules_moved()

    def _rules_moved(self) -> None:
        """The rules changed: apply them to processes now, and never act on an older choice (it
        may name an app that is protected now)."""
        self.kernel_rules.moved()
        self.look.rules_moved()
