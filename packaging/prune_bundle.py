# SPDX-License-Identifier: GPL-3.0-or-later
"""Trim PySide6 in the private venv to what MemWarden loads: ``prune_bundle.py SITE_PACKAGES``.

PySide6-Essentials is a toolkit for every kind of Qt program: QML and Qt Quick, Designer,
Linguist, the language server, SQL drivers, TLS, 3D… About two thirds of its 400 MiB are never
loaded by a tray app made of QtCore, QtGui, QtWidgets and QtSvg. packaging/install-tree runs this
after pip, for `make install` and the .deb alike:

* keep the objects listed in bundle-roots.txt and every bundled library they need, followed
  through DT_NEEDED (elf_needed.py), and delete every other ELF file under PySide6/ (Python
  modules, Qt libraries, plugins, tools);
* delete what only those served: QML modules, metatypes, headers, code generators' data, the
  tools' translations, and the type stubs of deleted modules; Qt's own translations of its
  standard dialogs (qtbase_*.qm) stay.

Nothing outside PySide6/ is touched. A root that matches nothing is an error: a PySide6 update
moved something this list names, and the package would lose it silently.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from elf_needed import is_elf, needed  # noqa: E402

ROOTS = HERE / "bundle-roots.txt"
#: Directories of PySide6 that nothing at run time reads (headers, cmake files, code generators'
#: data, documentation, the tools' scripts) or that only QML and the build tools use.
UNUSED_DIRS = ("include", "lib", "glue", "typesystems", "doc", "scripts",
               "Qt/qml", "Qt/metatypes", "Qt/libexec")  # fmt: skip


def read_roots(path: Path = ROOTS) -> tuple[list[str], list[str]]:
    """The (required, optional) globs of bundle-roots.txt."""
    required: list[str] = []
    optional: list[str] = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("optional "):
            optional.append(line.removeprefix("optional ").strip())
        else:
            required.append(line)
    return required, optional


def closure(roots: list[Path], bundled: dict[str, Path]) -> set[Path]:
    """``roots`` and every bundled library they need, directly or not."""
    seen: set[Path] = set()
    todo = list(roots)
    while todo:
        obj = todo.pop()
        if obj in seen:
            continue
        seen.add(obj)
        todo += [bundled[name] for name in needed(obj) if name in bundled]
    return seen


def prune(site: Path) -> tuple[int, int]:
    """Prune ``site``/PySide6; returns its size in bytes (before, after)."""
    pyside = site / "PySide6"
    before = _size(pyside)
    required, optional = read_roots()
    roots: list[Path] = []
    for pattern in required + optional:
        matches = sorted(p for p in site.glob(pattern) if p.is_file())
        if not matches and pattern in required:
            raise SystemExit(f"prune_bundle.py: {pattern} matches nothing in {site}")
        roots += matches
    bundled = {f.name: f for f in site.rglob("*.so*") if f.is_file()}
    keep = closure(roots, bundled)
    for path in sorted(pyside.rglob("*")):
        if path.is_file() and path not in keep and is_elf(path):
            path.unlink()
    for name in UNUSED_DIRS:
        shutil.rmtree(pyside / name, ignore_errors=True)
    for qm in (pyside / "Qt" / "translations").glob("*.qm"):
        if not qm.name.startswith("qtbase_"):
            qm.unlink()
    for stub in pyside.glob("Qt*.pyi"):  # stubs of modules that are not (or no longer) here
        if not stub.with_suffix(".abi3.so").exists():
            stub.unlink()
    for directory in sorted((d for d in pyside.rglob("*") if d.is_dir()), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()
    return before, _size(pyside)


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: prune_bundle.py SITE_PACKAGES", file=sys.stderr)
        return 2
    before, after = prune(Path(argv[0]))
    print(f"prune_bundle.py: PySide6 {before / 2**20:.0f} MiB -> {after / 2**20:.0f} MiB",
          file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
