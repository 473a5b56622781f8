"""Sightline: the agent-facing client. Every public method catches its own failures, so
instrumentation can lose an event but never raise into the agent."""

from __future__ import annotations

import atexit
import logging
import os
import random
import threading
import time
import weakref
from typing import Any, Callable, Dict, Optional, Sequence

from ._exporter import Exporter
from ._sampling import TraceState, route_span
from ._span import NOOP_SPAN, Span, SpanScope, apply_fields, current_span, error_info
from ._transport import HttpTransport

_log = logging.getLogger("sightline")


class Sightline:
    """
    Client for one agent. Example::

        sl = Sightline(agent_id="support-bot")
        with sl.trace("handle ticket", session_id="s-1"):
            with sl.span("llm_call", "plan") as s:
                s.set(model="gpt-4o", provider="openai", tokens_input=1200, tokens_output=150)
            sl.decision("route", chosen="refund", confidence=0.82, options=["refund", "escalate"])
    """

    def __init__(
        self,
        endpoint: Optional[str] = None,
        api_key: Optional[str] = None,
        agent_id: Optional[str] = None,
        *,
        max_batch_size: int = 500,  # ~20–40 KB gzipped, far below the server's body limit
        flush_interval: float = 1.0,  # seconds; a quiet agent still shows up within a second
        max_queue_size: int = 10_000,  # held while the server is slow or down; beyond it new events are dropped
        gzip: bool = True,  # agent events compress ~8×
        max_retries: int = 5,  # after the first attempt; network errors, 408, 429, 5xx
        retry_base: float = 0.5,  # seconds; doubles each retry, with jitter
        retry_max: float = 30.0,
        max_retry_after: float = 60.0,  # a server's Retry-After is honoured up to this
        request_timeout: float = 10.0,
        exit_flush_timeout: float = 2.0,  # how long the SDK may hold the interpreter at exit
        flush_at_exit: bool = True,
        sample_rate: float = 1.0,  # fraction of traces kept, decided at the root; error traces always kept
        capture_content: bool = False,  # send input/output; off because content often holds personal data
        max_content_chars: int = 16_384,
        logger: Optional[logging.Logger] = None,
        transport: Any = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._log = logger or _log
        self._logged: set = set()
        self.endpoint = (endpoint or os.environ.get("SIGHTLINE_ENDPOINT") or "http://localhost:4318").rstrip("/")
        api_key = api_key if api_key is not None else os.environ.get("SIGHTLINE_API_KEY", "")
        self.agent_id = agent_id or os.environ.get("SIGHTLINE_AGENT_ID") or "agent"
        if not isinstance(sample_rate, (int, float)) or not (0.0 <= sample_rate <= 1.0):
            self._problem("config", f"sample_rate={sample_rate} must be in [0, 1]; using 1")
            sample_rate = 1.0
        self._sample_rate = sample_rate
        self._capture_content = capture_content
        self._max_content_chars = max_content_chars
        self._rand = rand
        self._sampled_out = 0
        self._count_lock = threading.Lock()
        self._exit_flush_timeout = self._checked_number("exit_flush_timeout", exit_flush_timeout, 2.0, 0.0)
        num = self._checked_number
        sender = transport or HttpTransport(self.endpoint, api_key, num("request_timeout", request_timeout, 10.0, 0.001))
        queue_options: Dict[str, Any] = dict(
            max_batch_size=int(num("max_batch_size", max_batch_size, 500, 1)),
            flush_interval=num("flush_interval", flush_interval, 1.0, 0.001),
            max_queue_size=int(num("max_queue_size", max_queue_size, 10_000, 1)),
            use_gzip=bool(gzip),
            max_retries=int(num("max_retries", max_retries, 5, 0)),
            retry_base=num("retry_base", retry_base, 0.5, 0.0),
            retry_max=num("retry_max", retry_max, 30.0, 0.0),
            max_retry_after=num("max_retry_after", max_retry_after, 60.0, 0.0),
            rand=rand,
        )
        self._exporter = Exporter(sender, on_problem=self._problem, **queue_options)
        # Scores and feedback: a second queue of the same exporter on the same transport, to
        # /v1/scores; flushed, shut down and flushed at exit together with span events.
        self._scores = Exporter(sender, on_problem=lambda key, message: self._problem("score-" + key, message), route="scores", **queue_options)
        self._shut = False
        if flush_at_exit:
            _register_exit(self)

    # -- tracing --------------------------------------------------------------------------------

    def trace(self, name: Optional[str] = None, *, session_id: Optional[str] = None, user_id: Optional[str] = None, **fields: Any) -> SpanScope:
        """Root span (`agent_step`) of a new trace; a context manager or a decorator."""
        return SpanScope(self, "agent_step", name, {**fields, "session_id": session_id, "user_id": user_id}, True)

    def span(self, span_type: str, name: Optional[str] = None, **fields: Any) -> SpanScope:
        """Span of the current trace (or a new one); a context manager or a decorator."""
        return SpanScope(self, span_type, name, fields, False)

    def start_span(self, span_type: str, name: str, **fields: Any) -> Any:
        """A span you end yourself; a child of the current span that does not become the current one."""
        span = self._start(span_type, name, fields, False)
        return span if span is not None else NOOP_SPAN

    def current_span(self) -> Optional[Span]:
        return current_span.get()

    def llm_call(self, *, model: Optional[str] = None, name: Optional[str] = None, latency_ms: float = 0.0, error: Any = None, timestamp: Optional[float] = None, **fields: Any) -> None:
        """Records a finished model call; `timestamp` (start, epoch ms) defaults to now − latency."""
        self._record("llm_call", name or model or "llm_call", dict(fields, model=model), latency_ms, error, timestamp)

    def tool_call(self, name: str, *, latency_ms: float = 0.0, error: Any = None, timestamp: Optional[float] = None, **fields: Any) -> None:
        self._record("tool_call", name, fields, latency_ms, error, timestamp)

    def decision(self, name: str, *, chosen: str, confidence: Optional[float] = None, options: Optional[Sequence[str]] = None, latency_ms: float = 0.0, attributes: Optional[Dict[str, Any]] = None) -> None:
        """Records a decision: `chosen` becomes decision_made, `options` go to attributes.options."""
        attrs = dict(attributes or {})
        if options is not None:
            attrs["options"] = list(options)
        self._record("decision", name, {"decision_made": chosen, "confidence": confidence, "attributes": attrs}, latency_ms, None, None)

    # -- quality signals ------------------------------------------------------------------------

    def score(
        self,
        name: str,
        value: Any,
        *,
        trace_id: Optional[str] = None,
        span_id: Optional[str] = None,
        session_id: Optional[str] = None,
        source: str = "api",
        comment: Optional[str] = None,
        author: Optional[str] = None,
        score_id: Optional[str] = None,
        timestamp: Optional[float] = None,
    ) -> None:
        """
        Queues a score (a number, a bool or a category string) of a trace (default: the current
        one), a span or a session; sent in the background, never sampled out. Sending the same
        `score_id` again replaces the score. Example::

            sl.score("helpfulness", 0.8, source="evaluator", trace_id=trace_id)
        """
        try:
            current = current_span.get()
            if trace_id is None and session_id is None and current is not None:
                trace_id = current.trace.trace_id
            target = "span" if span_id is not None else "trace" if trace_id is not None else "session" if session_id is not None else None
            if target is None:
                self._problem("score-untargeted", f'score "{name}" names no trace, span or session and was called outside a trace; pass trace_id, span_id or session_id (score dropped)')
                return
            item: Dict[str, Any] = {
                "score_id": score_id or "%032x" % random.getrandbits(128),
                "timestamp": int(timestamp if timestamp is not None else time.time() * 1000),
                "target": target,
                "name": name,
                "value": value,
                "source": source,
            }
            for key, v in (("trace_id", trace_id), ("span_id", span_id), ("session_id", session_id), ("comment", comment), ("author", author)):
                if v is not None:
                    item[key] = v
            self._scores.enqueue(item)
        except Exception as e:
            self._problem("score-failed", f"could not queue a score: {e!r}")

    def feedback(self, value: Any, *, name: str = "user_feedback", user_id: Optional[str] = None, **fields: Any) -> None:
        """An end user's feedback: a score with source "user" (`user_id` becomes its author). Example::

            sl.feedback(False, trace_id=trace_id, comment="wrong refund amount", user_id="u-42")
        """
        self.score(name, value, source="user", author=user_id, **fields)

    # -- lifecycle ------------------------------------------------------------------------------

    def stats(self) -> Dict[str, Any]:
        """queued, sent, dropped (queue full / after shutdown), retried (attempts), failed (given up), sampled_out;
        `scores`: the same figures for score() and feedback()."""
        s: Dict[str, Any] = dict(self._exporter.stats())
        s["sampled_out"] = self._sampled_out
        s["scores"] = self._scores.stats()
        return s

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Blocks until everything queued is sent or has failed; True if done within `timeout` seconds."""
        try:
            start = time.monotonic()
            scores_done = self._scores.flush(timeout)
            left = None if timeout is None else max(0.0, timeout - (time.monotonic() - start))
            return self._exporter.flush(left) and scores_done
        except Exception:
            return False

    def shutdown(self, timeout: float = 10.0) -> None:
        """Flushes for up to `timeout` seconds, then drops new events."""
        if self._shut:
            return
        self._shut = True
        try:
            start = time.monotonic()
            self._scores.shutdown(timeout)
            self._exporter.shutdown(max(0.0, timeout - (time.monotonic() - start)))
        except Exception:
            pass

    # -- internals ------------------------------------------------------------------------------

    def _checked_number(self, name: str, value: Any, default: float, minimum: float) -> float:
        """Bad configuration is reported and replaced by the default: it must not crash the agent."""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= minimum:
            return float(value)
        self._problem(f"config-{name}", f"{name}={value!r} must be a number >= {minimum}; using {default}")
        return float(default)

    def _start(self, span_type: str, name: str, fields: Dict[str, Any], new_root: bool) -> Optional[Span]:
        try:
            parent = None if new_root else current_span.get()
            if parent is not None:
                trace = parent.trace
            else:
                sampled = self._sample_rate >= 1.0 or (self._sample_rate > 0.0 and self._rand() < self._sample_rate)
                trace = TraceState("%032x" % random.getrandbits(128), sampled, fields.get("session_id"), fields.get("user_id"))
            event: Dict[str, Any] = {
                "timestamp": int(time.time() * 1000),
                "agent_id": self.agent_id,
                "trace_id": trace.trace_id,
                "span_id": "%016x" % random.getrandbits(64),
                "span_type": span_type,
                "name": name,
            }
            if parent is not None:
                event["parent_span_id"] = parent.span_id
            if trace.session_id is not None:
                event["session_id"] = trace.session_id
            if trace.user_id is not None:
                event["user_id"] = trace.user_id
            span = Span(self, trace, parent is None, event)
            if fields:
                span.set(**fields)
            return span
        except Exception as e:
            self._problem("start-failed", f"could not start a span: {e!r}")
            return None

    def _record(self, span_type: str, name: str, fields: Dict[str, Any], latency_ms: float, error: Any, timestamp: Optional[float]) -> None:
        try:
            span = self._start(span_type, name, {}, False)
            if span is None:
                return
            span.event["latency_ms"] = float(latency_ms)
            span.event["timestamp"] = int(timestamp if timestamp is not None else time.time() * 1000 - latency_ms)
            apply_fields(span.event, fields, self._capture_content, self._max_content_chars)
            if error is not None:
                span.event["error"] = error_info(error) if isinstance(error, BaseException) else {"type": "Error", "message": str(error)}
            span.end()
        except Exception as e:
            self._problem("record-failed", f"could not record a {span_type} event: {e!r}")

    def _finish(self, span: Span) -> None:
        discarded = route_span(span.trace, span.event, span.is_root, self._exporter.enqueue)
        if discarded:
            with self._count_lock:
                self._sampled_out += discarded

    def _problem(self, key: str, message: str) -> None:
        if key in self._logged:
            return
        self._logged.add(key)
        try:
            self._log.warning("[sightline] %s", message)
        except Exception:
            pass

    def _exit_flush(self) -> None:
        if self._shut:
            return
        start = time.monotonic()
        if not self._scores.flush(self._exit_flush_timeout):
            self._scores.abandon("exit flush time ran out")
        if not self._exporter.flush(max(0.0, self._exit_flush_timeout - (time.monotonic() - start))):
            self._exporter.abandon("exit flush time ran out")


_clients: "weakref.WeakSet[Sightline]" = weakref.WeakSet()
_exit_lock = threading.Lock()
_exit_registered = False


def _register_exit(client: Sightline) -> None:
    global _exit_registered
    with _exit_lock:
        _clients.add(client)
        if not _exit_registered:
            _exit_registered = True
            atexit.register(_flush_all_at_exit)


def _flush_all_at_exit() -> None:
    for c in list(_clients):
        try:
            c._exit_flush()
        except Exception:
            pass
