# SPDX-License-Identifier: GPL-3.0-or-later
"""Every reason code that reaches the UI over D-Bus, and what each means for the person.

The monitor and the privileged helper speak in reason codes, never prose; the UI turns them into
words (``ui/words/messages.py``, ``ui/words/code_words.py``). This module is the one list both
sides read:

- producers raise and return its constants, so that a code cannot be born without being listed
  here (``tests/core/test_reason_codes.py`` reads the producers' sources and fails on a bare
  string where a code is made);
- the UI keys its words by these codes, and by :func:`helper_group` for ``HelperStatus``, so the
  tray and the window give one answer about the same code.

Families, by where a code travels:

- :data:`HELPER_STATUS`: the ``HelperStatus`` property (``monitor/protection.py``): the monitor's
  own ``applied``/``unknown``/``no-helper``, or the reason of the helper's last refusal. The same
  helper codes come back as the result of the ``drop-caches`` step of "free memory now".
- :data:`STATES`, :data:`STATE_REASONS`: the ``State`` property and the reasons of
  ``StateChanged``, ``Warning`` and ``Killed``.
- :data:`VICTIM_REASONS`: why an app is the one that would be closed (``Warning``).
- :data:`REFUSALS`: the reason of a monitor method's D-Bus error, and the UI client's own codes
  for a call that never reached a monitor.
- :data:`SETTINGS_ERRORS`: why ``SetSettings`` refused a value (its error names the key too).
- :data:`FREE_STEPS`, :data:`RECLAIM_RESULTS`, :data:`DROP_CACHES_RESULTS`: the steps of
  ``FreeMemoryNow`` and how each went.
- :data:`RESUME_REASONS`, :data:`PAUSE_RECLAIM_RESULTS`: why a paused app runs again
  (``AppResumed``), and what giving its memory back did (``AppPaused``).

Not here: the snapshot's own codes (process roles, ``unreadable_reason``: docs/scan-json.md) and
the ``SelfGuard`` property, which the UI does not turn into words.

Pure: no D-Bus, no Qt; the helper imports it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

# -- HelperStatus: the monitor's own -------------------------------------------------------------

APPLIED: Final = "applied"
NOT_ASKED_YET: Final = "unknown"
NO_HELPER: Final = "no-helper"

# -- the helper client's: the helper could not be asked (helper/client.py) -----------------------

NO_SYSTEM_BUS: Final = "no-system-bus"
NOT_ACTIVATABLE: Final = "not-activatable"
NOT_RUNNING: Final = "not-running"
ACTIVATION_FAILED: Final = "activation-failed"
INCOMPATIBLE_HELPER: Final = "incompatible-helper"
NO_REPLY: Final = "no-reply"
DISCONNECTED: Final = "disconnected"
BUS_POLICY: Final = "bus-policy"
UNEXPECTED_REPLY: Final = "unexpected-reply"
UNEXPECTED_ERROR: Final = "unexpected-error"
UNEXPECTED_ERROR_TEXT: Final = "unexpected-error-text"

# -- the helper service's refusals (helper/caller.py, polkit.py, pacing.py, kernel.py, targets.py)

NO_CALLER: Final = "no-caller"
NO_CALLER_CREDENTIALS: Final = "no-caller-credentials"
NOT_AUTHORIZED: Final = "not-authorized"
INTERACTIVE_AUTHORIZATION_REQUIRED: Final = "interactive-authorization-required"
POLKIT_UNAVAILABLE: Final = "polkit-unavailable"
POLKIT_ERROR: Final = "polkit-error"
HELPER_BUSY: Final = "helper-busy"
SENDER_BUSY: Final = "sender-busy"
RATE_LIMITED: Final = "rate-limited"
CAP_SYS_RESOURCE: Final = "cap-sys-resource"
CAP_DAC_OVERRIDE: Final = "cap-dac-override"
DROP_CACHES_DENIED: Final = "drop-caches-denied"
COMPACT_MEMORY_DENIED: Final = "compact-memory-denied"
EXITED: Final = "exited"
NO_SUCH_PROCESS: Final = "no-such-process"
START_TIME_MISMATCH: Final = "start-time-mismatch"
NOT_OWNER: Final = "not-owner"
OWNER_CHANGED: Final = "owner-changed"
INVALID_PID: Final = "invalid-pid"
NOT_A_PROCESS: Final = "not-a-process"
KERNEL_THREAD: Final = "kernel-thread"
SCORE_ADJ_OUT_OF_RANGE: Final = "score-adj-out-of-range"
NO_PROCESSES: Final = "no-processes"
TOO_MANY_PROCESSES: Final = "too-many-processes"
KERNEL_REJECTED_VALUE: Final = "kernel-rejected-value"
MESSAGE_TOO_LARGE: Final = "message-too-large"
BAD_SIGNATURE: Final = "bad-signature"
UNEXPECTED_OOM_SCORE_ADJ: Final = "unexpected-oom-score-adj"
UNEXPECTED_STAT: Final = "unexpected-stat"
UNEXPECTED_STATUS: Final = "unexpected-status"
SHORT_WRITE: Final = "short-write"
NO_MEMAVAILABLE: Final = "no-memavailable"
#: Shared with the monitor's D-Bus API (monitor/dbus_errors.py): something failed unexpectedly.
INTERNAL_ERROR: Final = "internal-error"


class HelperGroup(StrEnum):
    """What a ``HelperStatus`` code means for the person: the UI's words are keyed by these."""

    #: The kernel knows: protected apps have a low ``oom_score_adj``.
    APPLIED = "applied"
    #: Nothing was asked yet (no protected app since the monitor started).
    NOT_ASKED_YET = "not-asked-yet"
    #: The monitor runs without a helper on purpose (``--no-helper``).
    OFF = "off"
    #: The helper did nothing this time and is asked again on the next pass.
    RETRYING = "retrying"
    #: No helper is installed.
    MISSING = "missing"
    #: A helper is installed but cannot work: asking again gives the same answer.
    BROKEN = "broken"
    #: There is no system bus to reach any helper through.
    NO_SYSTEM_BUS = "no-system-bus"
    #: The helper did not answer this time; a later call may reach it.
    UNREACHABLE = "unreachable"
    #: The system's policy (polkit, the bus's rules) did not let the helper act.
    DENIED = "denied"
    #: The helper runs without a capability the kernel wants (in a container, say).
    CAPABILITY = "capability"
    #: The process exited before the helper got to it: nothing was lost.
    PROCESS_GONE = "process-gone"
    #: The process runs as another user (sudo, setuid): the helper changes the caller's only.
    OTHER_USER = "other-user"
    #: A defect on one side or the other: the logs say more.
    FAULT = "fault"


