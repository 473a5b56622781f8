"""score() and feedback() end to end: queued in the background, sent to /v1/scores of the real
server and read back with GET /api/scores with exact values."""

import json
import unittest
import urllib.request

from support import RealServer

from sightline import Sightline


class ScoresTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RealServer()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def scores_of(self, query):
        req = urllib.request.Request(f"{self.server.url}/api/scores?{query}", headers={"Authorization": f"Bearer {self.server.key}"})
        with urllib.request.urlopen(req, timeout=10) as res:
            self.assertEqual(res.status, 200)
            return json.loads(res.read())["scores"]

    def test_scores_and_feedback_of_a_trace_a_span_and_a_session(self):
        sl = Sightline(endpoint=self.server.url, api_key=self.server.key, agent_id="e2e-py-scores", flush_at_exit=False)
        with sl.trace("answer", session_id="conv-py") as root:
            trace_id = root.trace_id
            with sl.span("llm_call", "draft") as draft:
                span_id = draft.span_id
            sl.score("helpfulness", 0.75, source="evaluator", comment="cites the policy", score_id="py-ev-1", timestamp=1_767_225_600_000)
        sl.score("groundedness", "grounded", trace_id=trace_id, span_id=span_id, source="evaluator", score_id="py-ev-2", timestamp=1_767_225_601_000)
        sl.feedback(False, trace_id=trace_id, comment="wrong amount", user_id="u-42", score_id="py-fb-1", timestamp=1_767_225_602_000)
        sl.feedback(4, name="csat", session_id="conv-py", score_id="py-fb-2", timestamp=1_767_225_603_000)
        with self.assertLogs("sightline", level="WARNING") as logs:
            sl.score("orphan", 1)  # outside a trace, naming nothing: dropped with a warning, never raised
        sl.shutdown()
        self.assertEqual(sl.stats()["scores"], {"queued": 0, "sent": 4, "dropped": 0, "retried": 0, "failed": 0})
        self.assertEqual(len(logs.output), 1)
        self.assertIn('score "orphan" names no trace, span or session and was called outside a trace', logs.output[0])

        rows = [(s["score_id"], s["target"], s["span_id"], s["name"], s["kind"], s["value"], s["label"], s["source"], s["comment"], s["author"])
                for s in self.scores_of(f"trace_id={trace_id}")]
        self.assertEqual(rows, [
            ("py-fb-1", "trace", None, "user_feedback", "boolean", 0, None, "user", "wrong amount", "u-42"),
            ("py-ev-2", "span", span_id, "groundedness", "category", None, "grounded", "evaluator", None, None),
            ("py-ev-1", "trace", None, "helpfulness", "number", 0.75, None, "evaluator", "cites the policy", None),
        ])
        session = [(s["score_id"], s["target"], s["name"], s["value"], s["source"]) for s in self.scores_of("session_id=conv-py")]
        self.assertEqual(session, [("py-fb-2", "session", "csat", 4, "user")])


if __name__ == "__main__":
    unittest.main()
