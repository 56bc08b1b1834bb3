# SPDX-License-Identifier: GPL-3.0-or-later
"""Numbers as a person reads them: sizes in binary units, percentages, time left.

Pure functions (QtCore only, for QLocale and translations). Every function takes an optional
``QLocale`` so tests can pin the format; the default is the application's locale, so a German
desktop reads ``3,4 GiB``.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

_IEC = QLocale.DataSizeFormat.DataSizeIecFormat


def human_size(n: int | None, locale: QLocale | None = None) -> str:
    """``3.4 GiB``, ``340 MiB``, ``12 KiB``: one decimal below 10 units, none above; ``0`` for 0.

    ``None`` (the machine could not tell) reads ``?``.
    """
    if n is None:
        return "?"
    if n == 0:
        return "0"
    loc = locale if locale is not None else QLocale()
    value, power = float(abs(n)), 0
    while value >= 1024 and power < 6:
        value /= 1024
        power += 1
    # A value that rounds up to 10.0 is printed without decimals, like the rest above 10.
    precision = 1 if power and round(value, 1) < 10 else 0
    return loc.formattedDataSize(n, precision, _IEC)


def rate(bytes_per_s: int, locale: QLocale | None = None) -> str:
    """A growth rate: ``48 MiB/s``."""
    return QCoreApplication.translate("Formatting", "%1/s", "bytes per second").replace(
        "%1", human_size(bytes_per_s, locale)
    )


def percent(value: float, locale: QLocale | None = None, decimals: int = 0) -> str:
    """``15 %`` or ``15%`` as the language writes it."""
    loc = locale if locale is not None else QLocale()
    number = loc.toString(float(value), "f", decimals)
    return QCoreApplication.translate("Formatting", "%1%", "a percentage").replace("%1", number)


def duration(seconds: float, locale: QLocale | None = None) -> str:
    """A span of time rounded as a person would say it: ``45 s``, ``about 3 min``, ``2 h``."""
    loc = locale if locale is not None else QLocale()
    s = max(0.0, seconds)
    if s < 90:
        return QCoreApplication.translate("Formatting", "%1 s", "seconds").replace(
            "%1", loc.toString(round(s))
        )
    if s < 90 * 60:
        return QCoreApplication.translate("Formatting", "about %1 min").replace(
            "%1", loc.toString(round(s / 60))
        )
    return QCoreApplication.translate("Formatting", "about %1 h").replace(
        "%1", loc.toString(round(s / 3600))
    )


def time_left(eta_seconds: float | None, locale: QLocale | None = None) -> str:
    """When memory would run out at the current rate, from the monitor's ``EtaSeconds``.

    The monitor sends ``-1`` (and a snapshot ``None``) when memory is not falling.
    """
    if eta_seconds is None or eta_seconds < 0:
        return QCoreApplication.translate("Formatting", "not running out")
    if eta_seconds < 1:
        return QCoreApplication.translate("Formatting", "now")
    return QCoreApplication.translate("Formatting", "in %1").replace(
        "%1", duration(eta_seconds, locale)
    )


def number(value: int, locale: QLocale | None = None) -> str:
    """An integer with the language's digit grouping."""
    loc = locale if locale is not None else QLocale()
    return loc.toString(value)
