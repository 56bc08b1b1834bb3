# SPDX-License-Identifier: GPL-3.0-or-later
"""The config file: validated, a bad one kept as a backup and replaced by defaults, reloaded; an
older format written back in the current one (version 2), a newer one refused without losing
it."""

from __future__ import annotations

import os
import threading
import time
import tomllib
from pathlib import Path

import pytest

from memwarden.core.meminfo import MemInfo
from memwarden.core.settings import Settings, SettingsError
from memwarden.core.settings_file import settings_from_document, settings_to_toml
from memwarden.monitor.config import ConfigStore

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
    assert store.load() == Settings()
    assert store.error is None
    assert settings_from_document(tomllib.loads(store.path.read_text()))[0] == Settings()


def test_round_trip_keeps_every_setting(tmp_path):
    config = Settings(warn_percent=20, close_percent=8, kill_percent=3, close_mib=900,
                    grace_seconds=2.5, pause_growing=False,
                    protect=("firefox", 'we"ird\\name'), prefer=("chromium",))  # fmt: skip
    store = ConfigStore(tmp_path / "config.toml")
    store.save(config)
    assert "\n[actions]\n" in store.path.read_text()
    assert "\npause_growing = false\n" in store.path.read_text()
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
        ("[actions]\npause_growing = 0", "[actions] pause_growing must be true or false"),
        ("[actions]\npause_growing = 'off'", "[actions] pause_growing must be true or false"),
        ("[thresholds]\npause_growing = false", "[thresholds] unknown key 'pause_growing'"),
        ("[actions]\nwarn_percent = 20.0", "[actions] unknown key 'warn_percent'"),
        ("[sound]\nbeep = true", "unknown table"),
        ("[apps]\nprotect = 'firefox'", "list of non-empty names"),
        ("[apps]\nprotect = ['a']\nprefer = ['a']", "both protected and preferred"),
    ],
)
def test_invalid_file_is_kept_as_backup_and_defaults_are_used(tmp_path, text, fragment):
    path = tmp_path / "config.toml"
    path.write_text(text)
    store = ConfigStore(path)
    assert store.load() == Settings()
    assert store.error is not None and fragment in store.error
    assert store.backup is not None and store.backup.read_text() == text
    assert store.backup.name.startswith("config.toml.invalid-")
    # The defaults were written back, and they load cleanly.
    assert ConfigStore(path).load() == Settings()