_G = HelperGroup
HELPER_STATUS: Final[Mapping[str, HelperGroup]] = MappingProxyType({
    APPLIED: _G.APPLIED,
    NOT_ASKED_YET: _G.NOT_ASKED_YET,
    NO_HELPER: _G.OFF,
    NOT_ACTIVATABLE: _G.MISSING,  # the bus knows no such name: no .service file is installed
    # Installed (the bus found it) but it does not start, or it does not know our interface or
    # method (another version): every later call ends the same until the package is fixed.
    ACTIVATION_FAILED: _G.BROKEN,
    INCOMPATIBLE_HELPER: _G.BROKEN,
    # Not "missing": installing the helper would not help while the session cannot reach the
    # system bus at all (a container or sandbox without /run/dbus/system_bus_socket).
    NO_SYSTEM_BUS: _G.NO_SYSTEM_BUS,
    # Temporarily unreachable, not missing: the helper exits when idle and is started again by
    # the bus (helper/pacing.py's IdleTimer), so a call racing its exit finds no owner
    # (not-running); no-reply is a helper stalled or killed under memory pressure; disconnected
    # is the monitor's bus connection broken (a restarted dbus-daemon), reopened on the next call.
    NOT_RUNNING: _G.UNREACHABLE,
    NO_REPLY: _G.UNREACHABLE,
    DISCONNECTED: _G.UNREACHABLE,
    # polkit said no, would ask for a password the background monitor cannot show, or could not
    # be asked (the helper then fails closed); bus-policy is the bus daemon's own rules refusing.
    NOT_AUTHORIZED: _G.DENIED,
    INTERACTIVE_AUTHORIZATION_REQUIRED: _G.DENIED,
    POLKIT_UNAVAILABLE: _G.DENIED,
    POLKIT_ERROR: _G.DENIED,
    BUS_POLICY: _G.DENIED,
    # Busy answers mean "nothing was done": the protector asks again on its next pass
    # (monitor/protection.py); rate-limited only answers FreeMemory, which the person repeats.
    HELPER_BUSY: _G.RETRYING,
    SENDER_BUSY: _G.RETRYING,
    RATE_LIMITED: _G.RETRYING,
    # The kernel refused the helper: it lacks CAP_SYS_RESOURCE (negative values) or
    # CAP_DAC_OVERRIDE, or /proc/sys is read-only (docs/kernel-memory.md §1.4).
    CAP_SYS_RESOURCE: _G.CAPABILITY,
    CAP_DAC_OVERRIDE: _G.CAPABILITY,
    DROP_CACHES_DENIED: _G.CAPABILITY,
    COMPACT_MEMORY_DENIED: _G.CAPABILITY,
    # A process that exited between the scan and the call: its new processes are asked for anew.
    EXITED: _G.PROCESS_GONE,
    NO_SUCH_PROCESS: _G.PROCESS_GONE,
    START_TIME_MISMATCH: _G.PROCESS_GONE,
    # The helper only touches processes whose four uids are the caller's (helper/targets.py): a
    # protected app that runs another user's program (sudo, setuid) is refused on purpose.
    NOT_OWNER: _G.OTHER_USER,
    OWNER_CHANGED: _G.OTHER_USER,
    # Arguments the monitor should never send, answers it cannot read, and failures inside the
    # helper: a defect, not something the person can change.
    NO_CALLER: _G.FAULT,
    NO_CALLER_CREDENTIALS: _G.FAULT,
    INVALID_PID: _G.FAULT,
    NOT_A_PROCESS: _G.FAULT,
    KERNEL_THREAD: _G.FAULT,
    SCORE_ADJ_OUT_OF_RANGE: _G.FAULT,
    NO_PROCESSES: _G.FAULT,
    TOO_MANY_PROCESSES: _G.FAULT,
    KERNEL_REJECTED_VALUE: _G.FAULT,
    MESSAGE_TOO_LARGE: _G.FAULT,
    BAD_SIGNATURE: _G.FAULT,
    UNEXPECTED_OOM_SCORE_ADJ: _G.FAULT,
    UNEXPECTED_STAT: _G.FAULT,
    UNEXPECTED_STATUS: _G.FAULT,
    SHORT_WRITE: _G.FAULT,
    NO_MEMAVAILABLE: _G.FAULT,
    INTERNAL_ERROR: _G.FAULT,
    UNEXPECTED_REPLY: _G.FAULT,
    UNEXPECTED_ERROR: _G.FAULT,
    UNEXPECTED_ERROR_TEXT: _G.FAULT,
})  # fmt: skip


