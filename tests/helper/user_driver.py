# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs as a test user (Debian's python + dbus-fast): performs helper calls, prints JSON lines.

Usage: ``user_driver.py '<json list of ops>'``; one JSON object per op on stdout. Ops:

* ``{"op": "client", "method": "set_oom_score_adj", "processes": [[pid, start]], "value": v,
  "interactive": false}`` (also ``free_memory``, ``get_version``, ``get_capabilities``,
  ``is_installed``): through :class:`memwarden.helper.client.HelperClient`; prints
  ``{"ok": result}`` or ``{"error": "NotOwner", "reason": "...", "pid": n}``.
* ``{"op": "raw", "interface": ..., "member": ..., "signature": ..., "body": [...],
  "flags": 0}``: a hand-made call to the helper; prints ``{"type": "return", "body": ...}`` or
  ``{"type": "error", "name": ..., "text": ...}``.
  ``"targets": n`` instead of ``"body"`` sends SetOomScoreAdj for pids 1..n (made here: such a
  list is too long for a command line).
* ``{"op": "agent", "password": "...", "call": {<client op>}}``: registers ``pkttyagent`` for this
  process on a pseudo-terminal, makes the call and types the password if (and only if) the agent
  asks; adds ``"prompted": true/false`` to the result.
* ``{"op": "flood", "connections": 6, "calls": 120, <raw op's fields>}``: each connection pipelines
  ``calls`` calls at once, round after round; prints ``{"round": n}`` after each round and stops
  after the round during which stdin was closed. Prints the count of each answer (``"<error name>
  <text>"``, ``"return"`` or ``"exception <type>"``) and the unique names that answered.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import pty
import subprocess
import sys
import termios
import time
from typing import Any

from dbus_fast import BusType, Message, MessageFlag, MessageType
from dbus_fast.aio import MessageBus

from memwarden.core.process import ProcessKey
from memwarden.helper import constants as c
from memwarden.helper.client import HelperClient
from memwarden.helper.errors import HelperError


async def client_op(client: HelperClient, op: dict[str, Any]) -> dict[str, Any]:
    method = op["method"]
    interactive = bool(op.get("interactive", False))
    try:
        if method == "set_oom_score_adj":
            refs = [ProcessKey(pid, start) for pid, start in op["processes"]]
            await client.set_oom_score_adj(refs, op["value"], interactive=interactive)
            result: Any = None
        elif method == "free_memory":
            freed = await client.free_memory(interactive=interactive)
            result = [freed.available_before_kib, freed.available_after_kib]
        elif method == "get_version":
            result = await client.get_version()
        elif method == "get_capabilities":
            result = sorted(await client.get_capabilities())
        elif method == "is_installed":
            result = await client.is_installed()
        else:
            raise ValueError(method)
    except HelperError as exc:
        return {"error": type(exc).__name__, "reason": exc.reason, "pid": exc.pid}
    return {"ok": result}


def raw_message(op: dict[str, Any]) -> Message:
    body = op.get("body", [])
    if "targets" in op:
        body = [[[pid, 1] for pid in range(1, op["targets"] + 1)], op.get("value", 1)]
    return Message(
        destination=op.get("destination", c.BUS_NAME),
        path=op.get("path", c.OBJECT_PATH),
        interface=op.get("interface", c.INTERFACE),
        member=op["member"],
        signature="a(ut)i" if "targets" in op else op.get("signature", ""),
        body=body,
        flags=MessageFlag(op.get("flags", 0)),
    )


async def raw_op(op: dict[str, Any]) -> dict[str, Any]:
    bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
    try:
        reply = await bus.call(raw_message(op))
    finally:
        bus.disconnect()
    if reply.message_type is MessageType.ERROR:
        return {"type": "error", "name": reply.error_name, "text": (reply.body or [""])[0]}
    return {"type": "return", "signature": reply.signature, "body": reply.body}


def answer_key(reply: Message | BaseException) -> str:
    if isinstance(reply, BaseException):
        return f"exception {type(reply).__name__}"
    if reply.message_type is MessageType.ERROR:
        return f"{reply.error_name} {(reply.body or [''])[0]}"
    return "return"


async def flood_op(op: dict[str, Any]) -> dict[str, Any]:
    conns = [await MessageBus(bus_type=BusType.SYSTEM).connect() for _ in range(op["connections"])]
    stop = asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    answers: dict[str, int] = {}
    senders: set[str] = set()
    rounds = 0
    try:
        while not stop.done():
            replies = await asyncio.gather(
                *(bus.call(raw_message(op)) for bus in conns for _ in range(op["calls"])),
                return_exceptions=True,
            )
            for reply in replies:
                key = answer_key(reply)
                answers[key] = answers.get(key, 0) + 1
                if isinstance(reply, Message) and reply.sender:
                    senders.add(reply.sender)
            rounds += 1
            print(json.dumps({"round": rounds}), flush=True)
    finally:
        for bus in conns:
            bus.disconnect()
    return {"rounds": rounds, "answers": answers, "senders": sorted(senders)}


async def agent_op(client: HelperClient, op: dict[str, Any]) -> dict[str, Any]:
    await client.connect()  # the agent is registered for this process; connect first
    master, slave = pty.openpty()

    def controlling_tty() -> None:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    ready_r, ready_w = os.pipe()
    agent = subprocess.Popen(
        ["pkttyagent", "--process", str(os.getpid()), "--notify-fd", str(ready_w)],
        stdin=slave, stdout=slave, stderr=slave, preexec_fn=controlling_tty,
        pass_fds=(ready_w,),
    )  # fmt: skip
    os.close(ready_w)
    os.read(ready_r, 1)  # EOF once the agent is registered
    os.close(ready_r)
    loop = asyncio.get_running_loop()
    call = asyncio.ensure_future(client_op(client, op["call"]))
    output = b""
    prompted = False
    os.set_blocking(master, False)
    try:
        while not call.done():
            try:
                output += os.read(master, 4096)
            except BlockingIOError:
                await asyncio.sleep(0.02)
                continue
            if b"assword" in output and not prompted:
                prompted = True
                # pkttyagent turns echo off (TCSAFLUSH) before reading: typing earlier can be
                # flushed away, so wait for ECHO off first.
                deadline = time.monotonic() + 10
                while termios.tcgetattr(slave)[3] & termios.ECHO and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)
                os.write(master, op["password"].encode() + b"\n")
        result = await call
    finally:
        agent.terminate()
        await loop.run_in_executor(None, agent.wait)
        os.close(master)
        os.close(slave)
    result["prompted"] = prompted
    return result


async def main(ops: list[dict[str, Any]]) -> None:
    client = HelperClient(timeout_s=30)
    try:
        for op in ops:
            if op["op"] == "client":
                result = await client_op(client, op)
            elif op["op"] == "raw":
                result = await raw_op(op)
            elif op["op"] == "flood":
                result = await flood_op(op)
            elif op["op"] == "agent":
                result = await agent_op(client, op)
            else:
                raise ValueError(op["op"])
            print(json.dumps(result), flush=True)
    finally:
        client.close()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
