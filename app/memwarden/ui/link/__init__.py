# SPDX-License-Identifier: GPL-3.0-or-later
"""The UI's link to the monitor and the session bus: D-Bus calls and their errors, the client
that mirrors the monitor's properties and signals, the launcher that keeps a monitor running, one
tray per session, and asyncio inside Qt's loop.
"""
