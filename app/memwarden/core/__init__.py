# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure-Python accounting and policy: reads /proc and /sys, no Qt, no D-Bus."""
