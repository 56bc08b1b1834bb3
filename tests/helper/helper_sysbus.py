# SPDX-License-Identifier: GPL-3.0-or-later
"""A real system bus + real polkitd + the helper's packaging files + test users, for tests.

Works on a machine without systemd and without a running bus (CI: Debian 12, root): if no system
bus answers, one is started (``dbus-daemon --system``, the distribution's config, so our bus
policy file is applied for real and activation goes through the setuid launch helper); if
polkitd does not own its name it is started by hand, so that ``polkit.log()`` from rules lands in
a file. A bus or polkitd that was already there is reused and left running.

What it changes on the machine, and undoes in :meth:`SystemBusFixture.down`:

* installs ``packaging/polkit/<bus>.policy``, ``packaging/dbus/<bus>.conf``, the activation file
  (the committed one with ``Exec=`` pointing at this checkout), test rules and the example rules
  into the system directories, backing up any file it would replace;
* creates test users and groups.

Every step is recorded in a manifest under :data:`RUN_DIR` before it is done, so a run that was
killed is cleaned up by the next one. A lock serializes concurrent test sessions on one machine
(they would fight over the same files and users).
"""

from __future__ import annotations

import contextlib
import fcntl
import grp
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memwarden.helper import constants as c

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
RUN_DIR = Path("/run/memwarden-test-sysbus")
LOCK_PATH = Path("/run/lock/memwarden-test-sysbus.lock")
# The test users' interpreter: Debian's python (the project venv lives under /root, which they
# cannot enter) with dbus-fast. Kept between runs: creating it costs seconds, checking it does not.
USERS_VENV = Path(os.environ.get("MEMWARDEN_TEST_USERS_VENV", "/var/cache/memwarden-tests/venv"))
SYSTEM_PYTHON = Path("/usr/bin/python3")
POLKITD = Path("/usr/lib/polkit-1/polkitd")
SYSTEM_BUS_SOCKET = Path("/run/dbus/system_bus_socket")
SYSTEM_BUS_PIDFILE = Path("/run/dbus/pid")

POLICY_TARGET = Path("/usr/share/polkit-1/actions") / f"{c.BUS_NAME}.policy"
CONF_TARGET = Path("/usr/share/dbus-1/system.d") / f"{c.BUS_NAME}.conf"
SERVICE_TARGET = Path("/usr/share/dbus-1/system-services") / f"{c.BUS_NAME}.service"
RULES_TARGET = Path("/etc/polkit-1/rules.d/10-memwarden-test.rules")
EXAMPLE_RULES_TARGET = Path("/etc/polkit-1/rules.d/11-memwarden-test-example.rules")

# How long the activated helper stays without calls in tests: short, so the idle exit is
# exercised between tests and a stray helper never outlives a run by long.
TEST_IDLE_TIMEOUT_S = 3

PROTECT_GROUP = "mwtest-protect"
EXAMPLE_GROUP = "mwtest-rules-example"
AUTH_PASSWORD = "mwtest-auth-secret"

# The rules the tests rely on. Without logind nobody is in an active session, so the policy's
# defaults (allow_active, everything else no) say no to everyone; these rules decide per user.
# mwtest-active stands for the person in the active local session: it gets exactly what the
# installed policy's allow_active says (ACTIVE_DEFAULTS, filled in by rules_for_tests()).
TEST_RULES = f"""\
// SPDX-License-Identifier: GPL-3.0-or-later
// Installed by MemWarden's tests (tests/helper/helper_sysbus.py) and removed after them.
var ACTIVE_DEFAULTS = @ACTIVE_DEFAULTS@;
polkit.addRule(function(action, subject) {{
    if (action.id.indexOf("io.github.memwarden.helper.") != 0) return;
    polkit.log("memwarden-test rule: " + action.id + " user=" + subject.user
               + " score_adj=" + action.lookup("score_adj"));
    if (subject.user == "mwtest-denied") return polkit.Result.NO;
    if (subject.user == "mwtest-auth") return polkit.Result.AUTH_SELF;
    if (subject.user == "mwtest-active") return ACTIVE_DEFAULTS[action.id];
    if (subject.isInGroup("{PROTECT_GROUP}")) return polkit.Result.YES;
}});
"""


