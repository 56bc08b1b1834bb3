# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray: its icon, menu, notifications and the "running out of memory" prompt, and the
controller that ties them to the monitor's signals and the person's choices.
"""