def helper_group(code: str) -> HelperGroup | None:
    """What a ``HelperStatus`` code (or a helper's reason code) means for the person.

    Returns:
        Its group, or None for a code this version does not know (a newer monitor or helper):
        the UI then names the code in a generic sentence.
    """
    return HELPER_STATUS.get(code)


# -- the monitor: states and why -----------------------------------------------------------------

CALM: Final = "calm"
WARNING: Final = "warning"
CRITICAL: Final = "critical"
STATES: Final = frozenset({CALM, WARNING, CRITICAL})

BELOW_WARN_THRESHOLD: Final = "below-warn-threshold"
FORECAST_UNDER_HORIZON: Final = "forecast-under-horizon"
PSI_SOME_HIGH: Final = "psi-some-high"
BELOW_CLOSE_THRESHOLD: Final = "below-close-threshold"
BELOW_KILL_THRESHOLD: Final = "below-kill-threshold"
PSI_FULL_SUSTAINED: Final = "psi-full-sustained"
#: A Warning with no reason left: memory is coming back, the state is held by hysteresis.
STILL_WARNING: Final = WARNING
#: A Killed (and its victim reason) for a CloseApp call.
USER_REQUEST: Final = "user-request"
STATE_REASONS: Final = frozenset({
    BELOW_WARN_THRESHOLD, FORECAST_UNDER_HORIZON, PSI_SOME_HIGH, BELOW_CLOSE_THRESHOLD,
    BELOW_KILL_THRESHOLD, PSI_FULL_SUSTAINED, STILL_WARNING, USER_REQUEST,
})  # fmt: skip

# -- the monitor: which app, and why it (core/policy.py) -----------------------------------------

