# SPDX-License-Identifier: GPL-3.0-or-later
"""The errors of the monitor's D-Bus API, and the checks of its callers' arguments.

Every method maps its failures to one of four named errors whose message is a reason code
(``dbus_constants.ERROR_*``), for a setting followed by ``: `` and its key; anything unexpected
is logged here and answered with ``Failed("internal-error")``, never with a traceback.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar

from dbus_fast.errors import DBusError
from dbus_fast.service import ServiceInterface

from memwarden.core import reason_codes as codes
from memwarden.monitor import dbus_constants as c

log = logging.getLogger(__name__)

#: Longest accepted rule name (app ids, names and process names are far shorter).
MAX_NAME_LEN = 256


class ApiError(Exception):
    """A failure the caller should see as a named D-Bus error with a reason code."""

    dbus_name: ClassVar[str] = c.ERROR_FAILED
    quiet: ClassVar[bool] = False

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        #: What the reason is about (a setting's key), sent after it as ``<reason>: <detail>``: a
        #: reason code never holds ": " (the XML's conventions).
        self.detail = detail

    @property
    def message(self) -> str:
        """The D-Bus error's message: the reason code, and its detail if any."""
        return f"{self.reason}: {self.detail}" if self.detail else self.reason


class InvalidArgument(ApiError):
    """An empty or malformed name, an unknown rule, a setting that cannot be used (its reason
    code, ``: `` and the key: ``out-of-range: close_percent``)."""

    dbus_name = c.ERROR_INVALID_ARGUMENT


class NoSuchApp(ApiError):
    """No app has that id (or it exited before it could be closed)."""

    dbus_name = c.ERROR_NO_SUCH_APP


class Refused(ApiError):
    """The guard said no: ``protected``, ``session``, ``other-user``, ``init``, ``self``;
    ``no-config-file`` (a monitor started with ``--no-config`` keeps no settings to change)."""

    dbus_name = c.ERROR_REFUSED


class Failed(ApiError):
    """The call could not be carried out: ``not-saved`` (the settings file could not be
    written; nothing changed)."""

    dbus_name = c.ERROR_FAILED


class Busy(ApiError):
    """More callers wait for the same answer than their replies may take memory for: ``busy``.

    Answered as ``Failed``, at once: the caller may try again, and the monitor's memory (locked,
    and small on purpose) does not grow with a flood of callers.
    """

    dbus_name = c.ERROR_FAILED
    #: One refusal per caller of a flood would flood the log too: logged at debug level only.
    quiet: ClassVar[bool] = True


_F = TypeVar("_F", bound=Callable[..., Awaitable[Any]])


def map_errors(fn: _F) -> _F:
    """Turn an ApiError into its named D-Bus error, and anything else into ``Failed``."""

    @functools.wraps(fn)
    async def wrapper(self: ServiceInterface, *args: Any) -> Any:
        try:
            return await fn(self, *args)
        except ApiError as exc:
            level = logging.DEBUG if exc.quiet else logging.INFO
            log.log(level, "D-Bus %s refused: %s %s", fn.__name__, exc.dbus_name, exc.message)
            raise DBusError(exc.dbus_name, exc.message) from None
        except DBusError:
            raise
        except Exception:
            log.exception("D-Bus %s failed", fn.__name__)
            raise DBusError(c.ERROR_FAILED, codes.INTERNAL_ERROR) from None

    return wrapper  # type: ignore[return-value]


def valid_name(name: str) -> str:
    """A rule name, stripped; raises InvalidArgument for an empty, long or control-laden one."""
    name = name.strip()
    if not name:
        raise InvalidArgument(codes.EMPTY_NAME)
    if len(name) > MAX_NAME_LEN:
        raise InvalidArgument(codes.NAME_TOO_LONG)
    if not name.isprintable():
        raise InvalidArgument(codes.BAD_NAME)
    return name
