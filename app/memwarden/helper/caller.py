# SPDX-License-Identifier: GPL-3.0-or-later
"""The caller shim: dbus-fast method handlers do not learn who called them; this gives them that.

dbus-fast (like dbus-next) calls a ``@dbus_method`` with the message body only, so a method cannot
name its caller to polkit (dbus-next issues #93, #129; PR #144 never merged). The shim is a
low-level message handler (``MessageBus.add_message_handler``, public API) that claims every call
to our interface before dbus-fast's own dispatch sees it, and then, in a task of its own:

1. checks the signature (wrong types become ``InvalidArgument``, not dbus-fast's generic error),
   that the body is there (:mod:`memwarden.helper.incoming` drops oversized ones), and the
   method's cheap argument checks, and bounds the calls in flight, overall and per caller: the
   excess is answered at once with ``Busy``, before any task or polkit check exists;
2. authorizes the method's declared polkit action (or the stronger one its arguments need) for
   the caller's unique bus name;
3. runs the method with the :class:`Caller` in a context variable (:func:`current_caller`),
   which is private to that task, so concurrent calls never see each other's caller;
4. maps :class:`~memwarden.helper.errors.HelperError` to its named D-Bus error and anything else
   to ``Error.Failed`` with reason ``internal-error``: no traceback ever goes over the bus.

Every method of the interface must declare its policy with :func:`requires_action` or
:func:`read_only`; the shim refuses to start otherwise, so a new method cannot be exported
without a decision about authorization. The ``ServiceInterface`` is still exported, for
introspection, but its methods are only ever reached through the shim; reached any other way they
fail closed, because :func:`current_caller` raises ``AccessDenied`` when no caller is set.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from dbus_fast import Message, MessageFlag, MessageType
from dbus_fast.service import ServiceInterface

from memwarden.core import reason_codes as codes
from memwarden.helper import constants as c
from memwarden.helper.errors import AccessDenied, Busy, Failed, HelperError, InvalidArgument

_LOG = logging.getLogger(__name__)

_POLICY_ATTR = "_memwarden_helper_policy"
_FnT = TypeVar("_FnT", bound=Callable[..., Any])

DetailsFn = Callable[..., Mapping[str, str]]
PrecheckFn = Callable[..., None]
NeedsFn = Callable[..., bool]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent the method call being handled.

    Attributes:
        bus_name: The caller's unique bus name (``":1.42"``): the polkit subject. The bus daemon
            sets it, so it cannot be forged.
        allow_interactive: True when the message carries ``ALLOW_INTERACTIVE_AUTHORIZATION``: only
            then may polkit start an authentication dialog.
    """

    bus_name: str
    allow_interactive: bool


@dataclass(frozen=True, slots=True)
class MethodPolicy:
    """The authorization a method needs: a polkit action id, or ``None`` for read-only calls.

    Attributes:
        action: The polkit action id.
        details: polkit details from the arguments (see :func:`requires_action`).
        precheck: Cheap checks of the arguments, run before polkit is asked.
        stronger: ``(action, needs)``: the action asked for instead of ``action`` when
            ``needs(*arguments)`` is true.
    """

    action: str | None
    details: DetailsFn | None = None
    precheck: PrecheckFn | None = None
    stronger: tuple[str, NeedsFn] | None = None

    @property
    def actions(self) -> frozenset[str]:
        """Every action a call of the method may be checked against."""
        found = {self.action, self.stronger[0] if self.stronger else None}
        return frozenset(a for a in found if a is not None)

    def action_for(self, body: list[Any]) -> str | None:
        """The action to check for these arguments. A ``needs`` that fails asks the stronger."""
        if self.stronger is None:
            return self.action
        stronger, needs = self.stronger
        try:
            return stronger if needs(*body) else self.action
        except Exception:
            _LOG.exception("choosing the polkit action failed; asking for %s", stronger)
            return stronger


class Authorizer(Protocol):
    """Checks a polkit action for a caller; raises ``AccessDenied`` (or a subclass) to refuse."""

    def __call__(
        self, caller: Caller, action: str, details: Mapping[str, str]
    ) -> Awaitable[None]: ...


_CALLER: ContextVar[Caller] = ContextVar("memwarden_helper_caller")


def current_caller() -> Caller:
    """The caller of the method call being handled.

    Raises:
        AccessDenied: called outside a call dispatched by the shim (fail closed).
    """
    try:
        return _CALLER.get()
    except LookupError:
        raise AccessDenied(codes.NO_CALLER) from None


