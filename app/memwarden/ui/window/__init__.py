# SPDX-License-Identifier: GPL-3.0-or-later
"""The main window: the apps with their real memory and both rankings, the leftover files, the
settings, and the controller that asks the monitor for what they show.
"""
