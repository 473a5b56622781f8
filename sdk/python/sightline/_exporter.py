"""The background half of the client: a bounded queue drained by one daemon thread in batches (by
size or by time), each batch gzipped and sent with retries. Nothing here raises into the caller."""

from __future__ import annotations

import gzip
import json
import random
import threading
import time
import uuid
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Optional

from ._transport import EncodedBatch, ExportResult, Ok, Rejected, Retryable

_GZIP_MIN_BYTES = 1024


class Exporter:
    def __init__(
        self,
        transport: Any,
        *,
        max_batch_size: int,
        flush_interval: float,
        max_queue_size: int,
        use_gzip: bool,
        max_retries: int,
        retry_base: float,
        retry_max: float,
        max_retry_after: float,
        on_problem: Callable[[str, str], None],
        rand: Callable[[], float] = random.random,
        monotonic: Callable[[], float] = time.monotonic,
        route: str = "events",  # "scores": batches go to /v1/scores (EncodedBatch.route)
    ) -> None:
        self._transport = transport
        self._route = route
        self._max_batch = max_batch_size
        self._interval = flush_interval
        self._max_queue = max_queue_size
        self._gzip = use_gzip
        self._max_retries = max_retries
        self._retry_base = retry_base
        self._retry_max = retry_max
        self._max_retry_after = max_retry_after
        self._on_problem = on_problem
        self._rand = rand
        self._now = monotonic

        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)  # worker waits here for events, flushes, shutdown
        self._idle = threading.Condition(self._lock)  # flushers wait here for an empty pipeline
        self._queue: Deque[Dict[str, Any]] = deque()
        self._in_flight = 0
        self._flushers = 0
        self._deadline = float("inf")  # monotonic; retries that would pass it give up
        self._closed = False
        self._stopping = False
        self._abandoned = False
        self.sent = 0
        self.dropped = 0
        self.retried = 0
        self.failed = 0
        self._thread: Optional[threading.Thread] = None

    # -- caller side ---------------------------------------------------------------------------

    def enqueue(self, event: Dict[str, Any]) -> None:
        with self._lock:
            if self._closed or len(self._queue) >= self._max_queue:
                self.dropped += 1
                full = not self._closed
            else:
                self._queue.append(event)
                full = False
                # Wake the worker when a batch starts (to time it) and when one is full.
                n = len(self._queue)
                if n == 1 or n >= self._max_batch:
                    self._wake.notify()
                if self._thread is None:
                    self._start_thread()
        if full:
            self._on_problem("queue-full", f"queue full ({self._max_queue} events): dropping new events until the server catches up")

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until everything queued is sent or failed; True if that happened within `timeout`."""
        deadline = float("inf") if timeout is None else self._now() + timeout
        with self._lock:
            if timeout is not None:
                self._deadline = min(self._deadline, deadline)
            self._flushers += 1
            self._wake.notify_all()
            try:
                while self._queue or self._in_flight:
                    if self._thread is None:
                        self._start_thread()
                    remaining = deadline - self._now()
                    if remaining <= 0:
                        return False
                    self._idle.wait(min(remaining, 0.5))
                return True
            finally:
                self._flushers -= 1
                if self._flushers == 0 and not self._closed:
                    self._deadline = float("inf")

    def shutdown(self, timeout: float) -> None:
        """Stops accepting events, flushes for up to `timeout`, then counts what is left as failed."""
        with self._lock:
            self._closed = True
        self.flush(timeout)
        with self._lock:
            self._abandon_locked("shutdown deadline passed")
            self._stopping = True
            self._wake.notify_all()

    def abandon(self, why: str) -> None:
        with self._lock:
            self._abandon_locked(why)

    def stats(self) -> Dict[str, int]:
        with self._lock:
            queued = len(self._queue) + (0 if self._abandoned else self._in_flight)
            return {"queued": queued, "sent": self.sent, "dropped": self.dropped, "retried": self.retried, "failed": self.failed}

    def _abandon_locked(self, why: str) -> None:
        unsent = len(self._queue) + (0 if self._abandoned else self._in_flight)
        if unsent == 0:
            return
        self.failed += unsent
        self._queue.clear()
        if self._in_flight:
            self._abandoned = True
        self._idle.notify_all()
        self._wake.notify_all()
        self._on_problem("abandoned", f"{why} with {unsent} event(s) unsent")

    def _start_thread(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"sightline-exporter-{self._route}", daemon=True)
        self._thread.start()

    # -- worker side ---------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._stopping:
                    self._wake.wait()
                if self._stopping and not self._queue:
                    return
                # A partial batch waits one interval from when the worker saw its first event.
                due = self._now() + self._interval
                while len(self._queue) < self._max_batch and not self._flushers and not self._stopping:
                    remaining = due - self._now()
                    if remaining <= 0:
                        break
                    self._wake.wait(remaining)
                if not self._queue:
                    continue
                n = min(self._max_batch, len(self._queue))
                batch = [self._queue.popleft() for _ in range(n)]
                self._in_flight = n
                self._abandoned = False
            try:
                self._export(batch)
            except Exception as e:  # a bug here must not kill the thread
                with self._lock:
                    if not self._abandoned:
                        self.failed += len(batch)
                self._on_problem("internal", f"internal error while exporting: {e!r}")
            with self._lock:
                self._in_flight = 0
                self._abandoned = False
                if not self._queue:
                    self._idle.notify_all()

    def _count(self, **kw: int) -> None:
        with self._lock:
            if self._abandoned:
                return
            for k, v in kw.items():
                setattr(self, k, getattr(self, k) + v)

    def _export(self, events: List[Dict[str, Any]]) -> None:
        batch, bad = encode_batch(events, self._gzip)
        if bad:
            self._count(failed=bad)
            self._on_problem("unserializable", f"{bad} event(s) could not be serialized to JSON and were dropped")
        if batch is None:
            return
        batch.route = self._route
        attempt = 0
        while True:
            try:
                result: ExportResult = self._transport.send(batch)
            except Exception as e:
                result = Retryable(reason=repr(e))
            if isinstance(result, Ok):
                rejected = min(len(result.rejected), batch.count)
                self._count(sent=batch.count - rejected, failed=rejected)
                if rejected:
                    first = result.rejected[0] if isinstance(result.rejected[0], dict) else {}
                    self._on_problem("event-rejected", f"server rejected {rejected} event(s); first: field {first.get('field')}: {first.get('error')}")
                return
            if isinstance(result, Rejected):
                self._count(failed=batch.count)
                self._on_problem(
                    f"http-{result.http_status}",
                    f"server refused a batch with HTTP {result.http_status}: {result.message} (events dropped, not retried)",
                )
                return
            if attempt >= self._max_retries:
                self._count(failed=batch.count)
                self._on_problem("retries-exhausted", f"gave up on a batch of {batch.count} after {attempt + 1} attempts: {result.reason}")
                return
            delay = retry_delay(attempt, result.retry_after, self._retry_base, self._retry_max, self._max_retry_after, self._rand)
            if not self._wait_for_retry(delay):
                self._count(failed=batch.count)
                self._on_problem("deadline", f"flush deadline passed while retrying ({result.reason}); {batch.count} event(s) dropped")
                return
            self._count(retried=1)
            attempt += 1

    def _wait_for_retry(self, delay: float) -> bool:
        """Sleeps `delay` unless a deadline set meanwhile would pass first; False means give up."""
        until = self._now() + delay
        with self._lock:
            while True:
                if until > self._deadline or self._abandoned:
                    return False
                remaining = until - self._now()
                if remaining <= 0:
                    return True
                self._wake.wait(remaining)


def retry_delay(retry: int, retry_after: Optional[float], base: float, cap: float, max_retry_after: float, rand: Callable[[], float]) -> float:
    """The server's Retry-After (plus up to 10% jitter) when given, else exponential backoff with jitter."""
    if retry_after is not None:
        wait = min(max_retry_after, max(0.0, retry_after))
        return wait + wait * 0.1 * rand()
    ceiling = min(cap, base * (2 ** min(retry, 30)))
    return ceiling / 2 + ceiling / 2 * rand()


def encode_batch(events: List[Dict[str, Any]], use_gzip: bool) -> "tuple[Optional[EncodedBatch], int]":
    parts: List[str] = []
    bad = 0
    for e in events:
        try:
            parts.append(json.dumps(e, separators=(",", ":"), ensure_ascii=False, allow_nan=False))
        except (TypeError, ValueError):
            bad += 1
    if not parts:
        return None, bad
    raw = ("[" + ",".join(parts) + "]").encode("utf-8")
    key = str(uuid.uuid4())
    if use_gzip and len(raw) >= _GZIP_MIN_BYTES:
        return EncodedBatch(gzip.compress(raw, compresslevel=6), True, len(parts), key), bad
    return EncodedBatch(raw, False, len(parts), key), bad
