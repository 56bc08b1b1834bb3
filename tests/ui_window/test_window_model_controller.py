# SPDX-License-Identifier: GPL-3.0-or-later
"""The apps model, its sort/filter proxy and the window controller, without widgets: fed by the
real snapshot through the client double."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from window_doubles import FakeMonitorClient
from window_scene import APP_NAMES as SCENE_APP_NAMES

from memwarden.ui.link.app_rules import rule_name
from memwarden.ui.link.monitor_calls import MonitorError
from memwarden.ui.window.apps_model import (
    APP_ID_ROLE,
    RULE_ROLE,
    SORT_ROLE,
    AppsFilterProxy,
    AppsTableModel,
    Column,
)
from memwarden.ui.window.controller import WindowController
from memwarden.ui.words.formatting import human_size
from memwarden.ui.words.messages import error_words

GiB = 1 << 30


def names(model: Any, column: int = Column.NAME) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def scene_names(model: Any) -> list[str]:
    """The names of the scene's own apps among the rows (window_scene.py)."""
    return [name for name in names(model) if name in SCENE_APP_NAMES]


def row_of(model: Any, name: str) -> int:
    return names(model).index(name)


# -- model ----------------------------------------------------------------------------------------


def test_model_shows_every_app_with_real_figures(qapp: Any, doc: dict[str, Any]) -> None:
    model = AppsTableModel()
    model.set_apps(doc["apps"])
    assert model.rowCount() == len(doc["apps"]) and model.columnCount() == len(Column)
    r = row_of(model, "Photo Indexer")
    hog = doc["apps"][[a["name"] for a in doc["apps"]].index("Photo Indexer")]
    cell = lambda c, role=Qt.ItemDataRole.DisplayRole: model.index(r, c).data(role)  # noqa: E731
    assert cell(Column.KIND) == "App"
    assert cell(Column.TOTAL) == human_size(hog["bytes"]["total"])
    assert cell(Column.SHMEM) == human_size(hog["bytes"]["shmem"])
    assert cell(Column.DMABUF) == "–"  # none: a dash, not "0"
    assert cell(Column.KERNEL_RANK) == f"#{hog['kernel_rank']}"
    assert cell(Column.MEMWARDEN_RANK) == f"#{hog['memwarden_rank']}"
    assert cell(Column.DIFFERENCE).endswith("lower")
    assert cell(Column.DIFFERENCE, Qt.ItemDataRole.ForegroundRole) is not None  # highlighted
    assert cell(Column.RULE) == "Normal"
    assert cell(Column.TOTAL, SORT_ROLE) == hog["bytes"]["total"]
    assert cell(Column.NAME, APP_ID_ROLE) == hog["id"]
    assert "Hidden from the kernel" in cell(Column.TOTAL, Qt.ItemDataRole.ToolTipRole)
    game = row_of(model, "SuperTuxKart")
    assert model.index(game, Column.KIND).data() == "Game"
    assert model.index(game, Column.DIFFERENCE).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.headerData(Column.SHMEM, Qt.Orientation.Horizontal) == "Shared\nfiles"
    assert "kernel" in model.headerData(
        Column.KERNEL_RANK, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )


def test_refresh_keeps_rows_and_persistent_indexes(qapp: Any, doc: dict[str, Any]) -> None:
    model = AppsTableModel()
    model.set_apps(doc["apps"])
    keep = QPersistentModelIndex(model.index(row_of(model, "SuperTuxKart"), Column.NAME))
    removed: list[int] = []
    inserted: list[int] = []
    model.rowsRemoved.connect(lambda _p, first, last: removed.append(last - first + 1))
    model.rowsInserted.connect(lambda _p, first, last: inserted.append(last - first + 1))

    later = copy.deepcopy(doc["apps"])
    gone = next(a for a in later if a["name"] == "Notes")
    later.remove(gone)
    new = copy.deepcopy(gone) | {"id": "org.example.New", "name": "New App"}
    later.append(new)
    game = next(a for a in later if a["name"] == "SuperTuxKart")
    game["bytes"]["total"] += GiB
    model.set_apps(later)

    assert removed == [1] and inserted == [1]
    assert "Notes" not in names(model) and "New App" in names(model)
    assert keep.isValid() and keep.data() == "SuperTuxKart"
    assert model.index(keep.row(), Column.TOTAL).data(SORT_ROLE) == game["bytes"]["total"]


