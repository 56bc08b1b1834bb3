# SPDX-License-Identifier: GPL-3.0-or-later
""""Start at login": the XDG autostart entry, in temporary XDG directories."""

from __future__ import annotations

from pathlib import Path

import pytest

from memwarden.ui.tray import autostart


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "system"))
    return tmp_path


def test_enable_writes_an_entry_that_starts_the_tray_and_disable_removes_it(xdg):
    assert not autostart.is_enabled()
    autostart.set_enabled(True)
    entry = xdg / "home" / "autostart" / "io.github.memwarden.MemWarden.desktop"
    text = entry.read_text()
    assert text.startswith("[Desktop Entry]\n")
    assert "Type=Application\n" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    # No subcommand: `memwarden` alone is the tray.
    assert exec_line.endswith(("memwarden", "-m memwarden")), exec_line
    assert autostart.is_enabled()
    autostart.set_enabled(False)
    assert not entry.exists()
    assert not autostart.is_enabled()


def test_a_system_wide_entry_is_overridden_with_hidden(xdg):
    system = xdg / "system" / "autostart"
    system.mkdir(parents=True)
    (system / "io.github.memwarden.MemWarden.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=MemWarden\nExec=memwarden\n"
    )
    assert autostart.is_enabled()
    autostart.set_enabled(False)
    user = xdg / "home" / "autostart" / "io.github.memwarden.MemWarden.desktop"
    assert "Hidden=true" in user.read_text()
    assert not autostart.is_enabled()
    autostart.set_enabled(True)
    assert "Hidden" not in user.read_text()
    assert autostart.is_enabled()


def test_hidden_in_another_group_does_not_count(xdg):
    user = xdg / "home" / "autostart"
    user.mkdir(parents=True)
    (user / "io.github.memwarden.MemWarden.desktop").write_text(
        "[Desktop Entry]\nType=Application\nExec=memwarden\n\n[Desktop Action x]\nHidden=true\n"
    )
    assert autostart.is_enabled()
