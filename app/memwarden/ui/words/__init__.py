# SPDX-License-Identifier: GPL-3.0-or-later
"""What the UI says: reason codes and figures turned into translated sentences, sizes and times
as a person reads them, names made safe to show, and the translations themselves.
"""
