# SPDX-License-Identifier: GPL-3.0-or-later
"""``memwarden monitor``'s flags: one per setting of the table, named and bounded by it, and the
flags of earlier versions still doing what they did."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from memwarden.cli import build_parser
from memwarden.core.settings import SETTINGS, Settings, number
from memwarden.monitor.options import flag_problem, overrides_from

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


@pytest.mark.parametrize("row", SETTINGS, ids=[row.key for row in SETTINGS])
def test_every_setting_is_a_flag_of_its_own_name(row):
    value = "300" if row.whole else "2.5"
    assert overrides_from(monitor_args(row.flag, value)) == {row.key: float(value)}
    assert row.flag in monitor_help()


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


def test_the_readme_lists_every_setting_as_the_table_has_it():
    text = README.read_text()
    for row in SETTINGS:
        default = "unset" if row.default is None else number(row.default)
        line = (f"| `{row.key}` | `{row.flag} {METAVARS[row.unit]}` | {row.unit} | "
                f"{row.bounds()} | {default} | {row.description} |")  # fmt: skip
        assert line in text, f"README.md: no row for {row.key}: {line}"
