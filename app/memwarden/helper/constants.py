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

# polkit action ids, one per mutating method (declared next to the method in service.py).
ACTION_SET_OOM_SCORE_ADJ: Final = "io.github.memwarden.helper.set-oom-score-adj"
ACTION_FREE_MEMORY: Final = "io.github.memwarden.helper.free-memory"
ALL_ACTIONS: Final = frozenset({ACTION_SET_OOM_SCORE_ADJ, ACTION_FREE_MEMORY})

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
ERROR_FAILED: Final = f"{ERROR_PREFIX}.Failed"

# oom_score_adj range enforced by the kernel (fs/proc/base.c: OOM_SCORE_ADJ_MIN/MAX).
OOM_SCORE_ADJ_MIN: Final = -1000
OOM_SCORE_ADJ_MAX: Final = 1000

# Upper bound of processes per SetOomScoreAdj call. Every target is held open (pidfd + /proc/PID
# directory fd) until all are validated, so this keeps a call under the default soft
# RLIMIT_NOFILE of 1024; a browser with all its renderers stays well below it.
MAX_PROCESSES_PER_CALL: Final = 256

# Feature codes returned by GetCapabilities (reason-code style, never prose).
FEATURE_RAISE_OOM_SCORE_ADJ: Final = "oom-score-adj-raise"
FEATURE_LOWER_OOM_SCORE_ADJ: Final = "oom-score-adj-lower"
FEATURE_DROP_CACHES: Final = "drop-caches"
FEATURE_COMPACT_MEMORY: Final = "compact-memory"

# Seconds without calls after which the service releases its name and exits (activation restarts
# it on the next call).
DEFAULT_IDLE_TIMEOUT_S: Final = 30.0
