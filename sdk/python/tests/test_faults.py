"""The client against a faulty network peer: whatever the server does, the agent keeps running."""

import logging
import subprocess
import sys
import textwrap
import time
import unittest

from support import FaultyServer, closed_port

from sightline import Sightline

# Stats of the score queue when no score was sent.
NO_SCORES = {"queued": 0, "sent": 0, "dropped": 0, "retried": 0, "failed": 0}


def make(url, **kw):
    logger = logging.getLogger(f"sightline.test.{time.monotonic_ns()}")
    logger.propagate = False
    records = []
    logger.addHandler(type("H", (logging.Handler,), {"emit": lambda self, r: records.append(r.getMessage())})())
    kw.setdefault("retry_base", 0.01)
    sl = Sightline(endpoint=url, api_key="sl_test_key", agent_id="fault-agent", flush_at_exit=False, logger=logger, rand=lambda: 0.0, **kw)
    return sl, records


def record(sl, n):
    for i in range(n):
        with sl.span("tool_call", f"t{i}"):
            pass


class FaultTest(unittest.TestCase):
    def test_gzip_auth_and_one_idempotency_key_across_retries(self):
        srv = FaultyServer([{"status": 503}, {"status": 502, "body": "<html>bad gateway</html>"}])
        try:
            sl, _ = make(srv.url)
            record(sl, 50)
            self.assertTrue(sl.flush(10))
            self.assertEqual([r["headers"].get("Content-Encoding") for r in srv.requests], ["gzip"] * 3)
            self.assertEqual(srv.requests[0]["headers"]["Authorization"], "Bearer sl_test_key")
            self.assertEqual(len({r["headers"]["Idempotency-Key"] for r in srv.requests}), 1)
            self.assertEqual([e["name"] for e in srv.accepted], [f"t{i}" for i in range(50)])
            self.assertEqual(sl.stats(), {"queued": 0, "sent": 50, "dropped": 0, "retried": 2, "failed": 0, "sampled_out": 0, "scores": NO_SCORES})
        finally:
            srv.close()

    def test_429_retry_after_is_honoured(self):
        srv = FaultyServer([{"status": 429, "headers": {"Retry-After": "1"}}])
        try:
            sl, _ = make(srv.url)
            record(sl, 3)
            self.assertTrue(sl.flush(10))
            self.assertEqual(len(srv.requests), 2)
            gap = srv.requests[1]["at"] - srv.requests[0]["at"]
            self.assertGreaterEqual(gap, 0.95)
            self.assertLess(gap, 2.0)
            self.assertEqual(sl.stats()["sent"], 3)
            self.assertEqual(sl.stats()["retried"], 1)
        finally:
            srv.close()

    def test_refused_statuses_are_not_retried_and_logged_once(self):
        for status in (400, 401, 403, 413):
            with self.subTest(status=status):
                srv = FaultyServer(fallback={"status": status, "body": '{"error": {"message": "nope %d"}}' % status})
                try:
                    sl, logs = make(srv.url, max_batch_size=2)
                    record(sl, 4)
                    self.assertTrue(sl.flush(10))
                    self.assertEqual(len(srv.requests), 2)
                    self.assertEqual(sl.stats(), {"queued": 0, "sent": 0, "dropped": 0, "retried": 0, "failed": 4, "sampled_out": 0, "scores": NO_SCORES})
                    self.assertEqual(logs, [f"[sightline] server refused a batch with HTTP {status}: nope {status} (events dropped, not retried)"])
                finally:
                    srv.close()

    def test_garbage_200_counts_as_delivered(self):
        srv = FaultyServer(fallback={"status": 200, "body": "not json {{{"})
        try:
            sl, _ = make(srv.url)
            record(sl, 3)
            self.assertTrue(sl.flush(10))
            self.assertEqual(sl.stats()["sent"], 3)
        finally:
            srv.close()

    def test_hang_up_and_slow_server_are_retried(self):
        srv = FaultyServer([{"status": 200, "hang_up": True}, {"status": 200, "delay": 0.5}])
        try:
            sl, _ = make(srv.url, request_timeout=0.2)
            record(sl, 3)
            self.assertTrue(sl.flush(10))
            self.assertEqual(len(srv.requests), 3)
            self.assertEqual((sl.stats()["sent"], sl.stats()["retried"]), (3, 2))
        finally:
            srv.close()

    def test_server_down_then_up_loses_nothing(self):
        port = closed_port()
        sl, _ = make(f"http://127.0.0.1:{port}", max_retries=50, retry_base=0.02, retry_max=0.1, flush_interval=0.01)
        record(sl, 200)
        time.sleep(0.2)
        self.assertGreater(sl.stats()["retried"], 0)
        srv = FaultyServer(port=port)
        try:
            self.assertTrue(sl.flush(10))
            self.assertEqual(len(srv.accepted), 200)
            self.assertEqual((sl.stats()["sent"], sl.stats()["dropped"], sl.stats()["failed"]), (200, 0, 0))
        finally:
            srv.close()

    def test_hot_path_stays_fast_while_server_hangs_and_shutdown_is_bounded(self):
        srv = FaultyServer(fallback={"status": 200, "delay": 3})
        try:
            sl, _ = make(srv.url, max_batch_size=10, max_queue_size=100)
            t0 = time.perf_counter()
            record(sl, 1000)
            self.assertLess(time.perf_counter() - t0, 0.5)
            t1 = time.perf_counter()
            sl.shutdown(0.3)
            self.assertLess(time.perf_counter() - t1, 1.0)
            s = sl.stats()
            self.assertEqual((s["queued"], s["sent"]), (0, 0))
            self.assertEqual(s["dropped"] + s["failed"], 1000)
        finally:
            srv.close()

    def test_flushes_at_exit_within_bound(self):
        srv = FaultyServer()
        slow = FaultyServer(fallback={"status": 200, "delay": 20})
        try:
            script = textwrap.dedent(
                """
                import sys
                sys.path.insert(0, sys.argv[2])
                from sightline import Sightline
                sl = Sightline(endpoint=sys.argv[1], api_key="k", flush_interval=600, exit_flush_timeout=0.5)
                for i in range(7):
                    sl.tool_call(f"t{i}")
                """
            )
            import os

            pkg = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
            subprocess.run([sys.executable, "-c", script, srv.url, pkg], check=True, timeout=20)
            self.assertEqual([e["name"] for e in srv.accepted], [f"t{i}" for i in range(7)])
            t0 = time.monotonic()
            subprocess.run([sys.executable, "-c", script, slow.url, pkg], check=True, timeout=20, stderr=subprocess.DEVNULL)
            self.assertLess(time.monotonic() - t0, 3.0)
        finally:
            srv.close()
            slow.close()


if __name__ == "__main__":
    unittest.main()