def rules_for_tests(policy: Path) -> str:
    """TEST_RULES with each action's ``allow_active`` from ``policy`` (polkit.Result strings)."""
    actions = ET.parse(policy).getroot().iter("action")
    active = {a.get("id"): (a.findtext("defaults/allow_active") or "").strip() for a in actions}
    return TEST_RULES.replace("@ACTIVE_DEFAULTS@", json.dumps(active, sort_keys=True))


@dataclass(frozen=True)
class HelperTestUser:
    """A throw-away local user the tests act as."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    groups: tuple[str, ...] = ()
    password: str | None = None

    @property
    def uid(self) -> int:
        return pwd.getpwnam(self.name).pw_uid

    @property
    def gid(self) -> int:
        return pwd.getpwnam(self.name).pw_gid

    @property
    def extra_gids(self) -> list[int]:
        return [grp.getgrnam(g).gr_gid for g in self.groups]


ALLOWED = HelperTestUser("mwtest-allowed", (PROTECT_GROUP,))
DENIED = HelperTestUser("mwtest-denied")
NORULE = HelperTestUser("mwtest-norule")
AUTH = HelperTestUser("mwtest-auth", password=AUTH_PASSWORD)
EXAMPLE = HelperTestUser("mwtest-example", (EXAMPLE_GROUP,))
ACTIVE = HelperTestUser("mwtest-active")
USERS = (ALLOWED, DENIED, NORULE, AUTH, EXAMPLE, ACTIVE)


class BringUpError(RuntimeError):
    """The test system bus could not be brought up; the message says which step failed."""


def run(
    *cmd: str | Path, check: bool = True, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run a command, capture its output; raise BringUpError with that output when it fails."""
    proc = subprocess.run(
        [str(a) for a in cmd], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and proc.returncode != 0:
        raise BringUpError(f"{' '.join(map(str, cmd))}: rc={proc.returncode}\n{proc.stderr}")
    return proc


def wait_for(what: str, probe: Callable[[], object], timeout_s: float = 15.0) -> None:
    """Poll ``probe()`` every 50 ms until it is truthy; BringUpError after ``timeout_s``.

    An exception from the probe counts as "not yet".
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if probe():
                return
        time.sleep(0.05)
    raise BringUpError(f"timed out waiting for {what}")


def bus_call(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``dbus-send --system --print-reply`` to the bus daemon itself."""
    return run(
        "dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus", *args, check=check, timeout=10,
    )  # fmt: skip


def system_bus_answers() -> bool:
    return bus_call("org.freedesktop.DBus.GetId", check=False).returncode == 0


def name_owner_pid(name: str) -> int | None:
    """The pid of the connection owning ``name`` on the system bus, or None."""
    proc = bus_call(
        "org.freedesktop.DBus.GetConnectionUnixProcessID", f"string:{name}", check=False
    )
    if proc.returncode != 0:
        return None
    return int(proc.stdout.split()[-1])


def process_is(pid: int, needle: str) -> bool:
    """True when ``pid`` is alive and its command line contains ``needle`` (pid-reuse guard)."""
    try:
        return needle in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


def stop_process(pid: int, needle: str, timeout_s: float = 5.0) -> None:
    """SIGTERM ``pid`` if it still runs ``needle``, SIGKILL after ``timeout_s``."""
    if not process_is(pid, needle):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not process_is(pid, needle):
            return
        # Our own children must be reaped or they stay zombies (cmdline of a zombie is empty).
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@dataclass
class Manifest:
    """What this harness changed on the machine, persisted after every change."""

    installed: list[dict[str, str | None]] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    system_bus_pid: int | None = None
    polkitd_pid: int | None = None

    PATH = RUN_DIR / "manifest.json"

    def save(self) -> None:
        tmp = self.PATH.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.__dict__))
        tmp.replace(self.PATH)

    @classmethod
    def load(cls) -> Manifest | None:
        try:
            return cls(**json.loads(cls.PATH.read_text()))
        except (OSError, ValueError, TypeError):
            return None