def requires_action(
    action: str,
    details: DetailsFn | None = None,
    *,
    precheck: PrecheckFn | None = None,
    stronger: tuple[str, NeedsFn] | None = None,
) -> Callable[[_FnT], _FnT]:
    """Declare the polkit action a mutating method needs (put it right under ``@dbus_method``).

    Args:
        action: The polkit action id (from :mod:`memwarden.helper.constants`).
        details: Optional function of the method's arguments that returns polkit *details*
            (``action.lookup(key)`` in rules). It sees unvalidated input and must not raise.
        precheck: Optional function of the method's arguments that raises a
            :class:`~memwarden.helper.errors.HelperError` for what no authorization could make
            valid (a list too long, a value out of range). It runs before polkit is asked and
            before the call counts as in flight, so it must be cheap and must not block.
        stronger: Optional ``(action, needs)``: when ``needs(*arguments)`` is true, that action
            is checked instead of ``action`` (e.g. protecting below the floor).
    """

    def mark(fn: _FnT) -> _FnT:
        setattr(fn, _POLICY_ATTR, MethodPolicy(action, details, precheck, stronger))
        return fn

    return mark


def read_only(fn: _FnT) -> _FnT:
    """Declare that a method changes nothing and needs no polkit action."""
    setattr(fn, _POLICY_ATTR, MethodPolicy(None))
    return fn


@dataclass(frozen=True, slots=True)
class _Entry:
    fn: Callable[..., Awaitable[Any]]
    in_signature: str
    out_signature: str
    n_out: int
    policy: MethodPolicy


def method_policies(interface: ServiceInterface) -> dict[str, MethodPolicy]:
    """The declared policy of every D-Bus method of ``interface``, by member name.

    Raises:
        ValueError: a method declares no policy, is not a coroutine function, or its Python name
            differs from its D-Bus name.
    """
    return {name: entry.policy for name, entry in _entries(interface).items()}


def _entries(interface: ServiceInterface) -> dict[str, _Entry]:
    entries: dict[str, _Entry] = {}
    for method in interface.introspect().methods:
        attr = getattr(type(interface), method.name, None)
        if attr is None:
            raise ValueError(f"{method.name}: Python name must equal the D-Bus member name")
        fn = inspect.unwrap(attr)
        policy = getattr(fn, _POLICY_ATTR, None)
        if not isinstance(policy, MethodPolicy):
            raise ValueError(f"{method.name}: declare @requires_action(...) or @read_only")
        if not inspect.iscoroutinefunction(fn):
            raise ValueError(f"{method.name}: must be a coroutine function")
        entries[method.name] = _Entry(
            fn=fn,
            in_signature=method.in_signature,
            out_signature=method.out_signature,
            n_out=len(method.out_args),
            policy=policy,
        )
    return entries


