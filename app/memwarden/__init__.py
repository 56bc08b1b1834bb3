# SPDX-License-Identifier: GPL-3.0-or-later
"""MemWarden: a desktop memory guard that sees the memory the OOM killer cannot."""

__version__ = "0.1.0"
