# SPDX-License-Identifier: GPL-3.0-or-later
"""The settings table and what comes from it: the values, their checks (each a reason code and
the key), the thresholds in bytes and the one shape they take outside the engine."""

from __future__ import annotations

import dataclasses
import math

import pytest

from memwarden.core.settings import (
    BY_KEY,
    SETTINGS,
    SWITCH,
    Settings,
    SettingsError,
    check_fits,
    check_value,
    saved_values,
    settings_from_values,
    with_changes,
)
from memwarden.core.threshold_bytes import thresholds_dict, thresholds_for

GiB = 1 << 30
MiB = 1 << 20


def test_the_settings_class_has_exactly_the_table_s_settings_and_defaults():
    fields = [f for f in dataclasses.fields(Settings) if f.name not in ("protect", "prefer")]
    assert [f.name for f in fields] == [row.key for row in SETTINGS]
    assert [f.default for f in fields] == [row.default for row in SETTINGS]
    assert [row.flag for row in SETTINGS][:2] == ["--warn-percent", "--close-percent"]


def test_saved_values_leave_an_unset_limit_out_and_read_back():
    settings = Settings(warn_percent=20.0, kill_mib=300)
    values = saved_values(settings)
    assert values["kill_mib"] == 300 and "close_mib" not in values and "warn_mib" not in values
    assert set(values) == {row.key for row in SETTINGS} - {"warn_mib", "close_mib"}
    assert settings_from_values(values) == settings
    # A newer monitor may have more: what this version does not know is ignored.
    assert settings_from_values({**values, "future_knob": "x"}) == settings


@pytest.mark.parametrize(
    ("changes", "reset", "reason", "key"),
    [
        ({"warn_precent": 20.0}, (), "unknown-setting", "warn_precent"),
        ({"protect": ["x"]}, (), "unknown-setting", "protect"),  # rules: SetAppRule
        ({}, ("nope",), "unknown-setting", "nope"),
        ({"close_mib": 1.5}, (), "wrong-type", "close_mib"),
        ({"close_mib": 500.0}, (), "wrong-type", "close_mib"),
        ({"warn_percent": True}, (), "wrong-type", "warn_percent"),
        ({"warn_percent": "20"}, (), "wrong-type", "warn_percent"),
        ({"warn_percent": 150.0}, (), "out-of-range", "warn_percent"),
        ({"warn_percent": math.nan}, (), "out-of-range", "warn_percent"),
        ({"grace_seconds": math.inf}, (), "out-of-range", "grace_seconds"),
        ({"kill_mib": -1}, (), "out-of-range", "kill_mib"),
        ({"horizon_seconds": 0.5}, (), "out-of-range", "horizon_seconds"),
        ({"close_percent": 100}, (), "always-holds", "close_percent"),
        ({"psi_full_percent": 0}, (), "always-holds", "psi_full_percent"),
        ({"kill_percent": 12.0}, (), "out-of-order", "kill_percent,close_percent"),
        ({"warn_percent": 8.0}, (), "out-of-order", "close_percent,warn_percent"),
        ({"kill_mib": 10}, ("kill_mib",), "set-and-reset", "kill_mib"),
        # A switch takes true or false only: not a number, not even 0 or 1.
        ({"pause_growing": 0}, (), "wrong-type", "pause_growing"),
        ({"pause_growing": 1.0}, (), "wrong-type", "pause_growing"),
        ({"pause_growing": "false"}, (), "wrong-type", "pause_growing"),
    ],
)
def test_each_bad_change_has_its_reason_code_and_key(changes, reset, reason, key):
    with pytest.raises(SettingsError) as info:
        with_changes(Settings(), changes, reset)
    assert (info.value.reason, info.value.key) == (reason, key)


def test_pausing_is_a_switch_on_by_default_and_changes_and_resets_as_the_numbers_do():
    row = BY_KEY["pause_growing"]
    assert (row.kind, row.table, row.default) == (SWITCH, "actions", True)
    assert row.flags == ("--pause-growing", "--no-pause-growing")
    assert (row.bounds(), row.default_text()) == ("true or false", "true")
    assert Settings().pause_growing is True
    off = with_changes(Settings(), {"pause_growing": False})
    assert off == Settings(pause_growing=False)
    assert saved_values(off)["pause_growing"] is False
    assert settings_from_values(saved_values(off)) == off
    assert with_changes(off, {}, reset=["pause_growing"]).pause_growing is True
    with pytest.raises(SettingsError) as info:
        check_value(row, 0)
    assert str(info.value) == "[actions] pause_growing must be true or false"
    # ... and a bool is still no number.
    with pytest.raises(SettingsError, match=r"\[thresholds\] grace_seconds must be a number"):
        check_value(BY_KEY["grace_seconds"], False)


def test_changes_merge_and_reset_puts_back_the_default():
    base = Settings(warn_percent=20.0, close_mib=900, protect=("firefox",))
    changed = with_changes(base, {"grace_seconds": 3, "kill_percent": 2.5}, reset=["close_mib"])
    assert changed == Settings(warn_percent=20.0, grace_seconds=3.0, kill_percent=2.5,
                               protect=("firefox",))  # fmt: skip
    assert isinstance(changed.grace_seconds, float)  # an int is taken for a number, as a float


def test_absolute_limits_must_be_below_the_machine():
    check_fits(Settings(kill_mib=10 * 1024 - 1), 10 * GiB)
    with pytest.raises(SettingsError) as info:
        check_fits(Settings(warn_mib=10 * 1024), 10 * GiB)
    assert (info.value.reason, info.value.key) == ("above-memory", "warn_mib")
    assert "warn_mib = 10240 is at or above this machine's memory and swap (10240 MiB)" in str(
        info.value
    )


def test_thresholds_in_bytes_and_their_one_shape():
    th = thresholds_for(Settings(), 16 * GiB, 4 * GiB)
    assert (th.warn_bytes, th.close_bytes, th.kill_bytes) == (
        int(20 * GiB * 0.15), int(20 * GiB * 0.10), int(20 * GiB * 0.05),
    )  # fmt: skip
    assert thresholds_dict(th) == {
        "warn": th.warn_bytes, "close": th.close_bytes, "kill": th.kill_bytes,
        "hysteresis": int(20 * GiB * 0.02),
    }  # fmt: skip
    absolute = thresholds_for(Settings(close_mib=1000), 16 * GiB, 4 * GiB)
    assert (absolute.close_bytes, absolute.kill_bytes) == (1000 * MiB, 500 * MiB)
    # Absolute limits out of order are raised to the one below, as they always were.
    raised = thresholds_for(Settings(warn_mib=100, close_mib=300, kill_mib=200), 16 * GiB, 0)
    assert (raised.warn_bytes, raised.close_bytes, raised.kill_bytes) == (
        300 * MiB, 300 * MiB, 200 * MiB,
    )  # fmt: skip
