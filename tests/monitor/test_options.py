# SPDX-License-Identifier: GPL-3.0-or-later
"""``memwarden monitor``'s flags: one per setting of the table, named and bounded by it, and the
flags of earlier versions still doing what they did."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from memwarden.cli import build_parser
from memwarden.core.settings import SETTINGS, SWITCH, Settings, number
from memwarden.monitor.options import flag_problem, flag_settings, overrides_from

GiB = 1 << 30
README = Path(__file__).resolve().parents[2] / "README.md"
METAVARS = {"%": "P", "MiB": "N", "s": "S"}


def monitor_args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["monitor", *argv])


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as info:
        monitor_args(*argv)
    assert info.value.code == 2
    return capsys.readouterr().err


def monitor_help() -> str:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["monitor"].format_help()


NUMBERS = [row for row in SETTINGS if row.kind != SWITCH]
SWITCHES = [row for row in SETTINGS if row.kind == SWITCH]


@pytest.mark.parametrize("row", NUMBERS, ids=[row.key for row in NUMBERS])
def test_every_setting_is_a_flag_of_its_own_name(row):
    value = "300" if row.whole else "2.5"
    assert overrides_from(monitor_args(row.flag, value)) == {row.key: float(value)}
    assert row.flag in monitor_help()


@pytest.mark.parametrize("row", SWITCHES, ids=[row.key for row in SWITCHES])
def test_every_switch_is_a_flag_to_turn_it_on_and_one_to_turn_it_off(row):
    on, off = row.flags
    assert flag_settings(monitor_args(off)) == {row.key: (off, False)}
    assert flag_settings(monitor_args(on)) == {row.key: (on, True)}
    assert flag_settings(monitor_args(on, off)) == {row.key: (off, False)}  # the last wins
    assert f"{on}, {off}" in monitor_help()


def test_pausing_is_switched_by_its_flags_and_left_to_the_file_without_them():
    assert overrides_from(monitor_args("--no-pause-growing")) == {"pause_growing": False}
    assert overrides_from(monitor_args("--pause-growing")) == {"pause_growing": True}
    assert "pause_growing" not in overrides_from(monitor_args("--close-mib", "300"))


def test_a_switch_flag_takes_no_value(capsys):
    assert "ignored explicit argument 'false'" in refused(capsys, "--pause-growing=false")


def test_no_flag_no_override():
    assert overrides_from(monitor_args()) == {}


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("--warn-percent", "100"), "argument --warn-percent: 100.0 is not in [0, 100)"),
        (("--psi-full-percent", "0"), "argument --psi-full-percent: 0.0 is not in (0, 100]"),
        (("--close-mib", "-1"), "argument --close-mib: -1 is negative"),
        (("--close-mib", "1.5"), "argument --close-mib: '1.5' is not a whole number of MiB"),
        (("--horizon-seconds", "0.5"), "argument --horizon-seconds: 0.5 is not in [1, 3600]"),
        (("--grace-seconds", "nan"), "argument --grace-seconds: nan is not in [0, 120]"),
        (("--kill-below-percent", "100"), "argument --kill-below-percent: 100.0 is not in"),
        (("--kill-below-mib", "-5"), "argument --kill-below-mib: -5 is negative"),
        (("--kill-below-mib", "5", "--kill-below-percent", "5"), "not allowed with argument"),
    ],
)
def test_flags_are_bounded_as_the_table_says(capsys, argv, says):
    assert says in refused(capsys, *argv)


@pytest.mark.parametrize(
    ("argv", "sets"),
    [
        (("--kill-below-mib", "800"), {"close_mib": 800, "kill_mib": 400}),
        (("--kill-below-mib", "801"), {"close_mib": 801, "kill_mib": 400}),
        (("--kill-below-percent", "20"),
         {"close_percent": 20, "kill_percent": 10, "warn_percent": 25}),
        (("--kill-below-percent", "2"),
         {"close_percent": 2, "kill_percent": 1, "warn_percent": 15}),
        (("--kill-below-percent", "96"),
         {"close_percent": 96, "kill_percent": 48, "warn_percent": 98}),
        (("--warn-below-mib", "5000"), {"warn_mib": 5000}),
        (("--grace-seconds", "2"), {"grace_seconds": 2}),
        # A table flag wins for its own key over what an older flag derives.
        (("--kill-below-mib", "800", "--kill-mib", "100"), {"close_mib": 800, "kill_mib": 100}),
    ],
)  # fmt: skip
def test_the_older_flags_set_what_they_always_did(argv, sets):
    assert overrides_from(monitor_args(*argv)) == sets


def test_the_help_says_what_the_older_flags_set(monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per flag: no breaks inside a flag's name
    text = " ".join(monitor_help().split())
    assert "sets --close-mib N and --kill-mib N/2" in text
    assert "sets --close-percent P, --kill-percent P/2 and --warn-percent 5 points above P" in text
    assert "--warn-below-mib N warn below N MiB left: sets --warn-mib N" in text
    assert "(%, [0, 100); default 15 %)" in text  # the table's bounds and default
    assert "--pause-growing, --no-pause-growing pause an app that is still growing at the close " \
           "threshold and ask what to do, instead of closing it (default: on)" in text


@pytest.mark.parametrize(
    ("argv", "base", "says"),
    [
        (("--kill-below-mib", "10240"), None,
         "--kill-below-mib 10240 is at or above this machine's memory and swap (10240 MiB)"),
        (("--warn-mib", "20000"), None, "--warn-mib 20000 is at or above"),
        (("--kill-percent", "12"), Settings(),
         "--kill-percent: [thresholds] need kill_percent <= close_percent <= warn_percent"),
        (("--warn-percent", "12"), Settings(close_percent=15, warn_percent=20),
         "--warn-percent: [thresholds] need"),
    ],
)  # fmt: skip
def test_flags_the_machine_or_the_file_cannot_have_are_a_problem(argv, base, says):
    problem = flag_problem(monitor_args(*argv), 10 * GiB, base)
    assert problem is not None and says in problem


def test_flags_in_order_with_the_file_are_fine():
    args = monitor_args("--kill-percent", "12", "--kill-below-mib", "1")
    assert flag_problem(args, 10 * GiB, Settings(close_percent=15, warn_percent=20)) is None


def readme_row(row):
    """The README's row for a setting, as the table has it."""
    if row.kind == SWITCH:
        flags = ", ".join(f"`{flag}`" for flag in row.flags)
        return (f"| `{row.key}` | {flags} | switch | true or false | "
                f"{str(row.default).lower()} | {row.description} |")  # fmt: skip
    default = "unset" if row.default is None else number(row.default)
    return (f"| `{row.key}` | `{row.flag} {METAVARS[row.unit]}` | {row.unit} | "
            f"{row.bounds()} | {default} | {row.description} |")  # fmt: skip


def test_the_readme_lists_every_setting_as_the_table_has_it():
    text = README.read_text()
    for row in SETTINGS:
        line = readme_row(row)
        assert line in text, f"README.md: no row for {row.key}: {line}"