def test_rules_are_the_monitors_and_editing_asks_for_the_rule_name(
    qapp: Any, doc: dict[str, Any]
) -> None:
    model = AppsTableModel()
    game = next(a for a in doc["apps"] if a["name"] == "SuperTuxKart")
    # The monitor's decision, whatever the names: the model shows it and never matches names.
    game.update(rule="protect", rule_source="/opt/games/launcher")
    model.set_apps(doc["apps"])
    r = row_of(model, "SuperTuxKart")
    assert model.index(r, Column.RULE).data() == "Protect"
    assert model.index(r, Column.RULE).data(RULE_ROLE) == "protect"
    assert "Protected by your rule “/opt/games/launcher”." in model.index(r, Column.RULE).data(
        Qt.ItemDataRole.ToolTipRole
    )
    requests: list[tuple[str, str]] = []
    model.ruleRequested.connect(lambda app_id, rule: requests.append((app_id, rule)))

    index = model.index(r, Column.RULE)
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(r, Column.NAME)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(index, "explode")
    assert model.setData(index, "protect") and requests == []  # it is protected already
    assert model.setData(index, "prefer")
    assert requests == [(game["id"], "prefer")]
    # Not shown until the monitor says so: the name saved may not be the one that protects it.
    assert index.data() == "Protect"
    later = copy.deepcopy(doc["apps"])
    next(a for a in later if a["name"] == "SuperTuxKart").update(
        rule="prefer", rule_source=rule_name(game)
    )
    model.set_apps(later)
    assert index.data() == "Sacrifice first" and index.data(RULE_ROLE) == "prefer"


def test_proxy_sorts_numbers_as_numbers_and_filters(qapp: Any, doc: dict[str, Any]) -> None:
    model = AppsTableModel()
    model.set_apps(doc["apps"])
    proxy = AppsFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.TOTAL, Qt.SortOrder.DescendingOrder)
    totals = [proxy.index(r, Column.TOTAL).data(SORT_ROLE) for r in range(proxy.rowCount())]
    assert totals == sorted(totals, reverse=True)
    assert proxy.index(0, Column.TOTAL).data(SORT_ROLE) == max(
        a["bytes"]["total"] for a in doc["apps"]
    )

    proxy.sort(Column.KERNEL_RANK, Qt.SortOrder.AscendingOrder)
    ranks = [proxy.index(r, Column.KERNEL_RANK).data(SORT_ROLE) for r in range(proxy.rowCount())]
    assert ranks == sorted(ranks)

    # The scan is of the whole machine: another test's "game.py" may be running beside the
    # scene, so only the scene's own apps are compared.
    proxy.set_text("tux")
    assert scene_names(proxy) == ["SuperTuxKart"]
    proxy.set_text("GAME")  # the kind, in words
    assert scene_names(proxy) == ["SuperTuxKart"]
    proxy.set_text("")
    proxy.set_only_misjudged(True)
    assert "Photo Indexer" in names(proxy) and "SuperTuxKart" not in names(proxy)
    proxy.set_only_misjudged(False)
    assert proxy.rowCount() == model.rowCount()
    assert proxy.filterAcceptsRow(0, QModelIndex())


def test_sizes_between_2_and_4_gib_sort_as_numbers(qapp: Any, doc: dict[str, Any]) -> None:
    """3778564096 bytes (between 2**31 and 2**32) sorted below 5 when Qt got it as an unsigned
    int; the test machine's own apps hit it whenever one held 2–4 GiB."""
    sizes = (3_778_564_096, 5, 7, 2**31 + 5, 2**40)
    apps = [dict(doc["apps"][i % len(doc["apps"])], id=f"app-{i}") for i in range(len(sizes))]
    for app, total in zip(apps, sizes, strict=True):
        app["bytes"] = {**app["bytes"], "total": total}
    model = AppsTableModel()
    model.set_apps(apps)
    proxy = AppsFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.TOTAL, Qt.SortOrder.AscendingOrder)
    totals = [proxy.index(r, Column.TOTAL).data(SORT_ROLE) for r in range(proxy.rowCount())]
    assert totals == sorted(sizes)


# -- controller ------------------------------------------------------------------------------------


