# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor's settings: a human-editable TOML file in the user's config directory.

A file that cannot be read or does not validate never stops the guard: it is moved aside as a
backup (``config.toml.invalid-<time>``), the defaults are used and written back, and the reason is
kept (``ConfigStore.error``) so the UI can say what happened. The file is re-read when it changes,
in a worker thread, and must be a regular file of at most 1 MiB (config_file.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import stat
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memwarden.core.errors import CoreError
from memwarden.core.meminfo import MemInfo
from memwarden.core.policy import MAX_RULES, Rules
from memwarden.core.rule_codes import NORMAL, PREFER, PROTECT
from memwarden.core.watch_state import Thresholds
from memwarden.monitor.config_file import ReadAhead, UnusableConfigFile, read_config_bytes
from memwarden.monitor.config_file import default_config_path as default_config_path

log = logging.getLogger(__name__)

MiB = 1024 * 1024

#: oom_score_adj written for "sacrifice first" (raising needs no privilege) and for "protect"
#: (lowering needs CAP_SYS_RESOURCE: through the helper).
PREFER_OOM_SCORE_ADJ = 500
PROTECT_OOM_SCORE_ADJ = -500


@dataclass(frozen=True, slots=True)
class Config:
    """Every setting, with its default."""

    warn_percent: float = 15.0
    close_percent: float = 10.0
    kill_percent: float = 5.0
    warn_mib: int | None = None
    close_mib: int | None = None
    kill_mib: int | None = None
    horizon_seconds: float = 60.0
    grace_seconds: float = 5.0
    psi_full_percent: float = 60.0
    psi_full_seconds: float = 10.0
    psi_some_warn_percent: float = 25.0
    protect: tuple[str, ...] = ()
    prefer: tuple[str, ...] = ()

    def rules(self) -> Rules:
        """The protect/prefer rules."""
        return Rules(protect=self.protect, prefer=self.prefer)

    def thresholds(self, meminfo: MemInfo) -> Thresholds:
        """Thresholds in bytes for this machine.

        Percentages are of ``MemTotal + SwapTotal``. An absolute ``close_mib`` without
        ``kill_mib`` kills at half of it (earlyoom's convention for ``-M``); ``warn`` defaults to
        ``close`` plus the gap between the warn and close percentages.
        """
        total = (meminfo.mem_total_kib + meminfo.swap_total_kib) * 1024

        def pct(p: float) -> int:
            return int(total * p / 100)

        close = self.close_mib * MiB if self.close_mib is not None else pct(self.close_percent)
        if self.kill_mib is not None:
            kill = self.kill_mib * MiB
        elif self.close_mib is not None:
            kill = close // 2
        else:
            kill = pct(self.kill_percent)
        close = max(close, kill)
        if self.warn_mib is not None:
            warn = self.warn_mib * MiB
        else:
            warn = close + pct(max(0.0, self.warn_percent - self.close_percent))
        warn = max(warn, close)
        return Thresholds(
            warn_bytes=warn,
            close_bytes=close,
            kill_bytes=kill,
            hysteresis_bytes=pct(2.0),
            horizon_s=self.horizon_seconds,
            psi_warn_some_avg10_pct=self.psi_some_warn_percent,
            psi_close_full_avg10_pct=self.psi_full_percent,
            psi_sustain_s=self.psi_full_seconds,
        )

    def with_rule(self, name: str, rule: str) -> Config:
        """A copy where ``name`` is protected, preferred or neither (``normal``)."""
        protect = tuple(n for n in self.protect if n != name)
        prefer = tuple(n for n in self.prefer if n != name)
        if rule == PROTECT:
            protect += (name,)
        elif rule == PREFER:
            prefer += (name,)
        elif rule != NORMAL:
            raise ValueError(f"unknown rule {rule!r}")
        return dataclasses.replace(self, protect=protect, prefer=prefer)


class ConfigError(ValueError):
    """The file does not validate; the message says where."""


# TOML table -> {key: (attribute, type, minimum, maximum)}
_SCHEMA: dict[str, dict[str, tuple[str, type, float, float]]] = {
    "thresholds": {
        "warn_percent": ("warn_percent", float, 0, 100),
        "close_percent": ("close_percent", float, 0, 100),
        "kill_percent": ("kill_percent", float, 0, 100),
        "warn_mib": ("warn_mib", int, 0, 1 << 40),
        "close_mib": ("close_mib", int, 0, 1 << 40),
        "kill_mib": ("kill_mib", int, 0, 1 << 40),
        "horizon_seconds": ("horizon_seconds", float, 1, 3600),
        "grace_seconds": ("grace_seconds", float, 0, 120),
        "psi_full_percent": ("psi_full_percent", float, 0, 100),
        "psi_full_seconds": ("psi_full_seconds", float, 0, 600),
        "psi_some_warn_percent": ("psi_some_warn_percent", float, 0, 100),
    },
}
_NAME_LISTS = ("protect", "prefer")
#: Values at which a threshold always holds (memory left is always below 100 % of RAM + swap; PSI
#: is never below 0 %): a close or kill point there would close every app in turn.
_ALWAYS = {"warn_percent": 100, "close_percent": 100, "kill_percent": 100,
           "psi_full_percent": 0, "psi_some_warn_percent": 0}  # fmt: skip


def config_from_dict(doc: dict[str, Any]) -> Config:
    """Validate a parsed TOML document.

    Raises:
        ConfigError: an unknown table or key, a wrong type, a value out of range, or percentages
            out of order (kill <= close <= warn).
    """
    values: dict[str, Any] = {}
    for table, content in doc.items():
        if table == "apps":
            if not isinstance(content, dict):
                raise ConfigError("[apps] must be a table")
            for key, names in content.items():
                if key not in _NAME_LISTS:
                    raise ConfigError(f"[apps] unknown key {key!r} (use protect, prefer)")
                if not isinstance(names, list) or not all(
                    isinstance(n, str) and n.strip() for n in names
                ):
                    raise ConfigError(f"[apps] {key} must be a list of non-empty names")
                values[key] = tuple(dict.fromkeys(n.strip() for n in names))
                if len(values[key]) > MAX_RULES:
                    raise ConfigError(f"[apps] {key} has {len(values[key])} names: at most "
                                      f"{MAX_RULES}")  # fmt: skip
            continue
        schema = _SCHEMA.get(table)
        if schema is None or not isinstance(content, dict):
            raise ConfigError(f"unknown table [{table}]")
        for key, value in content.items():
            if key not in schema:
                raise ConfigError(f"[{table}] unknown key {key!r}")
            attr, kind, low, high = schema[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"[{table}] {key} must be a number")
            if kind is int and not isinstance(value, int):
                raise ConfigError(f"[{table}] {key} must be a whole number")
            if not low <= value <= high:
                raise ConfigError(f"[{table}] {key} = {value} is out of range [{low}, {high}]")
            if value == _ALWAYS.get(key):
                raise ConfigError(f"[{table}] {key} = {value} would always hold")
            values[attr] = kind(value)
    config = Config(**values)
    if not config.kill_percent <= config.close_percent <= config.warn_percent:
        raise ConfigError("[thresholds] need kill_percent <= close_percent <= warn_percent")
    both = set(config.protect) & set(config.prefer)
    if both:
        raise ConfigError(f"[apps] {', '.join(sorted(both))} both protected and preferred")
    return config


def check_fits(config: Config, meminfo: MemInfo) -> None:
    """Refuse absolute thresholds at or above this machine's RAM + swap: memory left
    (``MemAvailable + SwapFree``) is always below that, so ``kill_mib = 1099511627776`` closed
    every app, one every half second. (earlyoom refuses ``-M`` at or above total memory too.)

    Raises:
        ConfigError: Which key, its value, and what the machine has.
    """
    total = (meminfo.mem_total_kib + meminfo.swap_total_kib) * 1024
    for key in ("warn_mib", "close_mib", "kill_mib"):
        value = getattr(config, key)
        if value is not None and value * MiB >= total:
            raise ConfigError(
                f"[thresholds] {key} = {value} is at or above this machine's memory and swap "
                f"({total // MiB} MiB), so it would always hold"
            )


def _toml_value(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_string(v) for v in value) + "]"
    return repr(value)


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def config_to_toml(config: Config) -> str:
    """The file text for ``config``, with comments for a person editing it."""
    defaults = Config()
    lines = [
        "# MemWarden monitor settings. Edit freely: the monitor re-reads this file when it",
        "# changes. An invalid file is moved aside (config.toml.invalid-*) and defaults are used.",
        "",
        "[thresholds]",
        "# Memory left (MemAvailable + free swap) as a share of RAM + swap:",
        "# warn at or below warn_percent, close the chosen app gracefully at close_percent,",
        "# kill it at once at kill_percent. *_mib keys set absolute limits instead.",
    ]
    for key, (attr, _kind, _low, _high) in _SCHEMA["thresholds"].items():
        value = getattr(config, attr)
        if value is None:
            lines.append(f"# {key} = <MiB>")
        elif value != getattr(defaults, attr) or key.endswith("percent"):
            lines.append(f"{key} = {_toml_value(value)}")
        else:
            lines.append(f"# {key} = {_toml_value(value)}")
    lines += [
        "",
        "[apps]",
        "# Names match an app's id or name, or a process name (comm or executable).",
        "# protect: never closed by MemWarden (and the kernel is told, when the helper is",
        "# installed); prefer: closed first when memory runs out.",
        f"protect = {_toml_value(config.protect)}",
        f"prefer = {_toml_value(config.prefer)}",
        "",
    ]
    return "\n".join(lines)


Stamp = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class _Read:
    """One read (neither config nor problem: no file); stale once the file's stamp or the
    store's count of saves differ from these."""

    stamp: Stamp | None
    saves: int
    config: Config | None = None
    problem: str | None = None


class ConfigStore:
    """Loads, validates, saves and watches the config file.

    The file is read in a worker thread: :meth:`changed` starts the read when it sees the file
    change and says True once it is done; :meth:`load` then applies it. The engine's tick calls
    both, so a slow or hostile file can delay a new config, never a tick.

    Args:
        path: The file.
        machine: Reads the memory sizes thresholds must fit (:func:`check_fits`); None: no check.

    Attributes:
        config: The config in force.
        error: Why the file was not used (a sentence for the log and the UI), or None.
        backup: Where the invalid file was moved, or None.
    """

    def __init__(self, path: Path, *, machine: Callable[[], MemInfo] | None = None) -> None:
        self.path = path
        self.config = Config()
        self.error: str | None = None
        self.backup: Path | None = None
        self._machine = machine
        self._stamp: Stamp | None = None
        self._saves = 0
        self._ahead = ReadAhead(self._read)

    def _file_stamp(self) -> Stamp | None:
        # lstat: the entry itself, as read_config_bytes sees it (a symlink is never followed).
        with contextlib.suppress(FileNotFoundError):
            st = os.lstat(self.path)
            return (st.st_ino, st.st_size, st.st_mtime_ns)
        return None

    def _fresh(self, read: _Read | None) -> bool:
        return read is not None and (read.stamp, read.saves) == (self._file_stamp(), self._saves)

    def load(self) -> Config:
        """Apply the file: the read :meth:`changed` started, if it is still fresh, else a read
        here and now. A missing file is created with the defaults."""
        ready = self._ahead.take()
        return self._apply(ready if ready is not None and self._fresh(ready) else self._read())

    async def read_ahead(self) -> None:
        """Read the file in a worker thread, for the next :meth:`load` to apply."""
        await self._ahead.run()

    def _read(self) -> _Read:
        """Read and validate the file; touches nothing (it may run in a worker thread)."""
        stamp, saves = self._file_stamp(), self._saves
        try:
            config = config_from_dict(tomllib.loads(read_config_bytes(self.path).decode("utf-8")))
            if self._machine is not None:
                with contextlib.suppress(CoreError):  # no sizes to check with: the engine says so
                    check_fits(config, self._machine())
        except FileNotFoundError:
            return _Read(stamp, saves)
        except UnusableConfigFile as exc:
            problem = str(exc)
        except (OSError, UnicodeDecodeError) as exc:
            problem = f"cannot read {self.path}: {exc}"
        except tomllib.TOMLDecodeError as exc:
            problem = f"{self.path} is not valid TOML: {exc}"
        except ConfigError as exc:
            problem = f"{self.path}: {exc}"
        else:
            return _Read(stamp, saves, config=config)
        return _Read(stamp, saves, problem=problem)

    def _apply(self, read: _Read) -> Config:
        self.error, self.backup = None, None
        if read.problem is not None:
            return self._reject(read.problem)
        self.config = read.config or Config()
        if read.config is None:  # no file: written with the defaults
            self._write(self.config)
        else:
            self._stamp = read.stamp
        return self.config

    def _ours(self) -> bool:
        """Whether we may move or replace what is at the path: a file, a symlink or nothing. A
        FIFO, a device or a directory is not ours (``--config`` may name /dev/null)."""
        with contextlib.suppress(FileNotFoundError):
            mode = os.lstat(self.path).st_mode
            return stat.S_ISREG(mode) or stat.S_ISLNK(mode)
        return True

    def _reject(self, reason: str) -> Config:
        backup = self.path.with_name(f"{self.path.name}.invalid-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            if self._ours():
                os.replace(self.path, backup)  # renames the entry: a symlink, not its target
                self.backup = backup
            kept = f"kept as {backup.name}" if self.backup else "left in place"
            reason += f" ({kept}; using defaults)"
        except OSError as exc:
            reason += f" (could not move it aside: {exc}; using defaults)"
        log.warning("config: %s", reason)
        self.config, self.error = Config(), reason
        self._write(self.config)
        return self.config

    def save(self, config: Config) -> None:
        """Write ``config`` (atomically) and make it the one in force."""
        self._saves += 1
        self.config = config
        self._write(config)

    def _write(self, config: Config) -> None:
        try:
            if not self._ours():  # left alone; the config stays in memory
                raise OSError("not a regular file")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(config_to_toml(config), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            # A read-only home must not stop the guard: keep the config in memory.
            if self.error is None:
                log.warning("config: cannot write %s: %s", self.path, exc)
                self.error = f"cannot write {self.path}: {exc}"
        self._stamp = self._file_stamp()

    def changed(self) -> bool:
        """True when the file changed since it was last applied, and its new content is ready.

        One ``lstat`` while nothing changed. On a change, the first call starts the read in a
        worker thread and says False; a later call says True once that read is done.
        """
        if self._fresh(self._ahead.peek()):
            return True
        if self._file_stamp() != self._stamp:
            self._ahead.start()
        return False
