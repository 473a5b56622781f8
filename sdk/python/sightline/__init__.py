"""Sightline client for AI agents: standard library only, never blocks or breaks the agent."""

from ._client import Sightline
from ._span import Span
from ._transport import EncodedBatch, Ok, Rejected, Retryable

__all__ = ["Sightline", "Span", "EncodedBatch", "Ok", "Rejected", "Retryable"]
__version__ = "0.1.0"
