"""Test helpers: an in-memory transport, a scripted faulty HTTP peer, and the real Sightline server."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import sys
from typing import Any, Dict, List, Optional

# Tests run as `python3 -m unittest discover -s sdk/python/tests`: make the package importable.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

from sightline import Ok  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class MemoryTransport:
    """Accepts everything and keeps the decoded events."""

    def __init__(self) -> None:
        self.events: List[Dict[str, Any]] = []

    def send(self, batch: Any) -> Ok:
        body = gzip.decompress(batch.body) if batch.gzipped else batch.body
        events = json.loads(body)
        self.events.extend(events)
        return Ok(accepted=len(events))


class FaultyServer:
    """A tiny HTTP peer answering each request with the next scripted reply, then `fallback`.
    A reply is a dict: status, headers, body, delay (seconds), hang_up (close without answering)."""

    def __init__(self, script: Optional[List[Dict[str, Any]]] = None, fallback: Optional[Dict[str, Any]] = None, port: int = 0) -> None:
        self.script = list(script or [])
        self.fallback = fallback or {"status": 200}
        self.requests: List[Dict[str, Any]] = []
        self.accepted: List[Dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    raw = gzip.decompress(raw)
                events = json.loads(raw)
                outer.requests.append({"headers": dict(self.headers), "events": events, "at": time.monotonic()})
                reply = outer.script.pop(0) if outer.script else outer.fallback
                if reply.get("delay"):
                    time.sleep(reply["delay"])
                if reply.get("hang_up"):
                    self.close_connection = True
                    self.connection.close()
                    return
                status = reply["status"]
                if 200 <= status < 300:
                    outer.accepted.extend(events)
                body = reply.get("body")
                if body is None:
                    body = json.dumps({"accepted": len(events), "rejected": []} if status < 300 else {"error": {"message": f"status {status}"}})
                data = body.encode()
                try:
                    self.send_response(status)
                    for k, v in reply.get("headers", {}).items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting (a timeout test): nothing to answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port() -> int:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class RealServer:
    """The real Sightline server: from SIGHTLINE_TEST_URL / SIGHTLINE_TEST_KEY, or started here."""

    def __init__(self, port: int = 0, key: Optional[str] = None) -> None:
        self.proc: Optional[subprocess.Popen] = None
        self.data_dir: Optional[str] = None
        env_url = os.environ.get("SIGHTLINE_TEST_URL")
        if env_url and port == 0:
            self.url = env_url.rstrip("/")
            self.key = os.environ["SIGHTLINE_TEST_KEY"]
            return
        self.key = key or f"sl_admin_pytest_{os.getpid()}_0123456789abcdef"
        self.data_dir = tempfile.mkdtemp(prefix="sightline-py-")
        cli = os.path.join(REPO, "packages", "server", "bin", "sightline.js")
        self.proc = subprocess.Popen(
            ["node", cli, "serve", "--port", str(port), "--data", self.data_dir],
            env={**os.environ, "SIGHTLINE_ADMIN_KEY": self.key, "NO_COLOR": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        out = []
        deadline = time.monotonic() + 30
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("sightline server exited:\n" + "".join(out))
            out.append(line)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if m:
                self.url = f"http://127.0.0.1:{m.group(1)}"
                threading.Thread(target=self._drain, daemon=True).start()
                return
        raise RuntimeError("sightline server did not start in 30 s:\n" + "".join(out))

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for _ in self.proc.stdout:
            pass

    def read_trace(self, trace_id: str) -> Dict[str, Any]:
        import urllib.request

        req = urllib.request.Request(f"{self.url}/api/traces/{trace_id}", headers={"Authorization": f"Bearer {self.key}"})
        with urllib.request.urlopen(req, timeout=10) as res:
            return json.loads(res.read())

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stdout is not None:
                self.proc.stdout.close()
        if self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
