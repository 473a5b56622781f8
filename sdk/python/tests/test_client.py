import asyncio
import logging
import threading
import unittest

from support import MemoryTransport

from sightline import Sightline

# Stats of the score queue when no score was sent.
NO_SCORES = {"queued": 0, "sent": 0, "dropped": 0, "retried": 0, "failed": 0}


def make(**kw):
    transport = MemoryTransport()
    sl = Sightline(agent_id="bot", transport=transport, flush_at_exit=False, **kw)
    return sl, transport


class TracingTest(unittest.TestCase):
    def test_nests_spans_and_records_fields(self):
        sl, t = make()
        with sl.trace("handle ticket", session_id="s1", user_id="u1") as root:
            with sl.span("tool_call", "search", attributes={"query": "refund"}):
                pass
            with sl.span("llm_call", "plan") as s:
                s.set(model="gpt-4o", provider="openai", tokens_input=120, tokens_output=30, tokens_cache_read=100)
            sl.decision("route", chosen="refund", confidence=0.82, options=["refund", "escalate"])
            sl.llm_call(model="claude-sonnet-4", provider="anthropic", tokens_input=10, tokens_output=2, latency_ms=900.0)
            sl.tool_call("lookup", latency_ms=12.0, error=TimeoutError("slow"))
        self.assertTrue(sl.flush(5))
        by = {e["name"]: e for e in t.events}
        self.assertEqual([e["name"] for e in t.events], ["search", "plan", "route", "claude-sonnet-4", "lookup", "handle ticket"])
        r = by["handle ticket"]
        self.assertEqual((r["span_type"], r["agent_id"], r["session_id"], r["user_id"]), ("agent_step", "bot", "s1", "u1"))
        self.assertNotIn("parent_span_id", r)
        self.assertRegex(r["trace_id"], r"^[0-9a-f]{32}$")
        self.assertRegex(r["span_id"], r"^[0-9a-f]{16}$")
        self.assertEqual(r["trace_id"], root.trace_id)
        for name in ("search", "plan", "route", "claude-sonnet-4", "lookup"):
            self.assertEqual(by[name]["parent_span_id"], r["span_id"])
            self.assertEqual(by[name]["trace_id"], r["trace_id"])
            self.assertEqual(by[name]["session_id"], "s1")
        self.assertEqual(by["search"]["attributes"], {"query": "refund"})
        self.assertEqual({k: by["plan"][k] for k in ("model", "provider", "tokens_input", "tokens_output", "tokens_cache_read")},
                         {"model": "gpt-4o", "provider": "openai", "tokens_input": 120, "tokens_output": 30, "tokens_cache_read": 100})
        self.assertEqual((by["route"]["decision_made"], by["route"]["confidence"], by["route"]["attributes"]), ("refund", 0.82, {"options": ["refund", "escalate"]}))
        self.assertEqual(by["claude-sonnet-4"]["latency_ms"], 900.0)
        self.assertEqual(by["lookup"]["error"], {"type": "TimeoutError", "message": "slow"})
        self.assertEqual(sl.stats(), {"queued": 0, "sent": 6, "dropped": 0, "retried": 0, "failed": 0, "sampled_out": 0, "scores": NO_SCORES})

    def test_records_and_reraises_the_same_exception(self):
        sl, t = make()
        boom = KeyError("missing")
        with self.assertRaises(KeyError) as ctx:
            with sl.trace("step"):
                raise boom
        self.assertIs(ctx.exception, boom)
        sl.flush(5)
        self.assertEqual(t.events[0]["error"], {"type": "KeyError", "message": "'missing'"})

    def test_decorator_sync_and_async_each_call_its_own_span(self):
        sl, t = make()

        @sl.span("tool_call")
        def search(q):
            return q.upper()

        @sl.trace("agent run")
        async def run():
            await asyncio.sleep(0.01)
            return search("a") + search("b")

        self.assertEqual(asyncio.run(run()), "AB")
        sl.flush(5)
        names = [e["name"] for e in t.events]
        self.assertEqual(names, ["TracingTest.test_decorator_sync_and_async_each_call_its_own_span.<locals>.search"] * 2 + ["agent run"])
        root = t.events[2]
        self.assertGreaterEqual(root["latency_ms"], 10.0)
        self.assertEqual({e["parent_span_id"] for e in t.events[:2]}, {root["span_id"]})
        self.assertEqual(len({e["span_id"] for e in t.events}), 3)

    def test_async_tasks_nest_under_their_own_parents(self):
        sl, t = make()

        async def worker(i):
            with sl.span("agent_step", f"w{i}"):
                await asyncio.sleep(0.01)
                with sl.span("tool_call", f"t{i}"):
                    pass

        async def main():
            with sl.trace("root"):
                await asyncio.gather(worker(1), worker(2))

        asyncio.run(main())
        sl.flush(5)
        by = {e["name"]: e for e in t.events}
        self.assertEqual(by["t1"]["parent_span_id"], by["w1"]["span_id"])
        self.assertEqual(by["t2"]["parent_span_id"], by["w2"]["span_id"])
        self.assertEqual(by["w1"]["parent_span_id"], by["root"]["span_id"])

    def test_content_only_when_enabled(self):
        sl, t = make()
        sl.llm_call(model="m", input="secret", output="answer")
        sl.flush(5)
        self.assertNotIn("input", t.events[0])
        sl2, t2 = make(capture_content=True, max_content_chars=6)
        sl2.llm_call(model="m", input=[{"role": "user"}], output="answer!!")
        sl2.flush(5)
        self.assertEqual((t2.events[0]["input"], t2.events[0]["output"]), ('[{"rol', "answer"))


