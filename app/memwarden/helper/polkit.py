# SPDX-License-Identifier: GPL-3.0-or-later
"""Asking polkit, and failing closed whenever the answer is anything but a clear yes.

The subject is the caller's unique bus name (``system-bus-name``): polkitd resolves it to the
process, user and session through the bus itself, so nothing the caller sends can change who is
checked (polkit(8), "org.freedesktop.PolicyKit1.Authority.CheckAuthorization").
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from memwarden.core import reason_codes as codes
from memwarden.helper.caller import Caller
from memwarden.helper.errors import AccessDenied, InteractiveAuthorizationRequired

_LOG = logging.getLogger(__name__)

_POLKIT_NAME = "org.freedesktop.PolicyKit1"
_POLKIT_PATH = "/org/freedesktop/PolicyKit1/Authority"
_POLKIT_INTERFACE = "org.freedesktop.PolicyKit1.Authority"
# CheckAuthorizationFlags.AllowUserInteraction (polkit's org.freedesktop.PolicyKit1.Authority.xml).
_ALLOW_USER_INTERACTION = 1


class PolkitAuthority:
    """Checks polkit actions for callers on one bus connection.

    Args:
        bus: The helper's (system) bus connection.
    """

    def __init__(self, bus: MessageBus) -> None:
        self._bus = bus

    async def __call__(self, caller: Caller, action: str, details: Mapping[str, str]) -> None:
        """Return if polkit authorizes ``action`` for ``caller``; raise otherwise.

        Interaction (an authentication dialog) is requested only when the caller's message allowed
        it. A challenge that could not be offered becomes ``InteractiveAuthorizationRequired`` so
        the client knows that retrying interactively can succeed.

        Raises:
            InteractiveAuthorizationRequired: polkit would ask for authentication, but the message
                did not allow interaction.
            AccessDenied: not authorized, or polkit could not be asked (reason
                ``polkit-unavailable``) or answered oddly (``polkit-error``).
        """
        flags = _ALLOW_USER_INTERACTION if caller.allow_interactive else 0
        subject = ["system-bus-name", {"name": Variant("s", caller.bus_name)}]
        try:
            reply = await self._bus.call(
                Message(
                    destination=_POLKIT_NAME,
                    path=_POLKIT_PATH,
                    interface=_POLKIT_INTERFACE,
                    member="CheckAuthorization",
                    signature="(sa{sv})sa{ss}us",
                    body=[subject, action, dict(details), flags, ""],
                )
            )
        except Exception:
            _LOG.exception("polkit CheckAuthorization for %s could not be sent", action)
            raise AccessDenied(codes.POLKIT_UNAVAILABLE) from None
        if reply.message_type is MessageType.ERROR:
            _LOG.warning("polkit refused to check %s: %s %s", action, reply.error_name, reply.body)
            raise AccessDenied(codes.POLKIT_UNAVAILABLE)
        authorized, challenge = _parse_result(reply.body)
        _LOG.debug(
            "polkit %s for %s: authorized=%s challenge=%s interactive=%s",
            action,
            caller.bus_name,
            authorized,
            challenge,
            caller.allow_interactive,
        )
        if authorized:
            return
        if challenge and not caller.allow_interactive:
            raise InteractiveAuthorizationRequired(codes.INTERACTIVE_AUTHORIZATION_REQUIRED)
        raise AccessDenied(codes.NOT_AUTHORIZED)


def _parse_result(body: list[Any]) -> tuple[bool, bool]:
    """``(is_authorized, is_challenge)`` from the ``(bba{ss})`` reply; anything odd is a no."""
    try:
        (result,) = body
        authorized, challenge, _details = result
    except (TypeError, ValueError):
        raise AccessDenied(codes.POLKIT_ERROR) from None
    # `is True`, not truthiness: only a real D-Bus boolean true authorizes.
    return authorized is True, challenge is True
