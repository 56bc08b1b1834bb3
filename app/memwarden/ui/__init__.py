# SPDX-License-Identifier: GPL-3.0-or-later
"""The PySide6 tray app, a client of the monitor's D-Bus API."""
