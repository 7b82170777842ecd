"""Dashboard and public pages under load, at demo scale, against a real ``tillit serve``.

The demo is built in a temporary directory (``python -m tillit demo --no-serve``: the real
registry, the 455-case synthetic survey, the register, the corpus; the observatory's part
publishes the public site). gunicorn then serves it as ``tillit serve`` starts it (3 workers x 2
threads), and 8 client threads (4 in quick mode), each with its own keep-alive connection,
request a mix of pages as fast as the server answers:

* the members' dashboard (logged in as the demo owner), default filters and Norway only;
* the public site's index and its open data page;
* a figure download (CSV) and an open data download (survey indicators, CSV).

The same mix is first requested by one client alone (``one_client_p50``: the service time of a
request without queueing).

Each URL is requested a few times first (warm-up): the first request of a data version draws
the figures (maps take about a second each) and stores them in the figure cache
(``DIR/cache/observatory``, shared by the workers); later requests only read them. Figures:
p50 and p95 latency per page kind and the overall p95. Peer: ``/healthz`` (the same server's
smallest Django response) under the same load, the floor of a request.

Goal: p95 under 150 ms for the dashboard and public pages.
"""

from __future__ import annotations

import http.client
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks.bench_survey_load import _base_env, _free_port, start_server, stop_server

SLUG = "synthetic-demo"
PAGES = {
    "dashboard": f"/p/{SLUG}/observatory/",
    "dashboard_no": f"/p/{SLUG}/observatory/?country=NO",
    "public": f"/public/{SLUG}/",
    "public_data": f"/public/{SLUG}/data/",
    "figure_csv": f"/p/{SLUG}/observatory/figure/status-map.csv",
    "open_data_csv": f"/public/{SLUG}/data/survey_indicators.csv",
}
MEMBER = {"dashboard", "dashboard_no", "figure_csv"}


def build_demo(tmp: Path, env: dict[str, str]) -> tuple[str, float]:
    pdir = tmp / "demo"
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tillit", "demo", "--dir", str(pdir), "--no-serve"],
        env=env,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    return str(pdir), time.perf_counter() - t0


def login(port: int) -> str:
    """The session cookie of the demo owner."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/accounts/login/")
    resp = conn.getresponse()
    page = resp.read().decode()
    cookie = _cookies(resp)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = urlencode({"username": "owner", "password": "tillit-demo", "csrfmiddlewaretoken": token})
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    resp = conn.getresponse()
    resp.read()
    if resp.status != 302:
        raise RuntimeError(f"log-in failed: HTTP {resp.status}")
    return "; ".join(filter(None, [cookie, _cookies(resp)]))


def _cookies(resp: http.client.HTTPResponse) -> str:
    return "; ".join(v.split(";", 1)[0] for k, v in resp.getheaders() if k.lower() == "set-cookie")


def _get(conn: http.client.HTTPConnection, path: str, cookie: str) -> tuple[int, int]:
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    resp = conn.getresponse()
    body = resp.read()
    return resp.status, len(body)


def client(
    port: int, cookie: str, paths: list[tuple[str, str]], out: dict[str, list[float]], errors: list
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for kind, path in paths:
        t0 = time.perf_counter()
        try:
            status, _size = _get(conn, path, cookie if kind in MEMBER else "")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{path}: {exc}")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            continue
        elapsed = time.perf_counter() - t0
        if status != 200:
            errors.append(f"{path}: HTTP {status}")
        out.setdefault(kind, []).append(elapsed)
    conn.close()


def load(port: int, cookie: str, n_threads: int, rounds: int, pages: dict[str, str]):
    out: dict[str, list[float]] = {}
    errors: list[str] = []
    mix = list(pages.items())
    threads = []
    for i in range(n_threads):
        paths = [mix[(i + j) % len(mix)] for j in range(rounds * len(mix))]
        threads.append(
            threading.Thread(target=client, args=(port, cookie, paths, out, errors), daemon=True)
        )
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out, errors, time.perf_counter() - t0


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run(quick: bool) -> list[dict[str, Any]]:
    n_threads, rounds = (4, 5) if quick else (8, 15)
    env = _base_env(None)
    with tempfile.TemporaryDirectory(prefix="tillit-bench-obs-") as tmp:
        pdir, build_s = build_demo(Path(tmp), env)
        port = _free_port()
        server = start_server(pdir, port, 3, 2, env, persistent=False)
        try:
            cookie = login(port)
            t0 = time.perf_counter()
            for kind, path in PAGES.items():  # the first, cold request: draws the figures
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                _get(conn, path, cookie if kind in MEMBER else "")
                conn.close()
            cold_s = time.perf_counter() - t0
            load(port, cookie, 6, 2, PAGES)  # every worker reads its inputs once
            single, _e, _w = load(port, cookie, 1, rounds, PAGES)  # one client: service time
            out, errors, wall = load(port, cookie, n_threads, rounds, PAGES)
            floor, _e, _w = load(port, "", n_threads, rounds, {"healthz": "/healthz"})
        finally:
            stop_server(server)
    floor_p95 = _percentile(floor["healthz"], 95) * 1000
    common = {"threads": n_threads, "errors": len(errors), "workers": "3x2"}
    entries: list[dict[str, Any]] = []
    everything = [x for kind in out for x in out[kind]]
    for kind in PAGES:
        lat = out.get(kind, [])
        for q in (50, 95):
            entries.append(
                {
                    "name": f"observatory.{kind}_p{q}",
                    "unit": "ms",
                    "value": _percentile(lat, q) * 1000,
                    "peer": f"/healthz p{q}, same server and load" if q == 95 else None,
                    "peer_value": floor_p95 if q == 95 else None,
                    "n": len(lat),
                    **common,
                }
            )
    alone = [x for kind in single for x in single[kind]]
    entries.append(
        {
            "name": "observatory.one_client_p50",
            "unit": "ms",
            "value": _percentile(alone, 50) * 1000,
            "peer": None,
            "peer_value": None,
            "n": len(alone),
            **common,
            "threads": 1,
        }
    )
    entries.append(
        {
            "name": "observatory.all_pages_p95",
            "unit": "ms",
            "value": _percentile(everything, 95) * 1000,
            "peer": "/healthz p95, same server and load",
            "peer_value": floor_p95,
            "n": len(everything),
            "requests_per_s": len(everything) / wall if wall else None,
            **common,
        }
    )
    entries.append(
        {
            "name": "observatory.first_requests_cold",
            "unit": "s",
            "value": cold_s,
            "peer": None,
            "peer_value": None,
            "n": len(PAGES),
            "demo_build_s": build_s,
            **common,
        }
    )
    if errors:
        print("errors:", errors[:5], file=sys.stderr)
    return entries


if __name__ == "__main__":
    for e in run("--quick" in sys.argv):
        peer = e.get("peer_value")
        extra = f"  (peer {peer:.1f})" if peer else ""
        print(f"{e['name']:42s} {e['value']:10.1f} {e['unit']}  n={e['n']}{extra}")
