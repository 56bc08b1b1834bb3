# SPDX-License-Identifier: GPL-3.0-or-later
"""The named errors of the helper API, shared by the service (raise) and the client (catch).

Each error carries a *reason code* (``"start-time-mismatch"``), never prose, and optionally the pid
it is about. On the bus the error name selects the class and the message text is
``"<reason>"`` or ``"<reason> pid=<pid>"``, so a client can rebuild the exact exception; the UI
owns the words shown to people.
"""

from __future__ import annotations

import re
from typing import ClassVar

from memwarden.core import reason_codes as codes
from memwarden.helper import constants as c

_MESSAGE_RE = re.compile(r"^(?P<reason>[a-z0-9][a-z0-9-]*)(?: pid=(?P<pid>[0-9]+))?$")


class HelperError(Exception):
    """Base class of every error of the helper API.

    Attributes:
        reason: A reason code such as ``"not-owner"``.
        pid: The process the error is about, when there is one.
    """

    dbus_name: ClassVar[str] = c.ERROR_FAILED

    def __init__(self, reason: str, pid: int | None = None) -> None:
        super().__init__(reason if pid is None else f"{reason} pid={pid}")
        self.reason = reason
        self.pid = pid

    def dbus_message(self) -> str:
        """The text sent as the D-Bus error message: the reason code and the pid, if any."""
        return str(self)


class AccessDenied(HelperError):
    """polkit did not authorize the caller (or could not be asked: fail closed)."""

    dbus_name = c.ERROR_ACCESS_DENIED


class InteractiveAuthorizationRequired(AccessDenied):
    """polkit would authorize after authentication, but the call did not allow interaction."""

    dbus_name = c.ERROR_INTERACTIVE_AUTH_REQUIRED


class InvalidArgument(HelperError):
    """A wrong type, a value out of range, an empty or too long list, a thread id, …"""

    dbus_name = c.ERROR_INVALID_ARGUMENT


class NotOwner(HelperError):
    """The target process does not belong (with all four uids) to the caller."""

    dbus_name = c.ERROR_NOT_OWNER


class ProcessGone(HelperError):
    """The process does not exist, exited, or its pid now names another process."""

    dbus_name = c.ERROR_PROCESS_GONE


class MissingCapability(HelperError):
    """The kernel refused with EACCES/EPERM: the helper lacks a capability (CAP_SYS_RESOURCE)."""

    dbus_name = c.ERROR_MISSING_CAPABILITY


class Busy(HelperError):
    """Not now: too many calls in flight (``sender-busy``, ``helper-busy``), or FreeMemory ran a
    moment ago (``rate-limited``). Nothing was done; the caller may try again later."""

    dbus_name = c.ERROR_BUSY


class Failed(HelperError):
    """An unexpected failure inside the helper; the details are only in the helper's log."""

    dbus_name = c.ERROR_FAILED


class HelperUnavailable(HelperError):
    """Client side only: no system bus, or the helper cannot be activated or did not answer."""

    dbus_name = "io.github.memwarden.Helper1.Error.Unavailable"  # never sent by the service


# Every class that travels over the bus, by D-Bus error name.
ERRORS_BY_DBUS_NAME: dict[str, type[HelperError]] = {
    cls.dbus_name: cls
    for cls in (
        AccessDenied,
        InteractiveAuthorizationRequired,
        InvalidArgument,
        NotOwner,
        ProcessGone,
        MissingCapability,
        Busy,
        Failed,
    )
}


def error_from_dbus(name: str, text: str) -> HelperError | None:
    """Rebuild the exception for a D-Bus error reply, or ``None`` when the name is not ours.

    Errors from the bus itself reuse our names too: the bus daemon sends ``AccessDenied`` when
    its policy rejects a message, with prose in the text; that becomes reason ``"bus-policy"``.
    Any other text that is not a reason code becomes ``"unexpected-error-text"`` (not
    ``"unknown"``, which ``HelperStatus`` uses for "not asked yet").
    """
    cls = ERRORS_BY_DBUS_NAME.get(name)
    if cls is None:
        return None
    match = _MESSAGE_RE.match(text)
    if match is None:
        return cls(codes.BUS_POLICY if cls is AccessDenied else codes.UNEXPECTED_ERROR_TEXT)
    pid = match.group("pid")
    return cls(match.group("reason"), None if pid is None else int(pid))
