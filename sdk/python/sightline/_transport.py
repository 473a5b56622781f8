"""Sends one encoded batch to POST {endpoint}/v1/events (or /v1/scores) and classifies the answer as a value."""

from __future__ import annotations

import email.utils
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

_NON_RETRYABLE = {400, 401, 403, 413, 415}
_MAX_RESPONSE_BYTES = 64 * 1024


@dataclass
class EncodedBatch:
    body: bytes
    gzipped: bool
    count: int
    # Same for every attempt of this batch, so the server can drop duplicates of a retried request.
    idempotency_key: str
    # Where it goes: "events" (/v1/events, span events) or "scores" (/v1/scores).
    route: str = "events"


@dataclass
class Ok:
    accepted: int
    rejected: List[Dict[str, Any]] = field(default_factory=list)


@dataclass
class Rejected:
    http_status: int
    message: str


@dataclass
class Retryable:
    reason: str
    retry_after: Optional[float] = None  # seconds


ExportResult = Union[Ok, Rejected, Retryable]


class HttpTransport:
    """Posts batches with urllib. `send` returns a result and never raises."""

    def __init__(self, endpoint: str, api_key: str, timeout: float) -> None:
        self._url = endpoint.rstrip("/") + "/v1/events"
        self._scores_url = endpoint.rstrip("/") + "/v1/scores"
        self._api_key = api_key
        self._timeout = timeout

    def send(self, batch: EncodedBatch) -> ExportResult:
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": batch.idempotency_key,
            "User-Agent": "sightline-sdk-python/0.1.0",
        }
        if self._api_key:
            headers["Authorization"] = "Bearer " + self._api_key
        if batch.gzipped:
            headers["Content-Encoding"] = "gzip"
        url = self._scores_url if batch.route == "scores" else self._url
        req = urllib.request.Request(url, data=batch.body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self._timeout) as res:
                body = res.read(_MAX_RESPONSE_BYTES)
                return classify(res.status, body, res.headers.get("Retry-After"))
        except urllib.error.HTTPError as e:
            try:
                body = e.read(_MAX_RESPONSE_BYTES)
            except Exception:
                body = b""
            return classify(e.code, body, e.headers.get("Retry-After") if e.headers else None)
        except Exception as e:  # network errors, timeouts, garbage responses
            return Retryable(reason=f"{type(e).__name__}: {e}")


def classify(status: int, body: bytes, retry_after: Optional[str]) -> ExportResult:
    """Decides what an HTTP answer means for the batch: delivered, never deliverable, or worth another try."""
    if 200 <= status < 300:
        parsed = _parse_json(body)
        if isinstance(parsed, dict):
            accepted = parsed.get("accepted")
            rejected = parsed.get("rejected")
            return Ok(
                accepted=accepted if isinstance(accepted, int) else -1,
                rejected=rejected if isinstance(rejected, list) else [],
            )
        return Ok(accepted=-1)
    if status == 408 or status == 429 or status >= 500:
        return Retryable(reason=f"HTTP {status}", retry_after=parse_retry_after(retry_after))
    if status in _NON_RETRYABLE or 400 <= status < 500:
        return Rejected(http_status=status, message=_server_message(body))
    return Retryable(reason=f"unexpected HTTP {status}")


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Retry-After as delta-seconds or an HTTP date, in seconds; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    v = value.strip()
    try:
        return max(0.0, float(v))
    except ValueError:
        pass
    try:
        dt = email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError):
        return None
    if dt is None:
        return None
    return max(0.0, dt.timestamp() - (time.time() if now is None else now))


def _server_message(body: bytes) -> str:
    parsed = _parse_json(body)
    if isinstance(parsed, dict):
        err = parsed.get("error")
        if isinstance(err, str):
            return err
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return err["message"]
        if isinstance(parsed.get("message"), str):
            return parsed["message"]
    text = body[:500].decode("utf-8", "replace")
    return text or "(empty body)"


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except Exception:
        return None
