"""A small support agent instrumented with the Sightline Python client. Its "LLM" is fake (sleeps a
little, returns token counts), so the traces look like real ones: plan → route decision → tool
calls → answer, with occasional tool failures.

Run against `npm run demo` (see README.md): SIGHTLINE_API_KEY=<key> python3 examples/python-agent/agent.py
"""

import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "sdk", "python"))

from sightline import Sightline  # noqa: E402

sl = Sightline(
    endpoint=os.environ.get("SIGHTLINE_ENDPOINT", "http://localhost:4318"),
    api_key=os.environ.get("SIGHTLINE_API_KEY"),
    agent_id=os.environ.get("SIGHTLINE_AGENT_ID", "example-support-agent-py"),
)


def fake_llm(prompt: str) -> dict:
    """Stands in for a model call: takes a moment, reports usage like a provider would."""
    time.sleep(0.04 + random.random() * 0.12)
    return {"text": "Your refund is on its way.", "prompt_tokens": 300 + len(prompt), "completion_tokens": random.randint(40, 240), "cached_tokens": 256}


def call_model(name: str, prompt: str) -> str:
    with sl.span("llm_call", name, model="claude-3-5-haiku-20241022", provider="anthropic") as span:
        r = fake_llm(prompt)
        span.set(tokens_input=r["prompt_tokens"], tokens_output=r["completion_tokens"], tokens_cache_read=r["cached_tokens"])
        return r["text"]


@sl.span("tool_call", "lookup_order")
def lookup_order(order_id: str) -> dict:
    time.sleep(0.01 + random.random() * 0.03)
    if random.random() < 0.08:
        raise TimeoutError("orders service timed out")
    return {"order_id": order_id, "status": "delivered"}


def handle_ticket(i: int) -> None:
    with sl.trace("handle_ticket", session_id=f"session-{i}", user_id=f"user-{i % 7}", attributes={"channel": random.choice(["email", "chat"])}):
        call_model("plan", f"Ticket {i}: where is my refund?")
        route = "refund" if random.random() < 0.7 else random.choice(["escalate", "ask_clarification"])
        sl.decision("route_ticket", chosen=route, confidence=round(0.55 + random.random() * 0.45, 3), options=["refund", "escalate", "ask_clarification"])
        lookup_order(f"A-{1000 + i}")
        if route == "refund":
            with sl.span("tool_call", "issue_refund"):
                time.sleep(0.015)
        call_model("answer", "write the reply")


def main() -> None:
    tickets = int(os.environ.get("TICKETS", "40"))
    failures = 0
    # Four worker threads: each ticket's spans nest under its own trace through contextvars.
    with ThreadPoolExecutor(4) as pool:
        for f in [pool.submit(handle_ticket, i) for i in range(tickets)]:
            try:
                f.result()
            except Exception:
                failures += 1
    sl.shutdown(timeout=5)
    print(f"handled {tickets} tickets ({failures} failed); sdk stats: {sl.stats()}")


if __name__ == "__main__":
    main()
