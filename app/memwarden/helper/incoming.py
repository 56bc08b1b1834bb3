# SPDX-License-Identifier: GPL-3.0-or-later
"""A size limit on the messages the helper reads, applied before dbus-fast reads them.

dbus-fast reads a whole message into memory and unmarshals all of it before any message handler
sees it: a 3.2 MB SetOomScoreAdj of 200,000 targets raised the helper's peak memory from 27 to
50 MB before the caller shim could refuse it. dbus-daemon's own limit (``max_message_size``, 32 MiB
on the system bus) is bus-wide: a policy file cannot set it for one destination.

So the socket that dbus-fast's reader reads from is wrapped. The wrapper follows the message
framing (D-Bus specification, "Message Format": a fixed 16-byte header holds the body length and
the length of the header fields array) and, for a method call or signal over
``MAX_MESSAGE_BYTES``, passes the header on with a body length of 0 and drops the body as it
arrives, never holding more of it than one ``recv``. dbus-fast then delivers the call without
arguments (and, with no body, without a signature); the wrapper has noted its sender and serial
(read from the header fields with dbus-fast's own unmarshaller), so the caller shim can tell it
from a call that had no arguments and answers it with ``InvalidArgument("message-too-large")``.
A header fields array over
``MAX_HEADER_FIELDS_BYTES`` cannot be passed on without its bytes (it holds the sender and the
signature), so that message is dropped whole, unanswered. Method returns and errors pass
untouched: the bus delivers them only in answer to calls the helper made (to the bus daemon and to
polkitd), and the bus daemon's credentials reply can be large for a user in many groups.
"""

from __future__ import annotations

import collections
import io
import logging
import socket
import struct
import sys
from collections.abc import Callable
from typing import Any, cast

from dbus_fast import BusType, Message, MessageType
from dbus_fast._private.unmarshaller import Unmarshaller
from dbus_fast.aio import MessageBus

from memwarden.dbus_connect import tolerate_full_socket
from memwarden.helper import constants as c

_LOG = logging.getLogger(__name__)

_FIXED_HEADER = 16
# Byte 0: endianness ('l' little, 'B' big); byte 1: message type (1 method call, 4 signal).
_LITTLE = ord("l")
_BIG = ord("B")
_LIMITED_TYPES = (1, 4)
# Calls cut and not yet seen by the shim: dbus-fast hands each one to the handlers right after it
# has read it, so there is at most one at a time; a few more cost nothing.
_NOTED_CALLS = 16


