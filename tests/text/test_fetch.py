"""fetch() against a real local HTTP server: redirects, limits, timeouts, errors."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tillit.errors import ErrorCode
from tillit.text.fetch import MAX_REDIRECTS, FetchError, fetch

pytestmark = pytest.mark.slow

BODY = "Tillitsreform i kommunen: færre rapporteringskrav.".encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        if path == "/ok":
            self._send(200, BODY, {"Content-Type": "text/plain; charset=utf-8"})
        elif path == "/agent":
            self._send(200, self.headers.get("User-Agent", "").encode())
        elif path == "/gzip":
            self._send(200, gzip.compress(BODY), {"Content-Encoding": "gzip"})
        elif path == "/gzip-bomb":
            self._send(200, gzip.compress(b"\0" * 5_000_000), {"Content-Encoding": "gzip"})
        elif path == "/big-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(10**9))
            self.end_headers()
            self.wfile.write(b"x" * 1000)
        elif path == "/big-streamed":
            self.send_response(200)
            self.end_headers()  # no Content-Length: HTTP/1.0 read-until-close
            for _ in range(100):
                self.wfile.write(b"x" * 65536)
        elif path == "/slow":
            time.sleep(3)
            self._send(200, BODY)
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)
        elif path == "/loop":
            self._send(302, b"", {"Location": "/loop"})
        elif path.startswith("/hop/"):
            n = int(path.rsplit("/", 1)[1])
            self._send(302, b"", {"Location": f"/hop/{n - 1}" if n > 0 else "/ok"})
        elif path == "/to-file":
            self._send(301, b"", {"Location": "file:///etc/passwd"})
        else:
            self._send(404, b"not here")


class Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that give up (timeouts, size limits) break the pipe on purpose


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def failure(url: str, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, **kwargs)
    error = info.value
    assert error.hint or error.reason in ("redirects", "bad_url", "decoding")
    assert error.errors[0]["reason"] == error.reason
    return error


def test_ok(server):
    result = fetch(f"{server}/ok")
    assert result.data == BODY and result.status == 200
    assert result.content_type == "text/plain"
    assert result.url == result.final_url == f"{server}/ok"


def test_user_agent(server):
    assert fetch(f"{server}/agent").data.startswith(b"tillit/")
    assert fetch(f"{server}/agent", user_agent="forsker/1.0").data == b"forsker/1.0"


def test_gzip_is_decoded(server):
    assert fetch(f"{server}/gzip").data == BODY


def test_redirects_are_followed_up_to_the_limit(server):
    result = fetch(f"{server}/hop/{MAX_REDIRECTS - 1}")
    assert result.data == BODY and result.final_url == f"{server}/ok"
    error = failure(f"{server}/hop/{MAX_REDIRECTS}")
    assert error.reason == "redirects"


def test_redirect_loop(server):
    error = failure(f"{server}/loop")
    assert error.reason == "redirects" and "more than 5 redirects" in error.message


def test_redirect_to_file_scheme_is_refused(server):
    error = failure(f"{server}/to-file")
    assert error.reason == "bad_scheme" and "redirected from" in error.message


def test_http_status(server):
    error = failure(f"{server}/nothing")
    assert error.reason == "http_status" and error.status == 404
    assert "HTTP 404" in error.message and error.code == ErrorCode.EXTERNAL_TOOL


def test_too_large_declared_is_refused_before_reading(server):
    started = time.monotonic()
    error = failure(f"{server}/big-declared", max_bytes=10_000)
    assert error.reason == "too_large" and "declared size" in error.message
    assert time.monotonic() - started < 2


def test_too_large_while_streaming(server):
    error = failure(f"{server}/big-streamed", max_bytes=100_000)
    assert error.reason == "too_large"


def test_gzip_bomb_stops_at_the_limit(server):
    error = failure(f"{server}/gzip-bomb", max_bytes=1_000_000)
    assert error.reason == "too_large"


def test_timeout_waiting_for_headers(server):
    started = time.monotonic()
    error = failure(f"{server}/slow", timeout=0.5)
    assert error.reason == "timeout"
    assert time.monotonic() - started < 2.5


def test_timeout_for_the_whole_download(server):
    started = time.monotonic()
    error = failure(f"{server}/drip", timeout=1.0)  # each byte in time, the whole too slow
    assert error.reason == "timeout"
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/a.pdf", "data:text/plain,hei", "javascript:x", "x"],
)
def test_bad_schemes(url):
    error = failure(url)
    assert error.reason == "bad_scheme" and error.code == ErrorCode.INVALID_INPUT


def test_dns_failure():
    error = failure("http://no-such-host.invalid/dok.pdf", timeout=5)
    assert error.reason == "dns" and "cannot be resolved" in error.message


def test_connection_refused():
    import socket

    with socket.socket() as probe:  # a port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = failure(f"http://127.0.0.1:{port}/", timeout=5)
    assert error.reason == "connection"


def test_private_addresses_can_be_refused(server):
    error = failure(f"{server}/ok", allow_private=False)
    assert error.reason == "blocked" and "127.0.0.1" in error.message
