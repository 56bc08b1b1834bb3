# SPDX-License-Identifier: GPL-3.0-or-later
"""Finds the places in source code where a reason code is made, and the bare strings there.

A reason code is born where an error is built (``raise Failed(...)``), where a step or a choice
records its result (``{"result": ...}``, ``Choice(None, ...)``, ``reasons.append(...)``), or where
a reason function returns. ``core/reason_codes.py`` says producers use its constants there, so a
new code cannot appear without being registered: :func:`bare_codes` lists the string literals (or
f-strings) found in those places instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

#: Callees (by name) whose argument at this position is a reason code, besides the error classes.
CALL_ARGS = {"Choice": 1, "_write_knob": 2, "DBusError": 1}
#: Keyword arguments and dict keys whose value is a reason code (events and step results).
REASON_KEYS = frozenset({"reason", "victim_reason", "result", "kernel", "step"})
#: Functions whose return value is a reason code (or a tuple with one).
REASON_FUNCTIONS = frozenset({"exclusion_reason", "_why", "exclusion", "open_target", "_admit"})
#: Assignments whose value is a reason code, or a table of them.
REASON_TARGETS = frozenset({"kernel_protection", "_UNAVAILABLE", "_NOTHING_DONE"})


@dataclass(frozen=True, slots=True)
class Bare:
    """A string literal where a reason code is made."""

    line: int
    text: str
    where: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text!r} ({self.where})"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literals(node: ast.expr | None) -> Iterator[ast.expr]:
    """String literals a code expression evaluates to: through ``a if c else b``, ``x or y``,
    tuples, dict values and ``{...}.get(key, default)``; never into other calls."""
    if node is None:
        return
    is_text = isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value
    if is_text or isinstance(node, ast.JoinedStr):
        yield node
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _literals(value)
    elif isinstance(node, ast.Tuple):
        for element in node.elts:
            yield from _literals(element)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _literals(value)
    elif isinstance(node, ast.Call) and _name(node.func) == "get":
        if isinstance(node.func, ast.Attribute):
            yield from _literals(node.func.value)
        for arg in node.args[1:]:
            yield from _literals(arg)


class _Finder(ast.NodeVisitor):
    def __init__(self, error_classes: frozenset[str]) -> None:
        self.error_classes = error_classes
        self.found: list[Bare] = []
        self.sinks = 0
        self._functions: list[str] = []
        # core's exceptions carry a message, not a code (core.errors.ProcessGone shares the
        # helper's class name): calls of names imported from there, or through its module, are
        # not sinks.
        self._core_names: set[str] = set()
        self._core_modules: set[str] = set()

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if node.module == "memwarden.core.errors":
                self._core_names.add(alias.asname or alias.name)
            elif node.module == "memwarden.core" and alias.name == "errors":
                self._core_modules.add(alias.asname or alias.name)

    def _core_error(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self._core_names
        return (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self._core_modules
        )

    def _sink(self, node: ast.expr | None, where: str) -> None:
        self.sinks += 1
        for literal in _literals(node):
            text = literal.value if isinstance(literal, ast.Constant) else ast.unparse(literal)
            self.found.append(Bare(literal.lineno, str(text), where))

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._functions.append(node.name)
        self.generic_visit(node)
        self._functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Return(self, node: ast.Return) -> None:
        if self._functions and self._functions[-1] in REASON_FUNCTIONS:
            self._sink(node.value, f"returned by {self._functions[-1]}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        if self._core_error(node.func):
            self.generic_visit(node)
            return
        position = 0 if name in self.error_classes or name == "cls" else CALL_ARGS.get(name)
        if position is not None and len(node.args) > position:
            self._sink(node.args[position], f"argument of {name}")
        if name == "append" and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if isinstance(target, ast.Name) and target.id == "reasons" and node.args:
                self._sink(node.args[0], "appended to reasons")
        for keyword in node.keywords:
            if keyword.arg in REASON_KEYS:
                self._sink(keyword.value, f"{keyword.arg}= of {name}")
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in REASON_KEYS:
                self._sink(value, f"value of {key.value!r}")
        self.generic_visit(node)

    def _assigned(self, target: ast.expr, value: ast.expr | None) -> None:
        if _name(target) in REASON_TARGETS:
            self._sink(value, f"assigned to {_name(target)}")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assigned(target, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned(node.target, node.value)
        self.generic_visit(node)


def bare_codes(source: str, error_classes: frozenset[str]) -> tuple[list[Bare], int]:
    """The string literals where ``source`` makes a reason code, and how many such places it has.

    Args:
        source: A module's text.
        error_classes: Names of the exception classes whose first argument is a reason code.
    """
    finder = _Finder(error_classes)
    finder.visit(ast.parse(source))
    return finder.found, finder.sinks
