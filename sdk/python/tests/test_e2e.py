"""End to end against the real Sightline server: events are read back through the query API with
exact values. Uses SIGHTLINE_TEST_URL / SIGHTLINE_TEST_KEY when set, else starts the built server."""

import time
import unittest

from support import RealServer, closed_port

from sightline import Sightline

# Stats of the score queue when no score was sent.
NO_SCORES = {"queued": 0, "sent": 0, "dropped": 0, "retried": 0, "failed": 0}

# The server marks native events with the SDK that sent them (its User-Agent), for its telemetry doctor.
SDK = "sightline-sdk-python/0.1.0"


class RealServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RealServer()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def client(self, **kw):
        return Sightline(endpoint=self.server.url, api_key=self.server.key, agent_id="e2e-py", flush_at_exit=False, **kw)

    def test_nested_trace_is_stored_with_exact_values(self):
        sl = self.client()
        try:
            with sl.trace("handle ticket", session_id="sess-py", user_id="user-7") as root:
                trace_id = root.trace_id
                sl.llm_call(name="plan", model="gpt-4o-mini", provider="openai", tokens_input=1200, tokens_output=150, tokens_cache_read=1000, latency_ms=640.0)
                sl.decision("route", chosen="refund", confidence=0.82, options=["refund", "escalate"])
                with sl.span("tool_call", "lookup_order", attributes={"order": "A-17"}):
                    raise LookupError("order not found")
        except LookupError:
            pass
        sl.shutdown()
        self.assertEqual(sl.stats(), {"queued": 0, "sent": 4, "dropped": 0, "retried": 0, "failed": 0, "sampled_out": 0, "scores": NO_SCORES})
        body = self.server.read_trace(trace_id)
        self.assertEqual(body["trace_id"], trace_id)
        by = {s["name"]: s for s in body["spans"]}
        self.assertEqual(len(body["spans"]), 4)
        root = by["handle ticket"]
        self.assertEqual(
            (root["agent_id"], root["span_type"], root["session_id"], root["user_id"], root["error_type"], root["error_message"], root.get("parent_span_id")),
            ("e2e-py", "agent_step", "sess-py", "user-7", "LookupError", "order not found", None),
        )
        plan = by["plan"]
        self.assertEqual(
            {k: plan[k] for k in ("span_type", "model", "provider", "tokens_input", "tokens_output", "tokens_cache_read", "latency_ms", "parent_span_id", "session_id")},
            {"span_type": "llm_call", "model": "gpt-4o-mini", "provider": "openai", "tokens_input": 1200, "tokens_output": 150, "tokens_cache_read": 1000,
             "latency_ms": 640.0, "parent_span_id": root["span_id"], "session_id": "sess-py"},
        )
        route = by["route"]
        self.assertEqual((route["decision_made"], route["confidence"], route["attributes"]), ("refund", 0.82, {"options": ["refund", "escalate"], "sightline.sdk": SDK}))
        tool = by["lookup_order"]
        self.assertEqual((tool["error_type"], tool["error_message"], tool["attributes"]), ("LookupError", "order not found", {"order": "A-17", "sightline.sdk": SDK}))

    def test_bad_key_is_refused_counted_and_not_retried(self):
        sl = Sightline(endpoint=self.server.url, api_key="sl_wrong", flush_at_exit=False)
        with self.assertLogs("sightline", "WARNING") as logs:
            sl.tool_call("x")
            sl.shutdown()
        self.assertEqual((sl.stats()["sent"], sl.stats()["failed"], sl.stats()["retried"]), (0, 1, 0))
        self.assertIn("HTTP 401", logs.output[0])


class ServerDownThenUpTest(unittest.TestCase):
    def test_loses_nothing_within_the_queue_bound(self):
        port = closed_port()
        key = "sl_admin_pytest_late_0123456789abcdef"
        sl = Sightline(endpoint=f"http://127.0.0.1:{port}", api_key=key, agent_id="late-server", flush_at_exit=False,
                       flush_interval=0.05, retry_base=0.1, retry_max=0.5, max_retries=60)
        with sl.trace("early") as root:
            for i in range(99):
                sl.tool_call(f"call-{i}", latency_ms=float(i))
        time.sleep(0.3)
        self.assertGreater(sl.stats()["retried"], 0)
        server = RealServer(port=port, key=key)
        try:
            self.assertTrue(sl.flush(30))
            self.assertEqual((sl.stats()["sent"], sl.stats()["dropped"], sl.stats()["failed"]), (100, 0, 0))
            self.assertEqual(len(server.read_trace(root.trace_id)["spans"]), 100)
        finally:
            sl.shutdown()
            server.stop()


if __name__ == "__main__":
    unittest.main()
