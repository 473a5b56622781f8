"""Spans: the event a unit of work will become, the context variable that nests them, and the
scope object that is both a context manager and a decorator."""

from __future__ import annotations

import contextvars
import functools
import inspect
import json
import time
from typing import Any, Callable, Dict, Optional, Protocol

from ._sampling import TraceState

current_span: "contextvars.ContextVar[Optional[Span]]" = contextvars.ContextVar("sightline_current_span", default=None)

_FIELDS = (
    "model",
    "provider",
    "tokens_input",
    "tokens_output",
    "tokens_cache_read",
    "tokens_cache_write",
    "tokens_reasoning",
    "cost_usd",
    "decision_made",
    "confidence",
    "session_id",
    "user_id",
)


def error_info(exc: BaseException) -> Dict[str, str]:
    return {"type": type(exc).__name__, "message": str(exc)}


class SpanOwner(Protocol):
    """What a span needs of the client that started it (the client is `Sightline`; spans do not
    import it, so the two modules do not import each other)."""

    _capture_content: bool
    _max_content_chars: int

    def _start(self, span_type: str, name: str, fields: Dict[str, Any], new_root: bool) -> Optional["Span"]: ...

    def _finish(self, span: "Span") -> None: ...


class Span:
    """A span in progress. `set()` and `set_attribute()` add fields; `end()` queues it (once)."""

    __slots__ = ("event", "trace", "is_root", "_client", "_started", "_ended")

    def __init__(self, client: SpanOwner, trace: TraceState, is_root: bool, event: Dict[str, Any]) -> None:
        self._client = client
        self.trace = trace
        self.is_root = is_root
        self.event = event
        self._started = time.perf_counter()
        self._ended = False

    @property
    def trace_id(self) -> str:
        return self.event["trace_id"]

    @property
    def span_id(self) -> str:
        return self.event["span_id"]

    def set(self, **fields: Any) -> "Span":
        """Sets wire fields by name: model, provider, tokens_input, …, attributes (merged), input, output."""
        try:
            apply_fields(self.event, fields, self._client._capture_content, self._client._max_content_chars)
        except Exception:
            pass
        return self

    def set_attribute(self, key: str, value: Any) -> "Span":
        self.event.setdefault("attributes", {})[key] = value
        return self

    def record_error(self, exc: BaseException) -> "Span":
        try:
            self.event["error"] = error_info(exc)
        except Exception:
            self.event["error"] = {"type": "Exception", "message": "[unreadable error]"}
        return self

    def end(self) -> None:
        if self._ended:
            return
        self._ended = True
        try:
            if "latency_ms" not in self.event:
                self.event["latency_ms"] = (time.perf_counter() - self._started) * 1000.0
            self._client._finish(self)
        except Exception:
            pass


def apply_fields(event: Dict[str, Any], fields: Dict[str, Any], capture_content: bool, max_chars: int) -> None:
    for k in _FIELDS:
        v = fields.get(k)
        if v is not None:
            event[k] = v
    attrs = fields.get("attributes")
    if attrs:
        event["attributes"] = {**event.get("attributes", {}), **attrs}
    if capture_content:
        for k in ("input", "output"):
            v = fields.get(k)
            if v is not None:
                event[k] = _content_text(v, max_chars)


def _content_text(v: Any, max_chars: int) -> str:
    if isinstance(v, str):
        s = v
    else:
        try:
            s = json.dumps(v, default=str)
        except Exception:
            s = str(v)
    return s[:max_chars]


class SpanScope:
    """Returned by `trace()` and `span()`: use it as `with ... as span:` or as a decorator (sync or async)."""

    def __init__(self, client: SpanOwner, span_type: str, name: Optional[str], fields: Dict[str, Any], new_root: bool) -> None:
        self._client = client
        self._type = span_type
        self._name = name
        self._fields = fields
        self._new_root = new_root
        self._span: Optional[Span] = None
        self._token: Optional[contextvars.Token] = None

    def __enter__(self) -> Any:
        span = self._client._start(self._type, self._name or self._type, self._fields, self._new_root)
        if span is None:
            return NOOP_SPAN
        self._span = span
        self._token = current_span.set(span)
        return span

    def __exit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> bool:
        span, token = self._span, self._token
        self._span, self._token = None, None
        if span is not None:
            try:
                if token is not None:
                    current_span.reset(token)
            except Exception:
                pass
            if exc is not None:
                span.record_error(exc)
            span.end()
        return False  # never swallow the agent's exception

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        name = self._name or getattr(fn, "__qualname__", None) or self._type

        def scope() -> SpanScope:
            return SpanScope(self._client, self._type, name, self._fields, self._new_root)

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with scope():
                    return await fn(*args, **kwargs)

            return async_wrapper

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with scope():
                return fn(*args, **kwargs)

        return wrapper


class _NoopSpan:
    """Handed out if the SDK itself fails, so the agent's code still runs."""

    trace_id = "0" * 32
    span_id = "0" * 16

    def set(self, **_: Any) -> "_NoopSpan":
        return self

    def set_attribute(self, *_: Any) -> "_NoopSpan":
        return self

    def record_error(self, *_: Any) -> "_NoopSpan":
        return self

    def end(self) -> None:
        pass


NOOP_SPAN = _NoopSpan()
