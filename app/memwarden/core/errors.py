# SPDX-License-Identifier: GPL-3.0-or-later
"""The few exceptions core raises, so callers never have to know about errno values.

OS errors are translated at the boundary (the thin ``read_*`` functions): a process that exits
mid-scan is normal and becomes :class:`ProcessGone`; a file we may not read becomes
:class:`AccessDenied`. Parsers raise only :class:`ParseError`.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager


class CoreError(Exception):
    """Base class of every error core raises on purpose."""


class ProcessGone(CoreError):
    """The process exited (or its pid was reused) while we were looking at it."""


class PidReused(ProcessGone):
    """The pid names another process now than the one the key named: their start times differ
    (:class:`memwarden.core.process.ProcessKey`)."""


class AccessDenied(CoreError):
    """The kernel refused to show us this file (other uid, non-dumpable process, …)."""


class ParseError(CoreError, ValueError):
    """A /proc or /sys file did not have the documented format."""


@contextmanager
def translate_os_errors() -> Iterator[None]:
    """Map the OS errors of reading a /proc/PID file to :class:`ProcessGone`/:class:`AccessDenied`.

    ``ESRCH`` appears when reading a file of a zombie that was just reaped; ``ENOENT`` when the
    /proc/PID directory is gone; both mean the process is gone.
    """
    try:
        yield
    except (FileNotFoundError, ProcessLookupError) as exc:
        raise ProcessGone(str(exc)) from exc
    except PermissionError as exc:
        raise AccessDenied(str(exc)) from exc
    except OSError as exc:
        if exc.errno in (errno.ESRCH, errno.ENOENT):
            raise ProcessGone(str(exc)) from exc
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise AccessDenied(str(exc)) from exc
        raise
