# SPDX-License-Identifier: GPL-3.0-or-later
"""The PySide6 tray app, a client of the monitor's D-Bus API.

Four subpackages, with one-way doors between them (tests/arch/test_layering.py):

- ``words``: what the UI says (reason codes and figures as translated sentences); it loads none of
  the others.
- ``link``: the link to the monitor and the session bus; it loads none of the others.
- ``window`` and ``tray``: what the person sees; they load ``link`` and ``words``, and the tray
  opens the window.

Window and tray take the same two forms. A *controller* (``window/controller.py``,
``tray/controller.py``) is the QObject that holds the state and talks to the monitor through
``link``. *Presenters* (``*_presenter.py``) are modules of pure functions: a snapshot and the
monitor's properties in, plain data and sentences out; no widget, no call. Widgets show what
those give and forward what the person does.
"""
