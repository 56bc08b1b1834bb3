# SPDX-License-Identifier: GPL-3.0-or-later
"""Every name the helper is known by: bus name, object path, interface, polkit actions, errors.

One module so that the service, the client, the packaging files and the API-surface test cannot
drift apart: every packaging file is named after :data:`BUS_NAME`, and a test checks that each
action id below exists in ``packaging/polkit/<BUS_NAME>.policy``.
"""

from __future__ import annotations

from typing import Final

BUS_NAME: Final = "io.github.memwarden.Helper1"
OBJECT_PATH: Final = "/io/github/memwarden/Helper1"
INTERFACE: Final = "io.github.memwarden.Helper1"

# polkit action ids, one per mutating method (declared next to the method in service.py), and one
# more for SetOomScoreAdj below OOM_SCORE_ADJ_FLOOR.
ACTION_SET_OOM_SCORE_ADJ: Final = "io.github.memwarden.helper.set-oom-score-adj"
ACTION_SET_OOM_SCORE_ADJ_BELOW_FLOOR: Final = (
    "io.github.memwarden.helper.set-oom-score-adj-below-floor"
)
ACTION_FREE_MEMORY: Final = "io.github.memwarden.helper.free-memory"
ALL_ACTIONS: Final = frozenset(
    {ACTION_SET_OOM_SCORE_ADJ, ACTION_SET_OOM_SCORE_ADJ_BELOW_FLOOR, ACTION_FREE_MEMORY}
)

# Named errors. AccessDenied and InteractiveAuthorizationRequired are the standard ones (D-Bus
# specification, "Message flags"), so generic clients understand them; the rest are ours.
ERROR_PREFIX: Final = f"{INTERFACE}.Error"
ERROR_ACCESS_DENIED: Final = "org.freedesktop.DBus.Error.AccessDenied"
ERROR_INTERACTIVE_AUTH_REQUIRED: Final = (
    "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"
)
ERROR_INVALID_ARGUMENT: Final = f"{ERROR_PREFIX}.InvalidArgument"
ERROR_NOT_OWNER: Final = f"{ERROR_PREFIX}.NotOwner"
ERROR_PROCESS_GONE: Final = f"{ERROR_PREFIX}.ProcessGone"
ERROR_MISSING_CAPABILITY: Final = f"{ERROR_PREFIX}.MissingCapability"
ERROR_BUSY: Final = f"{ERROR_PREFIX}.Busy"
ERROR_FAILED: Final = f"{ERROR_PREFIX}.Failed"

# oom_score_adj range enforced by the kernel (fs/proc/base.c: OOM_SCORE_ADJ_MIN/MAX).
OOM_SCORE_ADJ_MIN: Final = -1000
OOM_SCORE_ADJ_MAX: Final = 1000

# The lowest oom_score_adj the monitor asks for: its own self-guard (memwarden.monitor.main
# OWN_OOM_SCORE_ADJ); the apps a person protects get -500 (monitor.config PROTECT_OOM_SCORE_ADJ).
# Down to here the polkit action ACTION_SET_OOM_SCORE_ADJ applies (an active local session needs
# no password); below it, down to -1000 where the kernel never picks the process,
# ACTION_SET_OOM_SCORE_ADJ_BELOW_FLOOR does, and it defaults to auth_admin. A test checks that
# the monitor's values and this floor agree.
OOM_SCORE_ADJ_FLOOR: Final = -800

# pid_t is a signed 32-bit int; PID_MAX_LIMIT (include/linux/threads.h) is 4M, far below.
# SetOomScoreAdj takes pids as D-Bus uint32, so the helper checks the range itself.
PID_MIN: Final = 1
PID_MAX: Final = 2**31 - 1

# Upper bound of processes per SetOomScoreAdj call. Every target is held open (pidfd + /proc/PID
# directory fd) until all are validated, and the service does that work for one call at a time,
# so this keeps the helper under an RLIMIT_NOFILE of 1024 (the unit's LimitNOFILE=); a browser
# with all its renderers stays well below it.
MAX_PROCESSES_PER_CALL: Final = 256

# Calls in flight (from the message to the reply), overall and per caller (unique bus name).
# The excess is answered at once with ERROR_BUSY. Each call in flight holds a task and, while it
# is being authorized, one pending call to polkitd; dbus-daemon allows 128 pending calls per
# connection (max_replies_per_connection), so 32 keeps well under it. The monitor makes one call
# at a time; 4 leaves room for a UI click beside it.
MAX_CALLS_IN_FLIGHT: Final = 32
MAX_CALLS_PER_SENDER: Final = 4

# Size limits of a message the helper reads (method calls and signals; replies to its own calls
# are not limited). The largest valid call, SetOomScoreAdj with MAX_PROCESSES_PER_CALL targets,
# is about 4.3 KiB (16 bytes a target, under 300 bytes of header): 16 KiB leaves room. A larger
# body is dropped unread and the call answered InvalidArgument "message-too-large"; a header
# fields array over its limit cannot be answered (it holds the sender) and is dropped whole.
MAX_MESSAGE_BYTES: Final = 16 * 1024
MAX_HEADER_FIELDS_BYTES: Final = 4 * 1024

# FreeMemory runs at most once in this many seconds on the machine (there is one helper per
# machine, and it stays running until the interval is over, so waiting for its idle exit does
# not reset it). Dropping the page cache makes every program read its files from disk again, and
# compaction costs CPU: worth it on a click, not in a loop. Calls that arrive while a drop runs
# share its result; later ones get ERROR_BUSY with reason "rate-limited".
FREE_MEMORY_MIN_INTERVAL_S: Final = 60.0

# Feature codes returned by GetCapabilities (reason-code style, never prose).
FEATURE_RAISE_OOM_SCORE_ADJ: Final = "oom-score-adj-raise"
FEATURE_LOWER_OOM_SCORE_ADJ: Final = "oom-score-adj-lower"
FEATURE_DROP_CACHES: Final = "drop-caches"
FEATURE_COMPACT_MEMORY: Final = "compact-memory"

# Seconds without calls after which the service releases its name and exits (activation restarts
# it on the next call).
DEFAULT_IDLE_TIMEOUT_S: Final = 30.0