SACRIFICE_FIRST: Final = "sacrifice-first"
HIDDEN_MEMORY: Final = "hidden-memory"
GROWING: Final = "growing"
LARGEST: Final = "largest"
#: The choice's own reason when there is a victim (whose reason says why it): listed because
#: core/policy.py makes it, though a Warning then carries the victim's reason instead.
VICTIM_CHOSEN: Final = "victim-chosen"
NO_CANDIDATE: Final = "no-candidate"
ORPHAN_TMPFS: Final = "orphan-tmpfs"
VICTIM_REASONS: Final = frozenset({
    SACRIFICE_FIRST, HIDDEN_MEMORY, GROWING, LARGEST, USER_REQUEST, VICTIM_CHOSEN, NO_CANDIDATE,
    ORPHAN_TMPFS,
})  # fmt: skip

# -- the monitor's D-Bus errors (monitor/dbus_errors.py) and the UI client's ---------------------

# Refused: the guard's reasons (core/policy.exclusion_reason, monitor/victim_choice.py,
# monitor/killer.py).
PROTECTED: Final = "protected"
SESSION: Final = "session"
OTHER_USER: Final = "other-user"
INIT: Final = "init"
SELF: Final = "self"
NOT_OURS: Final = "not-ours"
NO_SNAPSHOT: Final = "no-snapshot"
#: The killer's only, never a refusal: the pid names another process now (CloseApp says ``gone``).
REUSED: Final = "reused"
# NoSuchApp.
NO_SUCH_APP: Final = "no-such-app"
GONE: Final = "gone"
# InvalidArgument.
UNKNOWN_RULE: Final = "unknown-rule"
TOO_MANY_RULES: Final = "too-many-rules"
EMPTY_APP_ID: Final = "empty-app-id"
EMPTY_NAME: Final = "empty-name"
NAME_TOO_LONG: Final = "name-too-long"
BAD_NAME: Final = "bad-name"
# Failed (and INTERNAL_ERROR above).
BUSY: Final = "busy"
# The UI client's own (ui/monitor_calls.py): the call never reached a monitor, its answer could
# not be read, or the error came without a name (an error from the bus itself is named by the
# last part of its D-Bus name instead, e.g. ``unknownmethod``: those are not listed here).
NO_MONITOR: Final = "no-monitor"
TIMEOUT: Final = "timeout"
BAD_REPLY: Final = "bad-reply"
UNNAMED_ERROR: Final = "failed"
# SetSettings (monitor/settings_calls.py): the monitor keeps no settings file (--no-config), or
# could not write it.
NO_CONFIG_FILE: Final = "no-config-file"
#: ResumeApp: the app named is not paused.
NOT_PAUSED: Final = "not-paused"
NOT_SAVED: Final = "not-saved"
REFUSALS: Final = frozenset({
    PROTECTED, SESSION, OTHER_USER, INIT, SELF, NOT_OURS, NO_SNAPSHOT, NO_SUCH_APP, GONE,
    UNKNOWN_RULE, TOO_MANY_RULES, EMPTY_APP_ID, EMPTY_NAME, NAME_TOO_LONG, BAD_NAME, BUSY,
    INTERNAL_ERROR, NO_MONITOR, TIMEOUT, DISCONNECTED, BAD_REPLY, UNNAMED_ERROR, NO_CONFIG_FILE,
    NOT_SAVED, NOT_PAUSED,
})  # fmt: skip

# -- settings the monitor refuses (core/settings.py; SetSettings answers InvalidArgument with
# "<code>: <key>") -----------------------------------------------------------------------------

UNKNOWN_SETTING: Final = "unknown-setting"
WRONG_TYPE: Final = "wrong-type"
OUT_OF_RANGE: Final = "out-of-range"
ALWAYS_HOLDS: Final = "always-holds"
OUT_OF_ORDER: Final = "out-of-order"
ABOVE_MEMORY: Final = "above-memory"
SET_AND_RESET: Final = "set-and-reset"
SETTINGS_ERRORS: Final = frozenset({
    UNKNOWN_SETTING, WRONG_TYPE, OUT_OF_RANGE, ALWAYS_HOLDS, OUT_OF_ORDER, ABOVE_MEMORY,
    SET_AND_RESET,
})  # fmt: skip
#: Why the killer skipped a pid: its own checks or the guard's (the ``skipped`` of CloseApp's reply,
#: which the UI does not show). CloseApp answers ``gone`` for gone and reused, else a refusal.
KILLER_SKIPS: Final = frozenset({
    INIT, SELF, REUSED, NOT_OURS, GONE, PROTECTED, SESSION, OTHER_USER, NO_SNAPSHOT,
})  # fmt: skip

