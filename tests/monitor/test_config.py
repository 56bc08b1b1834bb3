# SPDX-License-Identifier: GPL-3.0-or-later
"""The config file: validated, a bad one kept as a backup and replaced by defaults, reloaded."""

from __future__ import annotations

import os
import threading
import time
import tomllib
from pathlib import Path

import pytest

from memwarden.core.meminfo import MemInfo
from memwarden.monitor.config import (
    Config,
    ConfigError,
    ConfigStore,
    config_from_dict,
    config_to_toml,
)

MiB = 1024 * 1024
#: The largest config file read (config_file.MAX_CONFIG_BYTES; written out, so that this module
#: also runs against code that has no such limit).
MAX_CONFIG_BYTES = 1 << 20
#: A machine with 8 GiB of RAM and 2 GiB of swap.
MACHINE = MemInfo(mem_total_kib=8 << 20, mem_free_kib=1 << 20, mem_available_kib=4 << 20,
                  swap_total_kib=2 << 20, swap_free_kib=2 << 20, shmem_kib=0)  # fmt: skip


def wait_until_changed(store: ConfigStore) -> None:
    deadline = time.monotonic() + 30
    while not store.changed():
        assert time.monotonic() < deadline, "the read ahead never finished"
        time.sleep(0.01)


def test_missing_file_is_created_with_defaults(tmp_path):
    store = ConfigStore(tmp_path / "memwarden" / "config.toml")
    assert store.load() == Config()
    assert store.error is None
    assert config_from_dict(tomllib.loads(store.path.read_text())) == Config()


def test_round_trip_keeps_every_setting(tmp_path):
    config = Config(warn_percent=20, close_percent=8, kill_percent=3, close_mib=900,
                    grace_seconds=2.5, protect=("firefox", 'we"ird\\name'), prefer=("chromium",))
    store = ConfigStore(tmp_path / "config.toml")
    store.save(config)
    assert ConfigStore(store.path).load() == config


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[thresholds\nwarn_percent = 1", "not valid TOML"),
        ("[thresholds]\nwarn_percent = 150", "out of range"),
        ("[thresholds]\nkill_percent = 100\nclose_percent = 100\nwarn_percent = 100",
         "kill_percent = 100 would always hold"),
        ("[thresholds]\npsi_full_percent = 0", "psi_full_percent = 0 would always hold"),
        ("[thresholds]\npsi_some_warn_percent = 0.0", "psi_some_warn_percent = 0.0 would always"),
        ("[thresholds]\nwarn_percent = 'ten'", "must be a number"),
        ("[thresholds]\nclose_mib = 1.5", "whole number"),
        ("[thresholds]\nwarn_percent = 5\nclose_percent = 10", "kill_percent <= close_percent"),
        ("[thresholds]\nfoo = 1", "unknown key"),
        ("[sound]\nbeep = true", "unknown table"),
        ("[apps]\nprotect = 'firefox'", "list of non-empty names"),
        ("[apps]\nprotect = ['a']\nprefer = ['a']", "both protected and preferred"),
    ],
)
def test_invalid_file_is_kept_as_backup_and_defaults_are_used(tmp_path, text, fragment):
    path = tmp_path / "config.toml"
    path.write_text(text)
    store = ConfigStore(path)
    assert store.load() == Config()
    assert store.error is not None and fragment in store.error
    assert store.backup is not None and store.backup.read_text() == text
    assert store.backup.name.startswith("config.toml.invalid-")
    # The defaults were written back, and they load cleanly.
    assert ConfigStore(path).load() == Config()


