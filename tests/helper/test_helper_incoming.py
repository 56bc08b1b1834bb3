# SPDX-License-Identifier: GPL-3.0-or-later
"""IncomingLimit: the size limit applied to the byte stream before dbus-fast reads it.

Real messages go through the wrapper in chunks of every size, and dbus-fast's own unmarshaller
reads what comes out. Most are marshalled by dbus-fast; the calls that carry a sender (which
only the bus daemon adds) are built by hand, in both byte orders, as other client libraries may
send them. The real-bus attack is in test_helper_hardening.py.
"""

from __future__ import annotations

import io
import struct
from typing import Any, cast

import pytest
from dbus_fast import Message, MessageType
from dbus_fast._private.unmarshaller import Unmarshaller

from memwarden.helper.incoming import IncomingLimit

LIMIT = 1024
FIELDS_LIMIT = 512


class ChunkedSocket:
    """A socket that returns ``data`` ``size`` bytes per recv, then EAGAIN."""

    def __init__(self, data: bytes, size: int) -> None:
        self.chunks = [data[i : i + size] for i in range(0, len(data), size)]

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        if not self.chunks:
            raise BlockingIOError
        return self.chunks.pop(0)


def call(serial: int, body_bytes: int, sender: str = ":1.7", path: str = "/p") -> bytes:
    msg = Message(
        destination="io.github.memwarden.Helper1",
        path=path,
        interface="io.github.memwarden.Helper1",
        member="Take",
        signature="ay",
        body=[b"x" * body_bytes],
        serial=serial,
        sender=sender,
    )
    return bytes(msg._marshall(False))


def reply(serial: int, body_bytes: int) -> bytes:
    msg = Message(
        message_type=MessageType.METHOD_RETURN,
        reply_serial=1,
        destination=":1.1",
        signature="ay",
        body=[b"r" * body_bytes],
        serial=serial,
        sender="org.freedesktop.DBus",
    )
    return bytes(msg._marshall(False))


def signal(serial: int, body_bytes: int) -> bytes:
    msg = Message.new_signal("/p", "test.Iface", "Sig", "ay", [b"s" * body_bytes])
    msg.serial = serial
    return bytes(msg._marshall(False))


def handmade_call(order: str, serial: int, body_bytes: int, sender: str) -> bytes:
    """A method call as the bus delivers it, ``order`` "<" or ">" (D-Bus spec, "Message Format")."""
    fields = bytearray()
    for code, sig, value in ((1, "o", "/p"), (3, "s", "Take"), (7, "s", sender), (8, "g", "ay")):
        fields += b"\0" * (-(16 + len(fields)) % 8)  # each field struct is 8-aligned
        fields += bytes([code, 1]) + sig.encode() + b"\0"
        if sig == "g":
            fields += bytes([len(value)]) + value.encode() + b"\0"
        else:
            fields += b"\0" * (-(16 + len(fields)) % 4)
            fields += struct.pack(f"{order}I", len(value)) + value.encode() + b"\0"
    endian = b"l" if order == "<" else b"B"
    header = (
        endian + b"\x01\x00\x01" + struct.pack(f"{order}III", 4 + body_bytes, serial, len(fields))
    )
    message = header + fields + b"\0" * (-(16 + len(fields)) % 8)
    return message + struct.pack(f"{order}I", body_bytes) + b"b" * body_bytes


def through(data: bytes, chunk: int) -> tuple[IncomingLimit, list[Message]]:
    """Feed ``data`` through an IncomingLimit; unmarshal what dbus-fast would have got."""
    limit = IncomingLimit(
        cast(Any, ChunkedSocket(data, chunk)), max_message=LIMIT, max_header_fields=FIELDS_LIMIT
    )
    out = bytearray()
    while True:
        try:
            out += limit.recv(4096)
        except BlockingIOError:
            break
    stream = io.BytesIO(bytes(out))
    messages = []
    unmarshaller = Unmarshaller(cast(Any, stream))
    while stream.tell() < len(out):
        message = unmarshaller.unmarshall()
        assert message is not None
        messages.append(message)
    return limit, messages


@pytest.mark.parametrize("chunk", [1, 3, 8, 15, 16, 17, 100, 1000, 4096, 1 << 20])
def test_oversized_calls_and_signals_lose_their_body_and_nothing_else_changes(chunk: int) -> None:
    stream = b"".join(
        [
            call(1, 10),
            handmade_call("<", 2, 50_000, ":1.7"),  # over the limit: its body goes
            reply(3, 50_000),  # a reply to our own call: untouched
            signal(4, 50_000),  # a signal over the limit: its body goes
            call(5, LIMIT // 2),
            call(6, 10, path="/" + "a" * 2000),  # header fields over their limit: dropped whole
            handmade_call(">", 7, 50_000, ":1.9"),
            handmade_call("<", 8, 20, ":1.9"),
        ]
    )
    limit, messages = through(stream, chunk)
    assert [(m.serial, m.message_type, len(m.body[0]) if m.body else None) for m in messages] == [
        (1, MessageType.METHOD_CALL, 10),
        (2, MessageType.METHOD_CALL, None),
        (3, MessageType.METHOD_RETURN, 50_000),
        (4, MessageType.SIGNAL, None),
        (5, MessageType.METHOD_CALL, LIMIT // 2),
        (7, MessageType.METHOD_CALL, None),
        (8, MessageType.METHOD_CALL, 20),
    ]
    assert [m.sender for m in messages] == [None, ":1.7", None, None, None, ":1.9", ":1.9"]
    assert messages[5].member == "Take" and messages[5].path == "/p"
    # The cut calls are known by sender and serial, once; nothing else is.
    assert not limit.was_cut(Message(path="/p", member="Take", serial=2, sender=":1.8"))
    cut = {m.serial: limit.was_cut(m) for m in messages}
    assert cut == {1: False, 2: True, 3: False, 4: False, 5: False, 7: True, 8: False}
    assert not any(limit.was_cut(m) for m in messages)


def test_end_of_stream_and_an_empty_socket_are_passed_on() -> None:
    class Closed:
        def recv(self, bufsize: int, flags: int = 0) -> bytes:
            return b""

    assert IncomingLimit(cast(Any, Closed())).recv(4096) == b""
    # All of the data was a held partial header: the reader is told to wait, not EOF.
    limit = IncomingLimit(cast(Any, ChunkedSocket(call(1, 10)[:10], 10)))
    with pytest.raises(BlockingIOError):
        limit.recv(4096)


def test_a_stream_that_is_not_d_bus_is_passed_on_for_dbus_fast_to_reject() -> None:
    garbage = b"GET / HTTP/1.1\r\n\r\n" * 4
    limit = IncomingLimit(cast(Any, ChunkedSocket(garbage, 7)))
    out = bytearray()
    with pytest.raises(BlockingIOError):
        while True:
            out += limit.recv(4096)
    assert bytes(out) == garbage
