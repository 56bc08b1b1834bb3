# SPDX-License-Identifier: GPL-3.0-or-later
"""The privileged D-Bus system service: polkit-checked, tiny surface."""