class SystemBusFixture:
    """Brings the system bus, polkitd, packaging files and test users up, and down again."""

    def __init__(self) -> None:
        self.manifest = Manifest()
        self._lock_fd = -1
        self.polkitd_log = RUN_DIR / "polkitd.log"
        self.helper_log = RUN_DIR / "helper.log"
        self.app_dir = RUN_DIR / "app"
        self.driver = RUN_DIR / "user_driver.py"
        self.users_python = USERS_VENV / "bin" / "python"
        self._polkitd: subprocess.Popen[bytes] | None = None
        self._system_bus: subprocess.Popen[bytes] | None = None

    # ---- lock ---------------------------------------------------------------------------------

    def _lock(self, timeout_s: float = 900.0) -> None:
        LOCK_PATH.parent.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(LOCK_PATH, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BringUpError(f"another test session holds {LOCK_PATH}") from None
                time.sleep(0.2)

    def _unlock(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = -1

    # ---- up -----------------------------------------------------------------------------------

    def up(self) -> None:
        """Bring everything up (idempotent on a warm machine). Raises BringUpError."""
        for tool in ("dbus-daemon", "dbus-send", "pkaction", "pkcheck", "pkttyagent", "useradd"):
            if shutil.which(tool) is None:
                raise BringUpError(f"{tool} not found: install tests/debian-packages.txt")
        if not POLKITD.exists():
            raise BringUpError(f"{POLKITD} not found: install polkitd")
        self._lock()
        try:
            stale = Manifest.load()
            if stale is not None:  # a killed run left its changes: undo them first
                self._undo(stale)
            RUN_DIR.mkdir(mode=0o755, exist_ok=True)
            os.chmod(RUN_DIR, 0o755)
            self.manifest.save()
            self._install_files()
            self._create_users()
            self._prepare_users_python()
            self._start_system_bus()
            self._start_polkitd()
            self._wait_until_ready()
        except BaseException:
            self.down()
            raise

    def _install(self, target: Path, content: str) -> None:
        backup: str | None = None
        if target.exists() and target.read_text(errors="replace") != content:
            backup_path = RUN_DIR / "backup" / str(target).strip("/").replace("/", "__")
            backup_path.parent.mkdir(exist_ok=True)
            shutil.copy2(target, backup_path)
            backup = str(backup_path)
        self.manifest.installed.append({"path": str(target), "backup": backup})
        self.manifest.save()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(content)
        os.chmod(tmp, 0o644)
        tmp.replace(target)

    def activation_file(self) -> str:
        """The committed activation file with Exec= running this checkout's helper.

        Only Exec= changes and SystemdService= goes (see below); the rest stays as committed.

        The launch helper clears the environment, so the interpreter, PYTHONPATH and the log
        redirection are spelled out; the log goes to a file so a failing test can print it.
        """
        exec_line = (
            f"Exec=/bin/sh -c 'PYTHONPATH={REPO / 'app'} exec {sys.executable} -m"
            f" memwarden.helper.service --verbose --idle-timeout {TEST_IDLE_TIMEOUT_S}"
            f" 2>>{self.helper_log}'"
        )
        committed = (PACKAGING / "dbus" / f"{c.BUS_NAME}.service").read_text()
        lines = [exec_line if ln.startswith("Exec=") else ln for ln in committed.splitlines()]
        # SystemdService= would make a systemd-run bus (a developer's machine) ask systemd for a
        # unit that is not installed; the tests exercise dbus-daemon's own activation.
        return "\n".join(ln for ln in lines if not ln.startswith("SystemdService=")) + "\n"

    def _install_files(self) -> None:
        self._install(POLICY_TARGET, (PACKAGING / "polkit" / f"{c.BUS_NAME}.policy").read_text())
        self._install(CONF_TARGET, (PACKAGING / "dbus" / f"{c.BUS_NAME}.conf").read_text())
        self._install(SERVICE_TARGET, self.activation_file())
        self._install(RULES_TARGET, rules_for_tests(PACKAGING / "polkit" / f"{c.BUS_NAME}.policy"))
        example = (PACKAGING / "polkit" / f"{c.BUS_NAME}.rules.example").read_text()
        marker = 'var GROUP = "memwarden";'
        if marker not in example:
            raise BringUpError(f"example rules no longer contain {marker!r}")
        example = example.replace(marker, f'var GROUP = "{EXAMPLE_GROUP}";')
        self._install(EXAMPLE_RULES_TARGET, example)
        # The helper (root) runs this checkout in place; the test users import the client from
        # a world-readable copy, since a clone under /root is closed to them.
        if self.app_dir.exists():
            shutil.rmtree(self.app_dir)
        src = REPO / "app" / "memwarden"
        dst = self.app_dir / "memwarden"
        dst.mkdir(parents=True)
        shutil.copy2(src / "__init__.py", dst / "__init__.py")
        for sub in ("core", "helper"):
            shutil.copytree(src / sub, dst / sub, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(Path(__file__).with_name("user_driver.py"), self.driver)
        for path in (self.app_dir, self.driver, *self.app_dir.rglob("*")):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        self.helper_log.touch(mode=0o600)

    def _create_users(self) -> None:
        for group in (PROTECT_GROUP, EXAMPLE_GROUP):
            if not _group_exists(group):
                self.manifest.groups.append(group)
                self.manifest.save()
                run("groupadd", group)
        for user in USERS:
            if not _user_exists(user.name):
                self.manifest.users.append(user.name)
                self.manifest.save()
                args = ["useradd", "--no-create-home", "--shell", "/bin/sh"]
                if user.groups:
                    args += ["--groups", ",".join(user.groups)]
                run(*args, user.name)
            if user.password is not None:
                proc = subprocess.run(
                    ["chpasswd"], input=f"{user.name}:{user.password}\n", text=True,
                    capture_output=True, timeout=30, check=False,
                )  # fmt: skip
                if proc.returncode != 0:
                    raise BringUpError(f"chpasswd: {proc.stderr}")

    def _prepare_users_python(self) -> None:
        from importlib.metadata import version

        wanted = version("dbus-fast")
        probe = [
            str(self.users_python), "-c",
            "from importlib.metadata import version; print(version('dbus-fast'))",
        ]  # fmt: skip
        if self.users_python.exists():
            got = subprocess.run(probe, capture_output=True, text=True, check=False)
            if got.returncode == 0 and got.stdout.strip() == wanted:
                return
            shutil.rmtree(USERS_VENV)
        old_umask = os.umask(0o022)  # the test users must be able to read and run it
        try:
            USERS_VENV.parent.mkdir(parents=True, exist_ok=True)
            run(SYSTEM_PYTHON, "-m", "venv", USERS_VENV, timeout=300)
            run(
                USERS_VENV / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check",
                "--root-user-action=ignore", f"dbus-fast=={wanted}", timeout=600,
            )  # fmt: skip
        finally:
            os.umask(old_umask)

    def _start_system_bus(self) -> None:
        if system_bus_answers():
            bus_call("org.freedesktop.DBus.ReloadConfig")  # our policy + activation file
            return
        SYSTEM_BUS_PIDFILE.parent.mkdir(parents=True, exist_ok=True)
        # dbus-daemon refuses to start while a pid file exists; a dead bus leaves one behind.
        SYSTEM_BUS_PIDFILE.unlink(missing_ok=True)
        # --nofork keeps it our child, so we reap it: PID 1 here is no init and would leave a
        # forked daemon a zombie after it is stopped.
        with open(RUN_DIR / "system-bus.log", "ab") as log:
            self._system_bus = subprocess.Popen(
                ["dbus-daemon", "--system", "--nofork"], stdin=subprocess.DEVNULL,
                stdout=log, stderr=log, start_new_session=True,
            )  # fmt: skip
        self.manifest.system_bus_pid = self._system_bus.pid
        self.manifest.save()
        wait_for("the system bus", system_bus_answers)

    def _start_polkitd(self) -> None:
        if name_owner_pid("org.freedesktop.PolicyKit1") is not None:
            return
        with open(self.polkitd_log, "ab") as log:
            proc = subprocess.Popen(
                [POLKITD], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True,
            )  # fmt: skip
        self._polkitd = proc
        self.manifest.polkitd_pid = proc.pid
        self.manifest.save()
        wait_for("polkitd on the system bus", lambda: name_owner_pid("org.freedesktop.PolicyKit1"))

    def _wait_until_ready(self) -> None:
        def action_known(action: str) -> bool:
            return run("pkaction", "--action-id", action, check=False).returncode == 0

        for action in sorted(c.ALL_ACTIONS):
            wait_for(f"polkit action {action}", lambda a=action: action_known(a))
        wait_for(
            "the activation file",
            lambda: c.BUS_NAME in bus_call("org.freedesktop.DBus.ListActivatableNames").stdout,
        )
        # polkitd (re)loads rules through inotify: probe the test rule until it answers.
        with self.spawn_as(ALLOWED, ["sleep", "60"]) as probe:
            wait_for(
                "the test polkit rules",
                lambda: run(
                    "pkcheck", "--action-id", c.ACTION_FREE_MEMORY, "--process", str(probe.pid),
                    check=False,
                ).returncode == 0,
            )  # fmt: skip

    # ---- helpers for tests --------------------------------------------------------------------

    @contextlib.contextmanager
    def spawn_as(self, user: HelperTestUser, argv: list[str]) -> Iterator[subprocess.Popen[bytes]]:
        """Run ``argv`` as ``user`` (all four uids) for the duration of the ``with``."""
        proc = subprocess.Popen(
            argv, user=user.uid, group=user.gid, extra_groups=user.extra_gids,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, cwd="/",
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )  # fmt: skip
        try:
            yield proc
        finally:
            proc.kill()
            proc.wait()

    def driver_command(self, user: HelperTestUser, ops: list[dict[str, object]]) -> dict[str, Any]:
        """``subprocess`` arguments that run the user driver as ``user`` with ``ops``."""
        return dict(
            args=[str(self.users_python), "-B", str(self.driver), json.dumps(ops)],
            user=user.uid, group=user.gid, extra_groups=user.extra_gids, cwd="/",
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(self.app_dir)},
            text=True,
        )  # fmt: skip

    def run_as(
        self, user: HelperTestUser, ops: list[dict[str, object]], timeout: float = 60
    ) -> list[dict[str, object]]:
        """Run the user driver as ``user`` with ``ops``; returns one result dict per op."""
        proc = subprocess.run(
            **self.driver_command(user, ops), capture_output=True, timeout=timeout, check=False
        )
        if proc.returncode != 0:
            raise AssertionError(f"user driver failed (rc={proc.returncode}):\n{proc.stderr}")
        return [json.loads(line) for line in proc.stdout.splitlines()]

    def call(self, user: HelperTestUser, method: str, **kwargs: object) -> dict[str, object]:
        """One :class:`HelperClient` call as ``user``: ``{"ok": ...}`` or ``{"error": ...}``."""
        (result,) = self.run_as(user, [{"op": "client", "method": method, **kwargs}])
        return result

    def raw(self, user: HelperTestUser, member: str, **kwargs: object) -> dict[str, object]:
        """One hand-made call as ``user`` (see user_driver.py, op "raw")."""
        (result,) = self.run_as(user, [{"op": "raw", "member": member, **kwargs}])
        return result

    def helper_pid(self) -> int | None:
        """The pid of the running helper, or None."""
        return name_owner_pid(c.BUS_NAME)

    def stop_helper(self) -> None:
        """Stop a running helper and wait until its name is free (activation restarts it)."""
        pid = self.helper_pid()
        if pid is not None:
            stop_process(pid, "memwarden.helper.service")
            wait_for("the helper to release its name", lambda: self.helper_pid() is None)

    def logs(self) -> str:
        """The helper's and polkitd's logs (for a failing test's report)."""
        parts = []
        for path in (self.helper_log, self.polkitd_log):
            with contextlib.suppress(OSError):
                parts.append(f"---- {path} (last 60 lines) ----\n")
                parts.append("\n".join(path.read_text(errors="replace").splitlines()[-60:]))
        return "\n".join(parts)

    # ---- down ---------------------------------------------------------------------------------

    def down(self) -> None:
        """Undo everything :meth:`up` did (also after a partial up), then release the lock."""
        try:
            if system_bus_answers():
                self.stop_helper()
            self._undo(self.manifest)
        finally:
            self._unlock()

    def _undo(self, manifest: Manifest) -> None:
        if manifest.polkitd_pid is not None:
            stop_process(manifest.polkitd_pid, "polkitd")
        if self._polkitd is not None:  # our child: reap it
            self._polkitd.wait(timeout=10)
            self._polkitd = None
        if manifest.system_bus_pid is not None:
            stop_process(manifest.system_bus_pid, "dbus-daemon")
            if self._system_bus is not None:
                self._system_bus.wait(timeout=10)
                self._system_bus = None
            SYSTEM_BUS_PIDFILE.unlink(missing_ok=True)
            SYSTEM_BUS_SOCKET.unlink(missing_ok=True)
        for entry in reversed(manifest.installed):
            target = Path(str(entry["path"]))
            if entry["backup"] is not None:
                shutil.copy2(str(entry["backup"]), target)
            else:
                target.unlink(missing_ok=True)
        if manifest.system_bus_pid is None and manifest.installed and system_bus_answers():
            bus_call("org.freedesktop.DBus.ReloadConfig", check=False)
        for user in manifest.users:
            run("userdel", user, check=False)
        for group in manifest.groups:
            run("groupdel", group, check=False)
        shutil.rmtree(RUN_DIR, ignore_errors=True)
        self.manifest = Manifest()


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True
