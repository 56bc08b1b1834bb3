# SPDX-License-Identifier: GPL-3.0-or-later
"""The config file: validated, a bad one kept as a backup and replaced by defaults, reloaded."""

from __future__ import annotations

import os
import tomllib

import pytest

from memwarden.monitor.config import (
    Config,
    ConfigError,
    ConfigStore,
    config_from_dict,
    config_to_toml,
)


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
    assert store.changed()
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
