# SPDX-License-Identifier: GPL-3.0-or-later
"""Every name the monitor's session API is known by: bus name, object path, interface, errors.

One module (like :mod:`memwarden.helper.constants`) so that the service, its clients (the tray),
the committed ``packaging/dbus/<BUS_NAME>.xml`` and the tests cannot drift apart. It imports
nothing from D-Bus, so a client can use the names without the service's code (the rules come from
:mod:`memwarden.core.rule_codes`, which imports nothing).
"""

from __future__ import annotations

from typing import Final

from memwarden.core import reason_codes as codes
from memwarden.core import rule_codes

BUS_NAME: Final = "io.github.memwarden.Monitor1"
OBJECT_PATH: Final = "/io/github/memwarden/Monitor1"
INTERFACE: Final = "io.github.memwarden.Monitor1"

#: The tray's single-instance name (``memwarden.ui.link.single_instance``): its owner is MemWarden.
TRAY_BUS_NAME: Final = "io.github.memwarden.MemWarden"

# Named errors; the message text is always a reason code (never prose, never a traceback).
ERROR_PREFIX: Final = f"{INTERFACE}.Error"
ERROR_INVALID_ARGUMENT: Final = f"{ERROR_PREFIX}.InvalidArgument"
ERROR_NO_SUCH_APP: Final = f"{ERROR_PREFIX}.NoSuchApp"
ERROR_REFUSED: Final = f"{ERROR_PREFIX}.Refused"
ERROR_FAILED: Final = f"{ERROR_PREFIX}.Failed"
ALL_ERRORS: Final = frozenset(
    {ERROR_INVALID_ARGUMENT, ERROR_NO_SUCH_APP, ERROR_REFUSED, ERROR_FAILED}
)

#: The rules SetAppRule accepts ("prefer" is the UI's "sacrifice first"), spelled once for the
#: monitor, the config and the UI.
RULES: Final = rule_codes.RULES

#: Values of the State property.
STATES: Final = ("calm", "warning", "critical")

#: The ``reason`` of a Killed signal and of a ``killed`` event for a CloseApp call.
REASON_USER_REQUEST: Final = codes.USER_REQUEST
