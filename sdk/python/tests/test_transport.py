import unittest

import support  # noqa: F401  (puts the package on sys.path)

from sightline._transport import Ok, Rejected, Retryable, classify, parse_retry_after


class ClassifyTest(unittest.TestCase):
    def test_maps_each_status_to_what_it_means_for_the_batch(self):
        self.assertEqual(classify(200, b'{"accepted": 3, "rejected": []}', None), Ok(accepted=3, rejected=[]))
        self.assertEqual(classify(200, b"<html>", None), Ok(accepted=-1))
        self.assertEqual(classify(400, b'{"error": {"message": "body is not JSON"}}', None), Rejected(400, "body is not JSON"))
        self.assertEqual(classify(401, b'{"error": "invalid key"}', None), Rejected(401, "invalid key"))
        self.assertEqual(classify(413, b"", None), Rejected(413, "(empty body)"))
        self.assertEqual(classify(429, b"", "2"), Retryable("HTTP 429", 2.0))
        self.assertEqual(classify(503, b"", None), Retryable("HTTP 503", None))

    def test_retry_after_reads_seconds_and_http_dates(self):
        now = 1735689600.0  # 2025-01-01T00:00:00Z
        self.assertEqual(parse_retry_after("120", now), 120.0)
        self.assertEqual(parse_retry_after("Wed, 01 Jan 2025 00:00:30 GMT", now), 30.0)
        self.assertEqual(parse_retry_after("Tue, 31 Dec 2024 00:00:00 GMT", now), 0.0)
        self.assertIsNone(parse_retry_after("soon", now))
        self.assertIsNone(parse_retry_after(None, now))


if __name__ == "__main__":
    unittest.main()