def test_presenter_loads_the_snapshot_and_says_the_status(
    qtbot: Any, client: FakeMonitorClient, doc: dict[str, Any]
) -> None:
    controller = WindowController(client)
    with qtbot.waitSignal(controller.snapshotChanged):
        controller.activate()
    assert controller.active
    assert controller.apps.rowCount() == len(doc["apps"])
    assert controller.orphans() == doc["orphans"]
    capacity = doc["system"]["mem_total"] + doc["system"]["swap_total"]
    assert controller.capacity_bytes() == capacity

    status = controller.status()
    assert status.level == "calm" and status.headline == "Memory is fine"
    available = client.properties["AvailableBytes"]
    assert (
        status.available == f"{human_size(available)} of {human_size(capacity)} free (RAM and swap)"
    )
    assert status.time_left == "Not running out at this rate"
    victim = controller.app_name(client.properties["NextVictim"])
    assert status.next_victim == f"First to close if memory runs out: {victim}"
    assert status.paused == ""
    assert len(controller.history) == 1

    client.announce(State="warning", EtaSeconds=200.0, Paused=True, PressureSomeAvg10=12.5)
    status = controller.status()
    assert status.headline == "Memory is running low"
    assert status.time_left == "Runs out in about 3 min"
    assert "12.5%" in status.pressure
    assert status.paused.startswith("Paused")
    assert controller.history.latest().some_pct == 12.5  # type: ignore[union-attr]

    controller.deactivate()
    assert not controller.active
    qtbot.waitUntil(lambda: not controller.pending())


def test_presenter_sets_rules_through_the_monitor_and_shows_its_next_snapshot(
    qtbot: Any, client: FakeMonitorClient, doc: dict[str, Any]
) -> None:
    controller = WindowController(client)
    controller.apply_snapshot(doc)
    game = next(a for a in doc["apps"] if a["name"] == "SuperTuxKart")

    def shown() -> str:
        apps = controller.apps
        return str(apps.index(row_of(apps, "SuperTuxKart"), Column.RULE).data())

    assert shown() == "Normal"
    with qtbot.waitSignal(controller.message) as said:
        controller.apps.setData(
            controller.apps.index(row_of(controller.apps, "SuperTuxKart"), Column.RULE), "protect"
        )
    assert ("set_rule", rule_name(game), "protect") in client.calls
    assert client.properties["AppRules"] == {rule_name(game): "protect"}
    assert said.args[0].startswith("SuperTuxKart: MemWarden never closes this app")
    # The controller asked for a snapshot after the call: the monitor's decision shows.
    qtbot.waitUntil(lambda: shown() == "Protect")
    assert client.calls[-1] == ("get_snapshot",)
    app = controller.apps.app_at(row_of(controller.apps, "SuperTuxKart"))
    assert (app["rule"], app["rule_source"]) == ("protect", rule_name(game))

    # A refusal: the person hears why, and the row keeps the monitor's rule.
    client.failures["set_rule"] = MonitorError("bad-name", "io.github.memwarden.Monitor1.Error.X")
    with qtbot.waitSignal(controller.message) as said:
        controller.apps.setData(
            controller.apps.index(row_of(controller.apps, "SuperTuxKart"), Column.RULE), "prefer"
        )
    assert (
        said.args[0] == "Could not change SuperTuxKart: The app's name cannot be used for a rule."
    )
    qtbot.waitUntil(lambda: not controller.pending())
    assert shown() == "Protect"


def test_a_snapshot_on_its_way_when_the_rules_change_is_followed_by_another(
    qtbot: Any, client: FakeMonitorClient
) -> None:
    """A snapshot asked for before a rule was set may predate it: one more is asked for."""
    controller = WindowController(client)
    controller.activate()  # a snapshot is on its way
    assert controller.pending()
    client.announce(AppRules={"org.example.Other": "protect"})
    qtbot.waitUntil(lambda: not controller.pending())
    assert client.calls.count(("get_snapshot",)) == 2
    controller.deactivate()


def test_presenter_offline_and_back(qtbot: Any, client: FakeMonitorClient) -> None:
    controller = WindowController(client)
    controller.activate()
    qtbot.waitUntil(lambda: controller.snapshot is not None)
    client.go_away()
    status = controller.status()
    assert status.level == "offline"
    assert status.headline == "Not guarding: the monitor is not running"

    controller.refresh()
    qtbot.waitUntil(lambda: not controller.pending())
    assert controller.last_error == "The monitor is not running."
    with qtbot.waitSignal(controller.snapshotChanged):
        client.come_back()  # the controller asks again at once
    assert controller.last_error is None
    assert controller.status().level == "calm"
    controller.deactivate()
    qtbot.waitUntil(lambda: not controller.pending())


def test_error_words() -> None:
    assert error_words(MonitorError("protected")).startswith("It is protected")
    assert error_words(MonitorError("brand-new-code")) == (
        "The monitor could not do it (brand-new-code)."
    )
    assert error_words(RuntimeError("boom")) == "Something went wrong while talking to the monitor."