# -- "free memory now" (monitor/free_memory.py) --------------------------------------------------

RECLAIM_BACKGROUND: Final = "reclaim-background"
DROP_CACHES: Final = "drop-caches"
FREE_STEPS: Final = frozenset({RECLAIM_BACKGROUND, DROP_CACHES})
DONE: Final = "done"
FAILED: Final = "failed"
PARTIAL: Final = "partial"
NOTHING_TO_RECLAIM: Final = "nothing-to-reclaim"
NO_CGROUP_V2: Final = "no-cgroup-v2"
NOT_DELEGATED: Final = "not-delegated"
NO_BACKGROUND_SLICE: Final = "no-background-slice"
NO_MEMORY_CONTROLLER: Final = "no-memory-controller"
RECLAIM_RESULTS: Final = frozenset({
    DONE, PARTIAL, NOTHING_TO_RECLAIM, NO_CGROUP_V2, NOT_DELEGATED, NO_BACKGROUND_SLICE,
    NO_MEMORY_CONTROLLER, FAILED,
})  # fmt: skip
#: ``done``, ``no-helper``, ``failed`` (not a helper error), or the helper's reason code:
#: FreeMemory names no process, so the process groups cannot answer it.
DROP_CACHES_RESULTS: Final = frozenset({DONE, FAILED}) | {
    code for code, group in HELPER_STATUS.items()
    if group not in (HelperGroup.APPLIED, HelperGroup.NOT_ASKED_YET, HelperGroup.PROCESS_GONE,
                     HelperGroup.OTHER_USER)
}  # fmt: skip

# -- pausing the app that is eating memory (monitor/app_pause.py) --------------------------------

#: Why a paused app runs again (``AppResumed``): the person resumed it (``user-request``), it is
#: being closed (``closing``: CloseApp continues it so that it can handle SIGTERM), it was killed
#: at the kill level (``killed``), it exited by itself (``gone``), no tray shows it any more
#: (``no-tray``: an app is never left paused where the person cannot see it), or the monitor
#: stops (``stopping``).
CLOSING: Final = "closing"
KILLED: Final = "killed"
NO_TRAY: Final = "no-tray"
STOPPING: Final = "stopping"
RESUME_REASONS: Final = frozenset({USER_REQUEST, CLOSING, KILLED, GONE, NO_TRAY, STOPPING})
#: What giving a paused app's memory back did (``memory.reclaim`` of its own cgroup v2 scope,
#: into swap): ``no-swap``, ``no-own-cgroup`` (not in a scope of its own), ``no-cgroup-v2``,
#: ``no-memory-controller`` or ``not-delegated`` say why it could not be tried.
NO_SWAP: Final = "no-swap"
NO_OWN_CGROUP: Final = "no-own-cgroup"
PAUSE_RECLAIM_RESULTS: Final = frozenset({
    DONE, PARTIAL, NOTHING_TO_RECLAIM, NO_SWAP, NO_OWN_CGROUP, NO_CGROUP_V2,
    NO_MEMORY_CONTROLLER, NOT_DELEGATED, FAILED,
})  # fmt: skip

#: Every family by name, for the tests and for tools that list the codes.
FAMILIES: Final[Mapping[str, frozenset[str]]] = MappingProxyType({
    "helper-status": frozenset(HELPER_STATUS),
    "state": STATES,
    "state-reason": STATE_REASONS,
    "victim-reason": VICTIM_REASONS,
    "refusal": REFUSALS,
    "settings-error": SETTINGS_ERRORS,
    "killer-skip": KILLER_SKIPS,
    "free-step": FREE_STEPS,
    "reclaim-background": RECLAIM_RESULTS,
    "drop-caches": DROP_CACHES_RESULTS,
    "resume-reason": RESUME_REASONS,
    "pause-reclaim": PAUSE_RECLAIM_RESULTS,
})  # fmt: skip


def registered(code: str) -> bool:
    """True when ``code`` is in some family of this registry."""
    return any(code in family for family in FAMILIES.values())
