"""Head sampling by whole trace, decided at the root, that still keeps every trace with an error:
spans of an unsampled trace are held (bounded) until the root ends and sent only if one failed."""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, List, Optional

_MAX_HELD = 1000


class TraceState:
    __slots__ = ("trace_id", "sampled", "held", "root_ended", "session_id", "user_id", "lock")

    def __init__(self, trace_id: str, sampled: bool, session_id: Optional[str], user_id: Optional[str]) -> None:
        self.trace_id = trace_id
        self.sampled = sampled
        self.held: List[Dict[str, Any]] = []
        self.root_ended = False
        self.session_id = session_id
        self.user_id = user_id
        self.lock = threading.Lock()  # spans of one trace may end on several threads


def route_span(trace: TraceState, event: Dict[str, Any], is_root: bool, send: Callable[[Dict[str, Any]], None]) -> int:
    """Sends `event` when its trace is kept, holds it otherwise. Returns how many events sampling discarded."""
    if trace.sampled:
        send(event)
        return 0
    with trace.lock:
        if "error" in event:
            # An error promotes the whole trace: release what was held, then send from now on.
            trace.sampled = True
            held, trace.held = trace.held, []
            for e in held:
                send(e)
            send(event)
            return 0
        if is_root or trace.root_ended:
            trace.root_ended = True
            discarded = len(trace.held) + 1
            trace.held = []
            return discarded
        if len(trace.held) < _MAX_HELD:
            trace.held.append(event)
            return 0
        return 1
