"""The load client against a tiny loopback server: requests counted after the warm-up, a 500
counted as an error, percentiles in order."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from load import run_load


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        body = b"ok" * 100
        self.send_response(500 if self.path == "/broken" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_load_client_counts_pages_errors_and_latency():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        r = run_load(base, ["/", "/a", "/broken"], concurrency=4, duration=1.0, warmup=0.2)
    finally:
        server.shutdown()
    assert r["requests"] > 10 and r["errors"] > 0
    assert "HTTP 500" in r["error_examples"][0]
    assert r["p50_ms"] <= r["p95_ms"] <= r["p99_ms"] <= r["max_ms"]
    assert r["mean_bytes"] == 200
