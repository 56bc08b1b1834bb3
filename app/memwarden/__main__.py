# SPDX-License-Identifier: GPL-3.0-or-later
"""``python -m memwarden``: the same as the ``memwarden`` command."""

from memwarden.cli import main

raise SystemExit(main())
