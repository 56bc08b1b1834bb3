# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading the config file without trusting what is at its path, and off the event loop.

``config.toml`` is whatever the user's home holds at that name, and a plain ``read_text`` follows
it anywhere: a symlink to a FIFO made the monitor hang at start for more than ten minutes (an
``open`` for reading waits for a writer, fifo(7)), and one to ``/dev/zero`` made it read until
MemoryError. So the file is opened with

* ``O_NOFOLLOW``: a symlink as the last component fails with ``ELOOP`` (open(2)), and is refused
  by name, since where it points can change under us;
* ``O_NONBLOCK``: a FIFO then opens at once instead of waiting (fifo(7)); it is refused next;

and it must be a regular file (``fstat`` on the open descriptor: what we read is what we checked)
of at most :data:`MAX_CONFIG_BYTES`. Reading stops one byte past that, because the file can grow
between the ``fstat`` and the ``read``.

The read itself runs in a worker thread (:class:`ReadAhead`, :func:`in_worker_thread`), so even a
file on a stalled filesystem cannot stall the ticks that guard the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

import platformdirs

T = TypeVar("T")

log = logging.getLogger(__name__)

#: The largest config file read. A file with every setting and a few hundred app rules is a few
#: KiB; a MiB leaves room for comments and keeps a hostile file's cost bounded.
MAX_CONFIG_BYTES = 1 << 20

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def default_config_path() -> Path:
    """``$XDG_CONFIG_HOME/memwarden/config.toml`` (platformdirs)."""
    return Path(platformdirs.user_config_dir("memwarden")) / "config.toml"


class UnusableConfigFile(Exception):
    """The path holds something that is not a config file; the message says what, for a person."""


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_config_bytes(path: Path) -> bytes:
    """The bytes of the regular file at ``path`` (at most :data:`MAX_CONFIG_BYTES`).

    Raises:
        FileNotFoundError: Nothing is at ``path``.
        UnusableConfigFile: A symlink, a FIFO, a device, a directory, or a file that is too big.
        OSError: Any other reason it cannot be read (permissions, I/O).
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and os.path.islink(path):
            raise UnusableConfigFile(
                f"{path} is a symbolic link (to {_target(path)}); MemWarden reads only a regular "
                "file there"
            ) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnusableConfigFile(f"{path} is {_kind(st.st_mode)}, not a regular file")
        if st.st_size > MAX_CONFIG_BYTES:
            raise UnusableConfigFile(_too_big(path, f"{st.st_size} bytes"))
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_CONFIG_BYTES:
            chunk = os.read(fd, MAX_CONFIG_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_CONFIG_BYTES:
            raise UnusableConfigFile(_too_big(path, "it grew while read"))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _too_big(path: Path, size: str) -> str:
    return f"{path} is larger than {MAX_CONFIG_BYTES // (1 << 20)} MiB ({size})"


async def in_worker_thread(fn: Callable[[], T]) -> T:
    """Run ``fn`` in a thread of its own and wait for its result without blocking the loop.

    A daemon thread, not ``asyncio.to_thread``: ``asyncio.run`` joins the default executor's
    threads when the loop ends, so a read stuck on a hung filesystem would keep the monitor from
    exiting on SIGTERM. A daemon thread ends with the process.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(ok: bool, value: object) -> None:
        if future.done():  # the waiter was cancelled meanwhile
            return
        if ok:
            future.set_result(value)  # type: ignore[arg-type]
        else:
            future.set_exception(value)  # type: ignore[arg-type]

    def work() -> None:
        try:
            outcome: tuple[bool, object] = (True, fn())
        except BaseException as exc:  # handed to the waiter, raised there
            outcome = (False, exc)
        with contextlib.suppress(RuntimeError):  # the loop closed while we worked
            loop.call_soon_threadsafe(deliver, *outcome)

    threading.Thread(target=work, name="memwarden-config-read", daemon=True).start()
    return await future


class ReadAhead(Generic[T]):
    """Runs ``read`` in a worker thread and keeps its result until it is taken.

    At most one thread runs at a time: one stuck on a hung filesystem is not joined by more.
    """

    def __init__(self, read: Callable[[], T]) -> None:
        self._read = read
        self._result: T | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start a read unless one is running (the result arrives later: :meth:`peek`)."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name="memwarden-config-read", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._read()  # one assignment: the loop sees the old value or this
        except Exception:  # nothing to hand over; the next start() tries again
            log.exception("reading ahead")

    async def run(self) -> None:
        """Read now in a thread of its own, and wait for it without blocking the loop."""
        self._result = await in_worker_thread(self._read)

    def peek(self) -> T | None:
        """The last result, if not taken yet."""
        return self._result

    def take(self) -> T | None:
        """The last result, once."""
        result, self._result = self._result, None
        return result
