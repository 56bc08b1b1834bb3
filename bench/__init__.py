# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmarks (`make bench`): ratios measured in one run. Not tests: they assert nothing."""