class StartSpanTest(unittest.TestCase):
    def test_manual_span_is_a_child_but_not_current(self):
        sl, t = make()
        with sl.trace("root") as root:
            manual = sl.start_span("retrieval", "vector search", attributes={"k": 5})
            self.assertIs(sl.current_span(), root)
            manual.end()
            manual.end()
        sl.flush(5)
        self.assertEqual(len(t.events), 2)
        self.assertEqual((t.events[0]["name"], t.events[0]["parent_span_id"], t.events[0]["attributes"]), ("vector search", root.span_id, {"k": 5}))


class SamplingTest(unittest.TestCase):
    def test_keeps_whole_traces_at_the_rate_and_always_error_traces(self):
        draws = [0.9, 0.1, 0.9]
        sl, t = make(sample_rate=0.5, rand=lambda: draws.pop(0) if draws else 0.0)
        with sl.trace("dropped"):
            with sl.span("tool_call", "child"):
                pass
        with sl.trace("kept"):
            with sl.span("tool_call", "child"):
                pass
        try:
            with sl.trace("failed"):
                with sl.span("tool_call", "ok-child"):
                    pass
                with sl.span("tool_call", "bad-child"):
                    raise ValueError("x")
        except ValueError:
            pass
        sl.flush(5)
        self.assertEqual([e["name"] for e in t.events], ["child", "kept", "ok-child", "bad-child", "failed"])
        self.assertEqual(sl.stats()["sampled_out"], 2)


class NeverBreaksTheAgentTest(unittest.TestCase):
    def test_unserializable_attributes_and_calls_after_shutdown(self):
        sl, t = make()
        cyclic = {}
        cyclic["self"] = cyclic
        with self.assertLogs("sightline", "WARNING") as logs:
            with sl.span("custom", "cyclic") as s:
                s.set(attributes={"c": cyclic})
            with sl.span("custom", "fine"):
                pass
            sl.flush(5)
        self.assertEqual(logs.output, ["WARNING:sightline:[sightline] 1 event(s) could not be serialized to JSON and were dropped"])
        self.assertEqual([e["name"] for e in t.events], ["fine"])
        self.assertEqual(sl.stats()["failed"], 1)
        sl.shutdown()
        with sl.span("custom", "late"):
            pass
        sl.llm_call(model="x")
        self.assertEqual(sl.stats()["dropped"], 2)

    def test_bad_options_are_reported_and_replaced_by_defaults(self):
        with self.assertLogs("sightline", "WARNING") as logs:
            sl, t = make(max_batch_size="lots", sample_rate=7, flush_interval=-1)
        self.assertEqual(logs.output, [
            "WARNING:sightline:[sightline] sample_rate=7 must be in [0, 1]; using 1",
            "WARNING:sightline:[sightline] max_batch_size='lots' must be a number >= 1; using 500",
            "WARNING:sightline:[sightline] flush_interval=-1 must be a number >= 0.001; using 1.0",
        ])
        sl.tool_call("x")
        self.assertTrue(sl.flush(5))
        self.assertEqual(len(t.events), 1)

    def test_queue_full_drops_and_counts_and_logs_once(self):
        class Stuck:
            def __init__(self):
                self.release = threading.Event()

            def send(self, batch):
                self.release.wait(5)
                from sightline import Ok
                return Ok(accepted=batch.count)

        stuck = Stuck()
        logger = logging.getLogger("sightline.test.queue")
        with self.assertLogs(logger, "WARNING") as logs:
            sl = Sightline(transport=stuck, flush_at_exit=False, max_batch_size=5, max_queue_size=10, logger=logger)
            for i in range(100):
                sl.tool_call(f"t{i}")
            stuck.release.set()
            sl.flush(5)
        s = sl.stats()
        self.assertEqual(s["sent"] + s["dropped"], 100)
        self.assertGreaterEqual(s["dropped"], 85)
        self.assertEqual(len(logs.output), 1)
        self.assertIn("queue full (10 events)", logs.output[0])


if __name__ == "__main__":
    unittest.main()
