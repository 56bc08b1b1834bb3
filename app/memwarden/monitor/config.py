# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor's settings file: a human-editable TOML file in the user's config directory.

What the file may hold, and its text, are core/settings.py's and core/settings_file.py's; this
module keeps the file. The monitor is its only writer (its D-Bus API changes settings and rules
for the UI): :meth:`ConfigStore.save` replaces it atomically.

A file that cannot be read or does not validate never stops the guard: it is moved aside as a
backup (``config.toml.invalid-<time>``), the defaults are used and written back, and the reason is
kept (``ConfigStore.error``) so the UI can say what happened. A file of an older format (no
``version``, or an older one) is written back in the current one with the same values. The file
is re-read when it changes, in a worker thread, and must be a regular file of at most 1 MiB
(config_file.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from memwarden.core.errors import CoreError
from memwarden.core.meminfo import MemInfo
from memwarden.core.settings import Settings, SettingsError, check_fits
from memwarden.core.settings_file import FORMAT_VERSION, settings_from_document, settings_to_toml
from memwarden.monitor.config_file import ReadAhead, UnusableConfigFile, read_config_bytes
from memwarden.monitor.config_file import default_config_path as default_config_path

log = logging.getLogger(__name__)

#: oom_score_adj written for "sacrifice first" (raising needs no privilege) and for "protect"
#: (lowering needs CAP_SYS_RESOURCE: through the helper).
PREFER_OOM_SCORE_ADJ = 500
PROTECT_OOM_SCORE_ADJ = -500


Stamp = tuple[int, int, int]


class UnreadableSettings(Exception):
    """The file exists but cannot be used; the message says why, in a sentence."""


def read_settings(path: Path) -> tuple[Settings, int]:
    """The settings in the file at ``path`` and its format version, read and validated; nothing
    is moved or written (``memwarden scan`` reads the rules this way).

    Raises:
        FileNotFoundError: There is no file.
        UnreadableSettings: It cannot be read, is not TOML, or does not validate.
    """
    try:
        text = read_config_bytes(path).decode("utf-8")
        return settings_from_document(tomllib.loads(text))
    except FileNotFoundError:
        raise
    except UnusableConfigFile as exc:
        problem = str(exc)
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"cannot read {path}: {exc}"
    except tomllib.TOMLDecodeError as exc:
        problem = f"{path} is not valid TOML: {exc}"
    except SettingsError as exc:
        problem = f"{path}: {exc}"
    raise UnreadableSettings(problem)


@dataclass(frozen=True, slots=True)
class _Read:
    """One read (neither config nor problem: no file); stale once the file's stamp or the
    store's count of saves differ from these."""

    stamp: Stamp | None
    saves: int
    config: Settings | None = None
    problem: str | None = None
    version: int = FORMAT_VERSION


class ConfigStore:
    """Loads, validates, saves and watches the config file.

    The file is read in a worker thread: :meth:`changed` starts the read when it sees the file
    change and says True once it is done; :meth:`load` then applies it. The engine's tick calls
    both, so a slow or hostile file can delay a new config, never a tick.

    Args:
        path: The file.
        machine: Reads the memory sizes thresholds must fit (:func:`check_fits`); None: no check.

    Attributes:
        config: The file's settings (the defaults when it could not be used).
        error: Why the file was not used (a sentence for the log and the UI), or None.
        backup: Where the invalid file was moved, or None.
    """

    def __init__(self, path: Path, *, machine: Callable[[], MemInfo] | None = None) -> None:
        self.path = path
        self.config = Settings()
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

    def load(self) -> Settings:
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
            config, version = read_settings(self.path)
            if self._machine is not None:
                with contextlib.suppress(CoreError):  # no sizes to check with: the engine says so
                    meminfo = self._machine()
                    check_fits(config, (meminfo.mem_total_kib + meminfo.swap_total_kib) * 1024)
        except FileNotFoundError:
            return _Read(stamp, saves)
        except UnreadableSettings as exc:
            problem = str(exc)
        except SettingsError as exc:
            problem = f"{self.path}: {exc}"
        else:
            return _Read(stamp, saves, config=config, version=version)
        return _Read(stamp, saves, problem=problem)

    def _apply(self, read: _Read) -> Settings:
        self.error, self.backup = None, None
        if read.problem is not None:
            return self._reject(read.problem)
        self.config = read.config or Settings()
        if read.config is None:  # no file: written with the defaults
            self._write_or_note(self.config)
        elif read.version < FORMAT_VERSION:
            # The same values in the current format: a later MemWarden reads it by its version.
            log.info("config: %s is format version %d; writing it as version %d, same values",
                     self.path, read.version, FORMAT_VERSION)  # fmt: skip
            self._write_or_note(self.config)
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

    def _reject(self, reason: str) -> Settings:
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
        self.config, self.error = Settings(), reason
        self._write_or_note(self.config)
        return self.config

    def save(self, config: Settings, *, or_raise: bool = False) -> None:
        """Write ``config`` (atomically: a new file renamed over the old) and make it the file's.

        A problem the last read had stays in :attr:`error` until the next good read: it says
        where the person's file went.

        Args:
            config: The settings and rules to keep.
            or_raise: When the file cannot be written, raise and keep the settings as they were
                (a settings change is saved or refused); else keep ``config`` in memory only (a
                read-only home must not stop a rule from steering the guard).

        Raises:
            OSError: ``or_raise`` and the file could not be written.
        """
        self._saves += 1
        failure = self._write(config)
        if failure is not None and or_raise:
            raise failure
        self.config = config
        if failure is not None:
            self._note_unwritable(failure)

    def _write(self, config: Settings) -> OSError | None:
        """Replace the file with ``config``'s text; returns why it could not be, or None."""
        failure: OSError | None = None
        try:
            if not self._ours():  # left alone; the config stays in memory
                raise OSError("not a regular file")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(settings_to_toml(config), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            failure = exc
        self._stamp = self._file_stamp()
        return failure

    def _write_or_note(self, config: Settings) -> None:
        failure = self._write(config)
        if failure is not None:
            self._note_unwritable(failure)

    def _note_unwritable(self, failure: OSError) -> None:
        # A read-only home must not stop the guard: the config stays in memory, and the first
        # reason is the one shown.
        if self.error is None:
            log.warning("config: cannot write %s: %s", self.path, failure)
            self.error = f"cannot write {self.path}: {failure}"

    def stale(self) -> bool:
        """Whether the file changed since it was last applied (one ``lstat``)."""
        return self._file_stamp() != self._stamp

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