class CallerShim:
    """Message handler that dispatches one exported interface with the caller known.

    Install it with ``bus.add_message_handler(shim)`` *before* requesting the bus name, so that no
    call can reach dbus-fast's own dispatch first.

    Args:
        path: The object path the interface is exported at.
        interface: The exported interface; its methods read :func:`current_caller`.
        authorize: Called before every method that has an action; raises to refuse.
        send: Sends a reply (``bus.send``).
        on_busy: Optional callback, True when a call starts and False when it ends (idle exit).
        max_in_flight: Calls in flight at most, from all callers together.
        max_per_sender: Calls in flight at most from one caller (unique bus name).
        was_cut: Tells a call whose body was dropped for its size
            (:meth:`memwarden.helper.incoming.IncomingLimit.was_cut`).
    """

    def __init__(
        self,
        path: str,
        interface: ServiceInterface,
        authorize: Authorizer,
        send: Callable[[Message], object],
        on_busy: Callable[[bool], None] | None = None,
        *,
        max_in_flight: int = c.MAX_CALLS_IN_FLIGHT,
        max_per_sender: int = c.MAX_CALLS_PER_SENDER,
        was_cut: Callable[[Message], bool] | None = None,
    ) -> None:
        self._path = path
        self._interface = interface
        self._entries = _entries(interface)
        self._authorize = authorize
        self._send = send
        self._on_busy = on_busy
        self._max_in_flight = max_in_flight
        self._max_per_sender = max_per_sender
        self._was_cut = was_cut
        self._tasks: set[asyncio.Task[None]] = set()
        self._per_sender: dict[str, int] = {}

    def __call__(self, msg: Message) -> Message | bool:
        """Claim calls to our interface; leave everything else (Introspect, Peer, …) to dbus-fast.

        A call without an interface field (allowed by the D-Bus specification) that names one of
        our members is claimed too, so it cannot slip past authorization. A call whose body was
        dropped for its size is answered here, whatever it was for.
        """
        if msg.message_type is not MessageType.METHOD_CALL:
            return False
        if self._was_cut is not None and self._was_cut(msg):
            return _refuse(msg, InvalidArgument(codes.MESSAGE_TOO_LARGE))
        if msg.path != self._path or msg.interface not in (self._interface.name, None):
            return False
        entry = self._entries.get(msg.member or "")
        if entry is None:
            return False
        if msg.signature != entry.in_signature:
            return _refuse(msg, InvalidArgument(codes.BAD_SIGNATURE))
        if entry.policy.precheck is not None:
            try:
                entry.policy.precheck(*msg.body)
            except HelperError as exc:
                return _refuse(msg, exc)
            except Exception:
                _LOG.exception("%s: argument check failed", msg.member)
                return _refuse(msg, Failed(codes.INTERNAL_ERROR))
        sender = msg.sender or ""
        busy = self._admit(sender)
        if busy is not None:
            return _refuse(msg, Busy(busy))
        if self._on_busy is not None:
            self._on_busy(True)
        task = asyncio.ensure_future(self._dispatch(entry, msg))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    def _admit(self, sender: str) -> str | None:
        """Count a call in; or the Busy reason when a bound is reached (then nothing counts)."""
        if len(self._tasks) >= self._max_in_flight:
            return codes.HELPER_BUSY
        if self._per_sender.get(sender, 0) >= self._max_per_sender:
            return codes.SENDER_BUSY
        self._per_sender[sender] = self._per_sender.get(sender, 0) + 1
        return None

    def _release(self, sender: str) -> None:
        left = self._per_sender.pop(sender, 1) - 1
        if left > 0:
            self._per_sender[sender] = left

    @property
    def in_flight(self) -> int:
        """Calls being handled now."""
        return len(self._tasks)

    async def _dispatch(self, entry: _Entry, msg: Message) -> None:
        caller = Caller(
            bus_name=msg.sender or "",
            allow_interactive=bool(msg.flags & MessageFlag.ALLOW_INTERACTIVE_AUTHORIZATION),
        )
        # This task runs in its own copy of the context: the variable is private to this call.
        _CALLER.set(caller)
        try:
            reply = await self._invoke(entry, msg, caller)
        finally:
            self._release(caller.bus_name)
            if self._on_busy is not None:
                self._on_busy(False)
        if _expects_reply(msg):
            self._send(reply)

    async def _invoke(self, entry: _Entry, msg: Message, caller: Caller) -> Message:
        try:
            action = entry.policy.action_for(msg.body)
            if action is not None:
                details = _safe_details(entry.policy.details, msg.body)
                await self._authorize(caller, action, details)
            result = await entry.fn(self._interface, *msg.body)
            if entry.n_out == 0:
                body: list[Any] = []
            elif entry.n_out == 1:
                body = [result]
            else:
                body = list(result)
            return Message.new_method_return(msg, entry.out_signature, body)
        except HelperError as exc:
            _LOG.info("%s from %s: %s %s", msg.member, caller.bus_name, exc.dbus_name, exc)
            return Message.new_error(msg, exc.dbus_name, exc.dbus_message())
        except Exception:
            # The traceback goes to our log (the journal), never to the caller.
            _LOG.exception("%s from %s failed", msg.member, caller.bus_name)
            error = Failed(codes.INTERNAL_ERROR)
            return Message.new_error(msg, error.dbus_name, error.dbus_message())

    async def drain(self) -> None:
        """Wait until every call in flight has been answered."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def _safe_details(fn: DetailsFn | None, body: list[Any]) -> Mapping[str, str]:
    if fn is None:
        return {}
    try:
        return dict(fn(*body))
    except Exception:
        _LOG.exception("polkit details function failed; asking without details")
        return {}


def _expects_reply(msg: Message) -> bool:
    return not msg.flags & MessageFlag.NO_REPLY_EXPECTED


def _refuse(msg: Message, error: HelperError) -> Message | bool:
    """Answer a call at once (returned to dbus-fast, which sends it), or claim it silently."""
    _LOG.debug("%s from %s: %s %s", msg.member, msg.sender, error.dbus_name, error)
    if _expects_reply(msg):
        return Message.new_error(msg, error.dbus_name, error.dbus_message())
    return True