def test_unreadable_file_does_not_stop_the_guard(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe not utf-8")
    store = ConfigStore(path)
    assert store.load() == Config()
    assert store.error is not None and "cannot read" in store.error


def test_changes_on_disk_are_noticed(tmp_path):
    store = ConfigStore(tmp_path / "config.toml")
    store.load()
    assert not store.changed()
    text = config_to_toml(Config(prefer=("chromium",)))
    store.path.write_text(text)
    os.utime(store.path, ns=(1, 1))  # a different mtime even within one clock tick
    assert not store.changed()  # noticed: the read starts in a worker thread
    wait_until_changed(store)  # ... and says so once the new content is ready
    assert store.load().prefer == ("chromium",)
    assert not store.changed()


def test_rules_are_exclusive():
    config = Config().with_rule("firefox", "protect").with_rule("firefox", "prefer")
    assert (config.protect, config.prefer) == ((), ("firefox",))
    assert Config(protect=("x",)).with_rule("x", "normal") == Config()
    with pytest.raises(ValueError):
        Config().with_rule("x", "nuke")


def test_config_error_is_a_value_error():
    with pytest.raises(ConfigError):
        config_from_dict({"thresholds": []})


@pytest.mark.parametrize(
    ("key", "value", "fits"),
    [("kill_mib", 10 * 1024 - 1, True), ("kill_mib", 10 * 1024, False),
     ("close_mib", 1 << 40, False), ("warn_mib", 10 * 1024, False), ("warn_mib", 9000, True)],
)  # fmt: skip
def test_thresholds_must_fit_the_machine(tmp_path, key, value, fits):
    path = tmp_path / "config.toml"
    path.write_text(f"[thresholds]\n{key} = {value}\n")
    store = ConfigStore(path, machine=lambda: MACHINE)
    config = store.load()
    if fits:
        assert store.error is None and getattr(config, key) == value
    else:
        assert config == Config() and store.backup is not None
        assert f"{key} = {value} is at or above this machine's memory and swap (10240 MiB)" in (
            store.error or ""
        )


def load_beside_a_fifo(store: ConfigStore, fifo: Path) -> Config | None:
    """``store.load()`` in a thread, or None if it is still blocked after a while: then a writer
    opens the FIFO and closes it at once (the blocked reader gets EOF), so the test can end."""
    result: list[Config] = []
    thread = threading.Thread(target=lambda: result.append(store.load()), daemon=True)
    thread.start()
    thread.join(timeout=10)
    if thread.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(timeout=10)
        return None
    return result[0]


def test_a_fifo_is_refused_left_in_place_and_never_overwritten(tmp_path):
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    store = ConfigStore(path)
    assert load_beside_a_fifo(store, path) == Config()  # the FIFO is never opened for a read
    assert "is a FIFO (named pipe), not a regular file (left in place" in (store.error or "")
    store.save(Config(prefer=("x",)))  # kept in memory: not written over the FIFO
    assert store.config.prefer == ("x",) and path.is_fifo() and store.backup is None
    assert not store.changed()


def test_a_symlink_is_moved_aside_not_followed(tmp_path):
    target = tmp_path / "elsewhere.toml"
    target.write_text("[thresholds]\nwarn_percent = 20\n")
    path = tmp_path / "config.toml"
    path.symlink_to(target)
    store = ConfigStore(path)
    assert store.load() == Config()
    assert f"is a symbolic link (to {target})" in (store.error or "")
    assert store.backup is not None and store.backup.is_symlink()
    assert target.read_text() == "[thresholds]\nwarn_percent = 20\n"  # untouched


@pytest.mark.parametrize("extra", [1, MAX_CONFIG_BYTES])
def test_a_file_over_one_mib_is_refused(tmp_path, extra):
    (tmp_path / "fits.toml").write_bytes(b"#" * MAX_CONFIG_BYTES)
    fits = ConfigStore(tmp_path / "fits.toml")
    fits.load()
    assert fits.error is None
    path = tmp_path / "config.toml"
    path.write_bytes(b"#" * (MAX_CONFIG_BYTES + extra))  # a comment: valid TOML, but too big
    store = ConfigStore(path)
    assert store.load() == Config()
    assert "is larger than 1 MiB" in (store.error or "")


def test_a_read_overtaken_by_a_save_is_not_applied(tmp_path):
    store = ConfigStore(tmp_path / "config.toml")
    store.load()
    store.path.write_text("[apps]\nprefer = ['old']\n")
    os.utime(store.path, ns=(1, 1))
    assert not store.changed()
    wait_until_changed(store)  # read ahead: prefer = old
    store.save(Config(protect=("new",)))  # a rule set meanwhile (SetAppRule)
    assert not store.changed()
    assert store.load().protect == ("new",)  # the stale read was dropped, the file read again
