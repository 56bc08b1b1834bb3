# SPDX-License-Identifier: GPL-3.0-or-later
"""The .desktop index: XDG id rules, precedence, Hidden, lookups, Exec parsing, laziness."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memwarden.core.command_program import is_interpreter, program_of_argv
from memwarden.core.desktop_file import current_locale, parse_desktop_entry
from memwarden.core.desktop_index import MAX_DESKTOP_FILE_BYTES, DesktopIndex, default_data_dirs
from memwarden.core.errors import ParseError

FIREFOX = """\
[Desktop Entry]
Version=1.0
Name=Firefox
Name[de]=Firefox-Browser
Name[pt_BR]=Navegador Firefox
GenericName=Web Browser
Comment=Browse the World Wide Web
Exec=firefox %u
TryExec=firefox
Icon=firefox
Terminal=false
Type=Application
StartupWMClass=firefox
Categories=GNOME;GTK;Network;WebBrowser;
MimeType=text/html;

[Desktop Action new-window]
Name=New Window
Exec=firefox --new-window %u
"""


def desktop(name: str, exec_: str = "", extra: str = "", type_: str = "Application") -> str:
    lines = ["[Desktop Entry]", f"Type={type_}", f"Name={name}"]
    if exec_:
        lines.append(f"Exec={exec_}")
    return "\n".join(lines) + "\n" + extra


def write(base: Path, rel: str, text: str) -> Path:
    path = base / "applications" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- one file ---------------------------------------------------------------------------------


def test_parse_firefox_entry() -> None:
    entry = parse_desktop_entry(FIREFOX, "firefox.desktop")
    assert entry.name == "Firefox"  # the action group's Name is not the app's
    assert entry.type == "Application"
    assert entry.icon == "firefox"
    assert entry.exec == "firefox %u" and entry.exec_program == "firefox"
    assert entry.try_exec == "firefox"
    assert entry.startup_wm_class == "firefox"
    assert entry.categories == ("GNOME", "GTK", "Network", "WebBrowser")
    assert not entry.no_display and not entry.hidden and not entry.terminal
    assert entry.app_id == "firefox"


@pytest.mark.parametrize(
    ("locale", "name"),
    [
        (None, "Firefox"),
        ("de_DE.UTF-8", "Firefox-Browser"),  # falls back from de_DE to de
        ("pt_BR.UTF-8", "Navegador Firefox"),
        ("pt_PT.UTF-8", "Firefox"),  # no pt, no pt_PT
        ("C.UTF-8", "Firefox"),
        ("de_AT.UTF-8@euro", "Firefox-Browser"),
    ],
)
def test_translated_name(locale: str | None, name: str) -> None:
    assert parse_desktop_entry(FIREFOX, "firefox.desktop", locale=locale).name == name


def test_modifier_locale_order() -> None:
    text = desktop("Plain", extra="Name[sr]=Ћирилица\nName[sr@latin]=Latinica\n")
    assert parse_desktop_entry(text, "x.desktop", locale="sr_RS@latin").name == "Latinica"
    assert parse_desktop_entry(text, "x.desktop", locale="sr_RS").name == "Ћирилица"


def test_escapes_booleans_and_spaces_around_equals() -> None:
    text = (
        "# comment\n\n[Desktop Entry]\nType = Application\nName=Two\\sWords\\\\\n"
        "NoDisplay=true\nTerminal=1\nIcon=\nCategories=Game;;ArcadeGame\\;X;\n"
    )
    entry = parse_desktop_entry(text, "x.desktop")
    assert entry.name == "Two Words\\"
    assert entry.no_display and entry.terminal
    assert entry.icon is None
    assert entry.categories == ("Game", "ArcadeGame\\", "X")


def test_first_desktop_entry_group_wins_and_other_groups_are_ignored() -> None:
    text = (
        "[Other]\nName=Nope\n[Desktop Entry]\nName=Yes\nType=Application\n"
        "[Desktop Entry]\nName=No\n"
    )
    assert parse_desktop_entry(text, "x.desktop").name == "Yes"


def test_hidden_entry_needs_no_name() -> None:
    entry = parse_desktop_entry("[Desktop Entry]\nHidden=true\n", "x.desktop")
    assert entry.hidden and entry.name == ""


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Name=x\n",  # key before any group
        "[Other]\nName=x\n",  # no [Desktop Entry]
        "[Desktop Entry]\nType=Application\n",  # no Name
        "[Desktop Entry]\nName=x\nthis is not a key\n",  # GLib rejects the file too
        "[Desktop Entry\nName=x\n",
    ],
)
def test_invalid_files_raise(text: str) -> None:
    with pytest.raises(ParseError):
        parse_desktop_entry(text, "x.desktop")


# --- Exec → program ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exec_", "program"),
    [
        ("firefox %u", "firefox"),
        ("/usr/lib/firefox/firefox %u", "firefox"),
        ('"/opt/My App/bin/app" --flag', "app"),
        ("env GDK_BACKEND=x11 -u FOO nice -n 5 app --x", "app"),
        ("env -S 'vlc --started-from-file'", "vlc"),
        (
            "/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=firefox "
            "--file-forwarding org.mozilla.firefox @@u %u @@",
            "firefox",
        ),
        ("flatpak run --command /app/bin/gimp-2.10 org.gimp.GIMP", "gimp-2.10"),
        ("flatpak run org.gnome.Evince", None),  # the command is in the flatpak metadata
        (
            "env BAMF_DESKTOP_FILE_HINT=/var/lib/snapd/desktop/applications/firefox_firefox"
            ".desktop /snap/bin/firefox %u",
            "firefox",
        ),
        ("snap run chromium", "chromium"),
        ("python3 /usr/share/foo/foo.py %F", "foo.py"),
        ("python3 -u -W ignore /opt/x/run.py", "run.py"),
        ("python3 -m http.server", "http.server"),
        ("python3 -c 'print(1)'", "python3"),
        ("/usr/bin/python3.11", "python3.11"),
        ('sh -c "exec steam -silent"', "steam"),
        ("bash -c 'cd ~; ./game.x86_64'", "bash"),  # several commands: no one program
        ("sh -c 'exec -a name /opt/app/bin/app'", "app"),
        ("bash /usr/share/lutris/run.sh", "run.sh"),
        ("java -Xmx1G -jar /opt/minecraft/launcher.jar", "launcher.jar"),
        ("prime-run gamemoderun mangohud %command%", "%command%"),
        ("gtk-launch org.gnome.Evince.desktop", "org.gnome.Evince"),
        ("systemd-run --user --scope -p MemoryMax=1G --unit foo firefox", "firefox"),
        ("", None),
        ("env", None),
    ],
)
def test_program_of_exec(exec_: str, program: str | None) -> None:
    text = desktop("X", exec_) if exec_ else desktop("X")
    assert parse_desktop_entry(text, "x.desktop").exec_program == program


def test_program_of_argv_for_processes() -> None:
    assert program_of_argv(["/usr/bin/python3", "hog.py", "--size", "1G"]) == "hog.py"
    assert program_of_argv(["bash", "/dev/fd/3"]) == "bash"  # a script from a pipe
    assert program_of_argv(["node", "--inspect", "/srv/app/server.js"]) == "server.js"
    assert program_of_argv([]) is None
    assert is_interpreter("python3.12") and is_interpreter("bash") and not is_interpreter("vim")


def test_unbalanced_quote_in_exec_still_gives_a_program() -> None:
    entry = parse_desktop_entry(desktop("X", 'app "unclosed'), "x.desktop")
    assert entry.exec_program == "app"


# --- the index --------------------------------------------------------------------------------


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    system = tmp_path / "system"
    write(system, "firefox.desktop", FIREFOX)
    write(system, "kde4/okular.desktop", desktop("Okular", "okular %U", "Icon=okular\n"))
    write(system, "vim.desktop", desktop("Vim", "vim %F", "Terminal=true\n"))
    write(system, "broken.desktop", "this is not a desktop file\n")
    write(system, "link.desktop", desktop("A Link", type_="Link"))
    write(system, "gone.desktop", desktop("Gone", "gone"))
    write(system, "not-a-desktop.txt", desktop("Nope", "nope"))
    write(system, "helper.desktop", desktop("Handler", "steam %u", "NoDisplay=true\n"))
    write(system, "steam.desktop", desktop("Steam", "/usr/bin/steam %U", "Categories=Game;\n"))
    write(system, "Org.Example.Mixed.desktop", desktop("Mixed", "mixed"))
    write(
        system,
        "org.gnome.Terminal.desktop",
        desktop("Terminal", "gnome-terminal", "StartupWMClass=Gnome-terminal\n"),
    )
    # The user's files come first: an override and a deletion.
    write(home, "firefox.desktop", desktop("My Firefox", "firefox %u", "Icon=my-firefox\n"))
    write(home, "gone.desktop", "[Desktop Entry]\nHidden=true\n")
    return home, system


def test_index_rules(dirs: tuple[Path, Path]) -> None:
    home, system = dirs
    index = DesktopIndex.load([home, system, home / "missing"])
    assert len(index) == 10  # ids, not files: two in home shadow system ones
    entry = index.by_id("firefox.desktop")
    assert entry is not None and entry.name == "My Firefox" and entry.icon == "my-firefox"
    assert entry.path == home / "applications" / "firefox.desktop"
    assert index.by_id("firefox") == entry  # .desktop is optional
    # Subdirectory: kde4/okular.desktop has id kde4-okular.desktop.
    okular = index.by_id("kde4-okular")
    assert okular is not None and okular.name == "Okular"
    assert index.by_id("okular") is None
    # Hidden in an earlier dir deletes the id, also from later dirs.
    assert index.by_id("gone") is None
    # Not applications, broken files, other extensions.
    assert index.by_id("link") is None
    assert index.by_id("broken") is None
    assert index.by_id("not-a-desktop") is None
    assert index.by_id("") is None
    # Case-insensitive fallback.
    mixed = index.by_id("org.example.mixed")
    assert mixed is not None and mixed.desktop_id == "Org.Example.Mixed.desktop"
    assert {e.desktop_id for e in index.entries()} == {
        "firefox.desktop",
        "kde4-okular.desktop",
        "vim.desktop",
        "helper.desktop",
        "steam.desktop",
        "Org.Example.Mixed.desktop",
        "org.gnome.Terminal.desktop",
    }


def test_lookup_by_program_and_window_class(dirs: tuple[Path, Path]) -> None:
    index = DesktopIndex.load(list(dirs))
    firefox = index.by_exec("firefox")
    assert firefox is not None and firefox.name == "My Firefox"
    vim = index.by_exec("vim")
    assert vim is not None and vim.terminal
    # A NoDisplay url handler running the same program loses to the visible entry.
    steam = index.by_exec("steam")
    assert steam is not None and steam.desktop_id == "steam.desktop"
    assert index.by_exec("nonexistent") is None
    assert index.by_exec("") is None
    terminal = index.by_wm_class("gnome-terminal")  # WM_CLASS differs in case
    assert terminal is not None and terminal.desktop_id == "org.gnome.Terminal.desktop"
    assert index.by_wm_class("") is None


def test_load_opens_no_file_and_parses_on_demand(tmp_path: Path) -> None:
    path = write(tmp_path, "app.desktop", desktop("Before", "app"))
    index = DesktopIndex.load([tmp_path])
    path.write_text(desktop("After", "app"))  # what a lookup sees is read at lookup time
    entry = index.by_id("app")
    assert entry is not None and entry.name == "After"
    path.write_text(desktop("Later", "app"))
    again = index.by_id("app")
    assert again is not None and again.name == "After"  # cached


def test_oversized_and_unreadable_files_are_skipped(tmp_path: Path) -> None:
    big = desktop("Big", "big") + "#" * MAX_DESKTOP_FILE_BYTES
    write(tmp_path, "big.desktop", big)
    write(tmp_path, "ok.desktop", desktop("Ok", "ok"))
    (tmp_path / "applications" / "dangling.desktop").symlink_to(tmp_path / "nowhere")
    index = DesktopIndex.load([tmp_path])
    assert index.by_id("big") is None
    assert index.by_id("ok") is not None
    assert index.by_id("dangling") is None
    assert index.by_exec("ok") is not None


def test_symlinked_directories_are_followed_once(tmp_path: Path) -> None:
    write(tmp_path, "sub/app.desktop", desktop("App", "app"))
    (tmp_path / "applications" / "sub" / "loop").symlink_to(tmp_path / "applications")
    index = DesktopIndex.load([tmp_path])
    assert index.by_id("sub-app") is not None
    assert len(index) == 1  # the loop back to applications/ is not walked again


def test_invalid_utf8_is_replaced_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "applications" / "bytes.desktop"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"[Desktop Entry]\nType=Application\nName=Caf\xe9\nExec=cafe\n")
    entry = DesktopIndex.load([tmp_path]).by_id("bytes")
    assert entry is not None and entry.name == "Caf\ufffd"


def test_index_locale(dirs: tuple[Path, Path]) -> None:
    _, system = dirs
    entry = DesktopIndex.load([system], locale="de_DE.UTF-8").by_id("firefox")
    assert entry is not None and entry.name == "Firefox-Browser"


def test_default_data_dirs() -> None:
    dirs = default_data_dirs({"HOME": "/home/u"})
    assert dirs == [
        Path("/home/u/.local/share"),
        Path("/home/u/.local/share/flatpak/exports/share"),
        Path("/var/lib/flatpak/exports/share"),
        Path("/usr/local/share"),
        Path("/usr/share"),
        Path("/var/lib/snapd/desktop"),
    ]
    env = {
        "HOME": "/home/u",
        "XDG_DATA_HOME": "relative/ignored",
        # As the flatpak profile script sets it: the exports are already there; keep their place.
        "XDG_DATA_DIRS": "/home/u/.local/share/flatpak/exports/share:/var/lib/flatpak/exports/"
        "share:/opt/share:not/absolute:/usr/share",
    }
    assert default_data_dirs(env) == [
        Path("/home/u/.local/share"),
        Path("/home/u/.local/share/flatpak/exports/share"),
        Path("/var/lib/flatpak/exports/share"),
        Path("/opt/share"),
        Path("/usr/share"),
        Path("/var/lib/snapd/desktop"),
    ]
    assert default_data_dirs({"HOME": "/h", "XDG_DATA_HOME": "/d"})[0] == Path("/d")


def test_current_locale() -> None:
    assert current_locale({"LANG": "de_DE.UTF-8"}) == "de_DE.UTF-8"
    assert current_locale({"LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}) == "fr_FR.UTF-8"
    assert current_locale({"LC_MESSAGES": "C", "LANG": "de_DE.UTF-8"}) is None
    assert current_locale({}) is None


def test_this_machines_applications() -> None:
    """Real files: /usr/share/applications here has vim.desktop and python3.11.desktop."""
    index = DesktopIndex.load(default_data_dirs(os.environ))
    vim = index.by_id("vim")
    if vim is None:
        pytest.skip("vim.desktop is not installed here")
    assert vim.name == "Vim" and vim.exec_program == "vim" and vim.terminal
    assert index.by_exec("vim") == vim
    for entry in index.entries():
        assert entry.type == "Application" and entry.name


# --- fuzzing ----------------------------------------------------------------------------------


@given(st.text())
def test_fuzz_parse_desktop_entry(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_desktop_entry(text, "x.desktop", locale="de_DE")


KEY_LINES = [
    "[Desktop Entry]", "[Other]", "Name=A", "Name[de]=B", "Type=Application", "Exec=",
    "Exec=env -S", "Exec=flatpak run --command", 'Exec="', "Exec=sh -c", "Exec=python3 -m",
    "Hidden=true", "Icon=\\", "Categories=;;", "# c", "", "junk",
]  # fmt: skip


@given(st.lists(st.sampled_from(KEY_LINES), max_size=12).map("\n".join))
def test_fuzz_parse_desktop_entry_structured(text: str) -> None:
    with contextlib.suppress(ParseError):
        entry = parse_desktop_entry(text, "x.desktop")
        assert entry.hidden or entry.name is not None


@given(st.lists(st.text(max_size=20), max_size=8))
def test_fuzz_program_of_argv(argv: list[str]) -> None:
    program = program_of_argv(argv)
    assert program is None or isinstance(program, str)