def test_unreadable_file_does_not_stop_the_guard(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe not utf-8")
    store = ConfigStore(path)
    assert store.load() == Settings()
    assert store.error is not None and "cannot read" in store.error


def test_changes_on_disk_are_noticed(tmp_path):
    store = ConfigStore(tmp_path / "config.toml")
    store.load()
    assert not store.changed()
    text = settings_to_toml(Settings(prefer=("chromium",)))
    store.path.write_text(text)
    os.utime(store.path, ns=(1, 1))  # a different mtime even within one clock tick
    assert not store.changed()  # noticed: the read starts in a worker thread
    wait_until_changed(store)  # ... and says so once the new content is ready
    assert store.load().prefer == ("chromium",)
    assert not store.changed()


def test_rules_are_exclusive():
    config = Settings().with_rule("firefox", "protect").with_rule("firefox", "prefer")
    assert (config.protect, config.prefer) == ((), ("firefox",))
    assert Settings(protect=("x",)).with_rule("x", "normal") == Settings()
    with pytest.raises(ValueError):
        Settings().with_rule("x", "nuke")


def test_a_settings_error_is_a_value_error():
    with pytest.raises(ValueError):
        settings_from_document({"thresholds": []})
    with pytest.raises(SettingsError):
        settings_from_document({"thresholds": []})


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
        assert config == Settings() and store.backup is not None
        assert f"{key} = {value} is at or above this machine's memory and swap (10240 MiB)" in (
            store.error or ""
        )


def load_beside_a_fifo(store: ConfigStore, fifo: Path) -> Settings | None:
    """``store.load()`` in a thread, or None if it is still blocked after a while: then a writer
    opens the FIFO and closes it at once (the blocked reader gets EOF), so the test can end."""
    result: list[Settings] = []
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
    assert load_beside_a_fifo(store, path) == Settings()  # the FIFO is never opened for a read
    assert "is a FIFO (named pipe), not a regular file (left in place" in (store.error or "")
    store.save(Settings(prefer=("x",)))  # kept in memory: not written over the FIFO
    assert store.config.prefer == ("x",) and path.is_fifo() and store.backup is None
    assert not store.changed()


def test_a_symlink_is_moved_aside_not_followed(tmp_path):
    target = tmp_path / "elsewhere.toml"
    target.write_text("[thresholds]\nwarn_percent = 20\n")
    path = tmp_path / "config.toml"
    path.symlink_to(target)
    store = ConfigStore(path)
    assert store.load() == Settings()
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
    assert store.load() == Settings()
    assert "is larger than 1 MiB" in (store.error or "")


def test_a_read_overtaken_by_a_save_is_not_applied(tmp_path):
    store = ConfigStore(tmp_path / "config.toml")
    store.load()
    store.path.write_text("[apps]\nprefer = ['old']\n")
    os.utime(store.path, ns=(1, 1))
    assert not store.changed()
    wait_until_changed(store)  # read ahead: prefer = old
    store.save(Settings(protect=("new",)))  # a rule set meanwhile (SetAppRule)
    assert not store.changed()
    assert store.load().protect == ("new",)  # the stale read was dropped, the file read again


# -- the file's format version --------------------------------------------------------------------

#: A file as MemWarden wrote it before the format had a version (version 0), word for word.
VERSION_0_FILE = """\
# MemWarden monitor settings. Edit freely: the monitor re-reads this file when it
# changes. An invalid file is moved aside (config.toml.invalid-*) and defaults are used.

[thresholds]
# Memory left (MemAvailable + free swap) as a share of RAM + swap:
# warn at or below warn_percent, close the chosen app gracefully at close_percent,
# kill it at once at kill_percent. *_mib keys set absolute limits instead.
warn_percent = 20.0
close_percent = 10.0
kill_percent = 5.0
# warn_mib = <MiB>
close_mib = 900
# kill_mib = <MiB>
# horizon_seconds = 60.0
grace_seconds = 2.5
psi_full_percent = 60.0
# psi_full_seconds = 10.0
psi_some_warn_percent = 25.0

[apps]
# Names match an app's id or name, or a process name (comm or executable).
# protect: never closed by MemWarden (and the kernel is told, when the helper is
# installed); prefer: closed first when memory runs out.
protect = ["firefox"]
prefer = ["chromium"]
"""
VERSION_0_SETTINGS = Settings(warn_percent=20.0, close_mib=900, grace_seconds=2.5,
                              protect=("firefox",), prefer=("chromium",))  # fmt: skip


#: A file as version 1 wrote it (settings_to_toml before [actions]), its comment on each key left
#: out: no [actions] table, so nothing says whether to pause.
VERSION_1_FILE = """\
# MemWarden monitor settings. The monitor keeps this file: the tray's settings page changes
# it through the monitor. Edit it freely too: the monitor re-reads it when it changes. An
# invalid file is moved aside (config.toml.invalid-*) and defaults are used.

version = 1

[thresholds]
# Memory left is MemAvailable + free swap; a share (%) is of RAM + swap. A commented
# line shows a default. Each key is also a flag of 'memwarden monitor' (close_mib:
# --close-mib), which wins over this file while the monitor runs.
warn_percent = 20.0
close_percent = 10.0
kill_percent = 5.0
# warn_mib = <MiB>
# close_mib = <MiB>
kill_mib = 300
# horizon_seconds = 60.0
grace_seconds = 2.5
psi_full_percent = 60.0
# psi_full_seconds = 10.0
psi_some_warn_percent = 25.0

[apps]
# Names match an app's id or name, or a process name (comm or executable).
# protect: never closed by MemWarden (and the kernel is told, when the helper is
# installed); prefer: closed first when memory runs out.
protect = ["firefox"]
prefer = []
"""
VERSION_1_SETTINGS = Settings(warn_percent=20.0, kill_mib=300, grace_seconds=2.5,
                              protect=("firefox",))  # fmt: skip


@pytest.mark.parametrize(
    ("text", "settings"),
    [(VERSION_0_FILE, VERSION_0_SETTINGS), (VERSION_1_FILE, VERSION_1_SETTINGS)],
    ids=["version-0", "version-1"],
)
def test_an_older_file_is_read_and_written_back_as_version_2_with_the_same_values(
    tmp_path, text, settings
):
    path = tmp_path / "config.toml"
    path.write_text(text)
    store = ConfigStore(path)
    assert store.load() == settings
    assert store.load().pause_growing is True  # no [actions]: pausing is on, as by default
    assert store.error is None and store.backup is None
    doc = tomllib.loads(path.read_text())
    assert doc["version"] == 2
    assert doc["actions"] == {"pause_growing": True}
    assert settings_from_document(doc) == (settings, 2)
    assert not store.changed()  # its own write is not taken for an edit
    # Read again: the same values, and the file is left as it is now.
    text = path.read_text()
    assert ConfigStore(path).load() == settings
    assert path.read_text() == text


@pytest.mark.parametrize(
    ("first_line", "says"),
    [
        ("version = 3", "version = 3: the file was written by a newer MemWarden, and this one "
                        "reads versions up to 2"),
        ("version = 'one'", "version = 'one' is not a format version"),
        ("version = -1", "version = -1 is not a format version"),
    ],
    ids=["newer", "not-a-number", "negative"],
)  # fmt: skip
def test_a_version_this_memwarden_cannot_read_is_refused_and_kept(tmp_path, first_line, says):
    path = tmp_path / "config.toml"
    text = f"{first_line}\n\n[thresholds]\nwarn_percent = 20.0\n"
    path.write_text(text)
    store = ConfigStore(path)
    assert store.load() == Settings()
    assert store.error is not None and says in store.error
    assert "using defaults" in store.error
    assert store.backup is not None and store.backup.read_text() == text  # nothing lost
    assert tomllib.loads(path.read_text())["version"] == 2  # the defaults, in the current format


def test_the_written_file_says_what_each_setting_is(tmp_path):
    text = settings_to_toml(Settings(kill_mib=300))
    assert text.splitlines()[4] == "version = 2"
    # A comment from the table's description above each key, with its unit, bounds and default.
    assert "# kill at once at or below this many MiB left, instead of kill_percent (MiB, " \
           "[0, 1099511627776]; default unset)\nkill_mib = 300\n" in text
    assert "# warn when memory left is at or below this share of RAM + swap (%, [0, 100); " \
           "default 15 %)\nwarn_percent = 15.0\n" in text
    assert "\n# horizon_seconds = 60.0\n" in text  # a default is shown, commented
    # A switch is written out at its default too: the line says which way it is.
    assert "\n[actions]\n" in text
    assert "# pause an app that is still growing at the close threshold and ask what to do, " \
           "instead of closing it (true or false; default true)\npause_growing = true\n" in text
    assert settings_from_document(tomllib.loads(text)) == (Settings(kill_mib=300), 2)