class IncomingLimit:
    """The bus socket as dbus-fast's reader sees it: oversized calls and signals lose their body.

    Only ``recv`` is filtered (dbus-fast reads with it when no file descriptors are negotiated,
    and the helper negotiates none); everything else is the socket's.

    Args:
        sock: The connected bus socket, after authentication (messages only, no SASL lines).
        max_message: Largest method call or signal passed on whole, in bytes.
        max_header_fields: Largest header fields array passed on at all, in bytes.
    """

    __slots__ = (
        "_broken",
        "_cut",
        "_forward",
        "_header",
        "_held",
        "_max_fields",
        "_max_message",
        "_skip",
        "_sock",
    )

    def __init__(
        self,
        sock: socket.socket,
        max_message: int = c.MAX_MESSAGE_BYTES,
        max_header_fields: int = c.MAX_HEADER_FIELDS_BYTES,
    ) -> None:
        self._sock = sock
        self._max_message = max_message
        self._max_fields = max_header_fields
        self._held = b""  # the start of a fixed header, until all 16 bytes are there
        self._forward = 0  # bytes of the current message still to pass on
        self._skip = 0  # bytes of the current message still to drop
        self._broken = False  # not a D-Bus stream: pass everything on, dbus-fast rejects it
        self._header: bytearray | None = None  # the header of a call being cut, while it arrives
        self._cut: collections.deque[tuple[str, int]] = collections.deque(maxlen=_NOTED_CALLS)

    def was_cut(self, msg: Message) -> bool:
        """True (once) when ``msg`` is a method call whose body was dropped here."""
        key = (msg.sender or "", msg.serial)
        if msg.message_type is not MessageType.METHOD_CALL or msg.body or key not in self._cut:
            return False
        self._cut.remove(key)
        return True

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        """Read from the socket; return what dbus-fast may see of it.

        May return up to 15 bytes more than ``bufsize`` (a held fixed header): dbus-fast appends
        whatever it gets. Returns only when it has something to give, at end of stream (``b""``)
        or by raising ``BlockingIOError`` when the socket is empty, as ``socket.recv`` does.
        """
        while True:
            data = self._sock.recv(bufsize, flags)
            if not data or self._broken:
                return data
            out = self._filter(data)
            if out:
                return out

    def _filter(self, data: bytes) -> bytes:
        if self._held:
            data, self._held = self._held + data, b""
        view = memoryview(data)
        out = bytearray()
        pos, end = 0, len(data)
        while pos < end:
            if self._broken:
                out += view[pos:]
                break
            if self._forward:
                n = min(self._forward, end - pos)
                out += view[pos : pos + n]
                self._forward -= n
                if self._header is not None:
                    self._header += view[pos : pos + n]
                    if not self._forward:
                        self._note_cut(bytes(self._header))
                        self._header = None
            elif self._skip:
                n = min(self._skip, end - pos)
                self._skip -= n
            elif end - pos < _FIXED_HEADER:
                self._held = bytes(view[pos:])
                n = end - pos
            else:
                out += self._next_header(bytes(view[pos : pos + _FIXED_HEADER]))
                n = _FIXED_HEADER
            pos += n
        return bytes(out)

    def _next_header(self, fixed: bytes) -> bytes:
        """Decide the fate of the message whose fixed header this is; return what to pass on."""
        if fixed[0] not in (_LITTLE, _BIG):
            self._broken = True
            return fixed
        order = "<" if fixed[0] == _LITTLE else ">"
        body_len, _serial, fields_len = struct.unpack_from(f"{order}III", fixed, 4)
        fields = fields_len + (-fields_len & 7)  # the body starts 8-aligned
        size = _FIXED_HEADER + fields + body_len
        if fixed[1] not in _LIMITED_TYPES or size <= self._max_message:
            self._forward = fields + body_len
            return fixed
        if fields_len > self._max_fields:
            _LOG.debug("dropped a message of %d bytes with %d bytes of header", size, fields_len)
            self._skip = fields + body_len
            return b""
        _LOG.debug("dropped the %d-byte body of a message (limit %d)", body_len, self._max_message)
        self._forward = fields
        self._skip = body_len
        cut = fixed[:4] + struct.pack(f"{order}I", 0) + fixed[8:]
        if fixed[1] == _LIMITED_TYPES[0]:  # a call: note who sent it, once its header is in
            self._header = bytearray(cut)
        return cut

    def _note_cut(self, header: bytes) -> None:
        """Remember the sender and serial of a call whose body is being dropped."""
        try:
            # Typed as BufferedRWPair, but any stream with read() serves (it calls only that).
            msg = Unmarshaller(cast(Any, io.BytesIO(header))).unmarshall()
        except Exception:  # dbus-fast will reject the same bytes and close the connection
            _LOG.exception("could not read the header of an oversized call")
            return
        if msg is not None:
            self._cut.append((msg.sender or "", msg.serial))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


async def connect_limited(
    bus_type: BusType = BusType.SYSTEM, bus_address: str | None = None
) -> tuple[MessageBus, IncomingLimit]:
    """Connect like :func:`memwarden.dbus_connect.connect_bus`, reading through an IncomingLimit.

    dbus-fast builds its reader inside ``MessageBus.connect()``, right after authentication, from
    ``build_message_reader(sock, ...)`` looked up in its ``aio.message_bus`` module; that lookup
    is redirected for the duration of this one connect. The helper makes no other connection, so
    nothing else can be built meanwhile.

    Raises:
        RuntimeError: The dbus-fast in use builds its reader differently (a release that
            changed its internals): better to fail loudly in the tests than to lose the limit.
    """
    module = sys.modules[MessageBus.__module__]
    original: Callable[..., Any] | None = getattr(module, "build_message_reader", None)
    if original is None:
        raise RuntimeError("dbus-fast's message reader changed: review memwarden.helper.incoming")
    build = original
    limits: list[IncomingLimit] = []

    def limited_reader(
        sock: socket.socket, process: Any, finalize: Any, negotiate_unix_fd: bool
    ) -> Any:
        if negotiate_unix_fd:  # then dbus-fast reads with recvmsg, which is not filtered
            raise RuntimeError("IncomingLimit filters recv only: do not negotiate unix fds")
        limits.append(IncomingLimit(sock))
        return build(limits[-1], process, finalize, negotiate_unix_fd)

    setattr(module, "build_message_reader", limited_reader)  # noqa: B010
    try:
        bus = await MessageBus(bus_address=bus_address, bus_type=bus_type).connect()
    finally:
        setattr(module, "build_message_reader", original)  # noqa: B010
    if len(limits) != 1:
        bus.disconnect()
        raise RuntimeError("dbus-fast's message reader changed: review memwarden.helper.incoming")
    return tolerate_full_socket(bus), limits[0]
