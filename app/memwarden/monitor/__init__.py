# SPDX-License-Identifier: GPL-3.0-or-later
"""The watcher/killer process: headless, small, exports the session-bus API."""
