"""Respondents under load: page submissions against a real ``tillit serve`` on loopback.

A temporary project (``python -m tillit init``) gets a 30-item, 5-page questionnaire and a survey
with personal links (frame, contacts, tokens: all through the survey services, in a Django
subprocess). gunicorn then serves it exactly as ``tillit serve`` starts it, and 100 virtual
respondents (20 in quick mode), one thread and one keep-alive connection each, submit their 5
pages as fast as the server acknowledges them (no think time).

Each submission is the POST a browser sends on Next/Finish, with the signed page-view stamp a
page carries (made in advance with the project's key, so the client spends no time rendering
or parsing pages). Figures: acknowledged submissions per second (wall time from the start
signal to the last answer), p50 and p95 latency of one submission, and the answers lost
(every acknowledged answer is read back from the database afterwards; must be 0).

Peer (the ceiling): the same rows (the answers of one page and its page visit, one transaction
per page, as the service writes them) inserted into a fresh SQLite file with ``sqlite3``'s
``executemany`` and the same pragmas (WAL, synchronous=NORMAL), from one thread: what the
storage engine can do without HTTP, Django, validation or skip logic.

Run against PostgreSQL too by setting ``TILLIT_BENCH_DATABASE_URL=postgres://USER@HOST:PORT/``
(a scratch database is created there and dropped afterwards).

The gunicorn worker/thread layouts tried are in ``LAYOUTS``; ``2x4`` is ``tillit serve``'s default.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

N_PAGES = 5
N_ITEMS = 30
ROOT = Path(__file__).resolve().parent.parent
#: (workers, threads, persistent connections) per run; the first is `tillit serve` as it is.
LAYOUTS = [(2, 4, False), (3, 2, False), (2, 4, True), (3, 2, True)]
QUICK_LAYOUTS = [(2, 4, False)]


def persistent_app():  # type: ignore[no-untyped-def]
    """The WSGI application with persistent SQLite connections (``CONN_MAX_AGE`` = 60 s, with
    health checks), which tillit's settings give PostgreSQL but not SQLite: each request
    otherwise opens the file, runs the pragmas and, closing the last connection, checkpoints
    the WAL. gunicorn loads it as ``benchmarks.bench_survey_load:persistent_app()``."""
    from django.db import connections

    from tillit.web.wsgi import application

    connections.settings["default"]["CONN_MAX_AGE"] = 60
    connections.settings["default"]["CONN_HEALTH_CHECKS"] = True
    return application


# ---------------------------------------------------------------------------------------------
# The questionnaire: 5 pages x 6 items = 30 items


def questionnaire() -> str:
    """A 30-item, 5-page XLSForm (markdown): per page a yes/no, an integer, a 3-item matrix and
    a select_multiple; page 1 has a question shown only after "yes"."""
    langs = ("nb", "da", "en")
    names = {"nb": "Norsk bokmål (nb)", "da": "Dansk (da)", "en": "English (en)"}
    head = ["type", "name", *[f"label::{names[c]}" for c in langs], "required", "relevant"]
    head += ["constraint", "appearance"]
    rows: list[list[str]] = []

    def row(kind: str, name: str, label: str, **kw: str) -> None:
        rows.append(
            [
                kind,
                name,
                *[f"{label} ({c})" for c in langs],
                kw.get("required", ""),
                kw.get("relevant", ""),
                kw.get("constraint", ""),
                kw.get("appearance", ""),
            ]
        )

    for p in range(1, N_PAGES + 1):
        row("begin group", f"p{p}", f"Side {p}", appearance="field-list")
        row("select_one yn", f"p{p}_yn", f"Spørsmål {p}.1", required="yes")
        if p == 1:
            row(
                "integer",
                "p1_year",
                "Årstall",
                relevant="${p1_yn} = 'yes'",
                constraint=". >= 1990 and . <= 2026",
            )
        else:
            row("integer", f"p{p}_n", f"Antall {p}", constraint=". >= 0 and . <= 1000")
        row("begin group", f"p{p}_m", f"Hvor enig er du? {p}", appearance="field-list")
        for k in range(1, 4):
            row("select_one agree", f"p{p}_m{k}", f"Påstand {p}.{k}")
        row("end group", "", "")
        row("select_multiple area", f"p{p}_areas", f"Områder {p}")
        row("end group", "", "")

    def table(header: list[str], body: list[list[str]]) -> str:
        lines = ["|  | " + " | ".join(header) + " |"]
        lines += ["|  | " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines)

    choices = [["yn", "yes", "Ja", "Ja", "Yes"], ["yn", "no", "Nei", "Nej", "No"]]
    choices += [["agree", str(i), f"{i}", f"{i}", f"{i}"] for i in range(1, 6)]
    choices += [["area", a, a, a, a] for a in ("school", "care", "culture", "roads")]
    chead = ["list_name", "name", *[f"label::{names[c]}" for c in langs]]
    return (
        "\n\n".join(
            [
                "| survey |\n" + table(head, [[c if c else "" for c in r] for r in rows]),
                "| choices |\n" + table(chead, choices),
                "| settings |\n"
                + table(
                    ["form_title", "form_id", "version", "default_language"],
                    [["Load test", "load_test", "1", "nb"]],
                ),
            ]
        )
        + "\n"
    )


def answers_for(i: int) -> list[dict[str, Any]]:
    """What respondent ``i`` submits on each page (form fields)."""
    pages: list[dict[str, Any]] = []
    for p in range(1, N_PAGES + 1):
        data: dict[str, Any] = {f"p{p}_yn": "yes" if (i + p) % 3 else "no"}
        if p == 1:
            if data["p1_yn"] == "yes":
                data["p1_year"] = str(1990 + i % 30)
        else:
            data[f"p{p}_n"] = str((i * p) % 1000)
        for k in range(1, 4):
            data[f"p{p}_m{k}"] = str(1 + (i + k + p) % 5)
        data[f"p{p}_areas"] = ["school", "care"] if i % 2 else ["roads"]
        pages.append(data)
    return pages


def expected_rows(data: dict[str, Any]) -> dict[str, Any]:
    """The answer rows one page's form data should leave (stored JSON values)."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if k.endswith(("_year", "_n")):
            out[k] = int(v)
        else:
            out[k] = v
    if "p1_yn" in data and data["p1_yn"] == "no":
        pass  # p1_year is not relevant: no row
    return out


# ---------------------------------------------------------------------------------------------
# Project set-up and read-back (Django in subprocesses, TILLIT_DIR set)


SEED = textwrap.dedent(
    """
    import json, sys, datetime as dt
    from tillit.cli.context import setup_django
    from tillit import config
    setup_django(config.load_project_dir(sys.argv[1]))
    from django.utils import timezone
    from tillit.apps.core.models import Project
    from tillit.apps.surveys import services, tokens
    from tillit.apps.surveys.models import Contact
    from tillit.apps.surveys.respond_forms import sign_visit
    from tillit.apps.core.models import Membership
    n, N_PAGES = int(sys.argv[2]), int(sys.argv[4])
    form = open(sys.argv[3], "rb").read()
    project = Project.objects.get()
    owner = Membership.objects.filter(project=project).first().user
    iv = services.do_import_instrument(project, "load.md", form, actor=owner)
    survey = services.do_create_survey(project, "load", "Load test", iv, actor=owner)
    services.do_set_frame(survey, country="both", actor=owner)
    cases = list(survey.cases.order_by("id")[:n])
    lines = ["municipality code,name,e-mail,role,language"]
    for c in cases:
        email = f"{c.case_id}@example.invalid"
        lines.append(f"{c.municipality_code},Person {c.case_id},{email},chief,nb")
    services.do_import_contacts(survey, "c.csv", "\\n".join(lines).encode(), actor=owner,
                                skip_bad_rows=True)
    services.do_open_survey(survey, actor=owner)
    stamp_at = timezone.now() - dt.timedelta(seconds=20)
    contacts = Contact.objects.filter(case__in=cases).select_related("case").order_by("case_id")
    print(json.dumps({
        "survey": survey.pk,
        "tokens": [tokens.token_for(c) for c in contacts],
        "stamps": [sign_visit(i, stamp_at) for i in range(N_PAGES)],
    }))
    """
)

READ_BACK = textwrap.dedent(
    """
    import json, sys
    from tillit.cli.context import setup_django
    from tillit import config
    setup_django(config.load_project_dir(sys.argv[1]))
    from tillit.apps.surveys.models import Answer, Case
    from tillit.apps.surveys.tokens import case_for_token
    tokens = json.loads(open(sys.argv[2]).read())
    out = {}
    for t in tokens:
        case = case_for_token(t)
        out[t] = {
            "answers": dict(Answer.objects.filter(case=case).values_list("name", "value")),
            "complete": case.completed_at is not None,
            "disposition": case.disposition,
        }
    print(json.dumps(out))
    """
)


def _python(code: str, *args: str, env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"subprocess failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _base_env(database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"TILLIT_DIR", "DJANGO_SETTINGS_MODULE"}}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def make_project(tmp: Path, n_cases: int, env: dict[str, str]) -> dict[str, Any]:
    pdir = tmp / "project"
    subprocess.run(
        [sys.executable, "-m", "tillit", "init", str(pdir), "--password", "load-test-pass-1"],
        env=env,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    form = tmp / "load.md"
    form.write_text(questionnaire(), encoding="utf-8")
    seeded = json.loads(_python(SEED, str(pdir), str(n_cases), str(form), str(N_PAGES), env=env))
    seeded["dir"] = str(pdir)
    return seeded


# ---------------------------------------------------------------------------------------------
# Server and load


def start_server(
    pdir: str, port: int, workers: int, threads: int, env: dict[str, str], persistent: bool
):
    """gunicorn as `tillit serve` starts it (its argument list), with the given layout."""
    from tillit.cli.serve import gunicorn_argv

    argv = gunicorn_argv("127.0.0.1", port, workers)
    argv[argv.index("--threads") + 1] = str(threads)
    if persistent:
        argv[argv.index("tillit.web.wsgi:application")] = (
            "benchmarks.bench_survey_load:persistent_app()"
        )
    pythonpath = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        argv,
        env={
            **env,
            "TILLIT_DIR": pdir,
            "DJANGO_SETTINGS_MODULE": "tillit.web.settings",
            "PYTHONPATH": pythonpath,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + (proc.stderr.read() if proc.stderr else ""))
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not answer within 60 s")


def server_cpu_s(proc: subprocess.Popen) -> float | None:
    """CPU seconds used so far by gunicorn and its workers (Linux /proc), else None."""
    try:
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        total = 0
        for pid in [str(proc.pid), *children]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    except (OSError, ValueError, IndexError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def respondent(
    port: int,
    token: str,
    pages: list[dict[str, Any]],
    stamps: list[str],
    go: threading.Event,
    out: dict[str, Any],
    think_s: float = 0.0,
    seed: int = 0,
) -> None:
    """Submit every page; record each acknowledged page and its latency. With ``think_s``,
    wait a random time (exponential, that mean) before each page, as people reading do."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    go.wait()
    for n, data in enumerate(pages, start=1):
        if think_s:
            time.sleep(rng.expovariate(1 / think_s))
        last = n == len(pages)
        body = urlencode(
            {**data, "visit": stamps[n - 1], "action": "finish" if last else "next"}, doseq=True
        )
        expected = f"/s/{token}/done/" if last else f"/s/{token}/p/{n + 1}/"
        t0 = time.perf_counter()
        status, location = 0, ""
        for attempt in range(2):
            try:
                conn.request(
                    "POST",
                    f"/s/{token}/p/{n}/",
                    body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                r = conn.getresponse()
                r.read()
                status, location = r.status, r.getheader("Location", "")
                break
            except (http.client.RemoteDisconnected, ConnectionError) as exc:
                # an idle keep-alive connection the server closed: resend once, as browsers do
                # (a repeated submission of the same page view is stored once)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                if attempt:
                    out["errors"].append(f"page {n}: {exc!r}")
        latency = time.perf_counter() - t0
        if status == 302 and location == expected:
            out["latencies"].append(latency)
            out["acked"].append((token, n))
            out["done_at"] = max(out.get("done_at", 0.0), time.perf_counter())
        else:
            out["errors"].append(f"page {n}: HTTP {status} {location}")
            break  # the respondent would be shown that page again; this one stops here
    conn.close()


def load(port: int, seeded: dict[str, Any], n: int, think_s: float = 0.0) -> dict[str, Any]:
    """``n`` respondents at once, each submitting its pages back to back (``think_s`` = 0:
    the server's capacity) or after a think time (a paced, offered load)."""
    tokens = seeded["tokens"][:n]
    out: dict[str, Any] = {"latencies": [], "acked": [], "errors": []}
    go = threading.Event()
    threads = [
        threading.Thread(
            target=respondent,
            args=(port, t, answers_for(i), seeded["stamps"], go, out, think_s, i),
            daemon=True,
        )
        for i, t in enumerate(tokens)
    ]
    for t in threads:
        t.start()
    time.sleep(0.2)
    start = time.perf_counter()
    go.set()
    for t in threads:
        t.join(timeout=300)
    out["wall"] = out.get("done_at", time.perf_counter()) - start
    return out


def lost_answers(seeded: dict[str, Any], out: dict[str, Any], env: dict[str, str]) -> int:
    """Acknowledged answers that are not in the database with the value sent."""
    index = {t: i for i, t in enumerate(seeded["tokens"])}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(sorted({t for t, _ in out["acked"]}), f)
    try:
        stored = json.loads(_python(READ_BACK, seeded["dir"], f.name, env=env))
    finally:
        os.unlink(f.name)
    lost = 0
    for token, n in out["acked"]:
        want = expected_rows(answers_for(index[token])[n - 1])
        got = stored[token]["answers"]
        lost += sum(1 for k, v in want.items() if got.get(k) != v)
        if n == N_PAGES and not stored[token]["complete"]:
            lost += 1
    return lost


# ---------------------------------------------------------------------------------------------
# Peer: the same rows straight into SQLite


def ceiling(path: Path, n: int) -> tuple[float, int]:
    """Page submissions per second inserting the same rows with sqlite3 (one transaction per
    page: the page's answers, its page visit, the case's activity time)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE answer (id INTEGER PRIMARY KEY, case_id INTEGER, name TEXT, value TEXT, "
        "page TEXT, saved_at TEXT, UNIQUE (case_id, name))"
    )
    db.execute(
        "CREATE TABLE visit (id INTEGER PRIMARY KEY, case_id INTEGER, page TEXT, "
        "entered_at TEXT, submitted_at TEXT, seconds REAL, language TEXT)"
    )
    db.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, last_activity_at TEXT)")
    db.executemany("INSERT INTO cases (id) VALUES (?)", [(i,) for i in range(n)])
    now = "2026-11-27T12:00:00+00:00"
    submissions = 0
    start = time.perf_counter()
    for i in range(n):
        for p, data in enumerate(answers_for(i), start=1):
            rows = [(i, k, json.dumps(v), f"p{p}", now) for k, v in expected_rows(data).items()]
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT INTO answer (case_id, name, value, page, saved_at) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            db.execute(
                "INSERT INTO visit (case_id, page, entered_at, submitted_at, seconds, language) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (i, f"p{p}", now, now, 20.0, "nb"),
            )
            db.execute("UPDATE cases SET last_activity_at = ? WHERE id = ?", (now, i))
            db.execute("COMMIT")
            submissions += 1
    elapsed = time.perf_counter() - start
    db.close()
    return submissions / elapsed, submissions


# ---------------------------------------------------------------------------------------------


def _pg_scratch(base_url: str) -> tuple[str, Any]:
    import psycopg

    from tillit.config import parse_database_url

    db = parse_database_url(base_url.rstrip("/") + "/postgres")
    name = f"tillit_bench_{uuid.uuid4().hex[:8]}"
    conninfo = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{name}", drop


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _entries(
    engine: str, label: str, out: dict[str, Any], lost: int, peer_rate: float, common: dict
) -> list[dict[str, Any]]:
    lat = out["latencies"]
    rate = len(out["acked"]) / out["wall"] if out["wall"] > 0 else 0.0
    common = {**common, "n": len(out["acked"]), "errors": len(out["errors"]), "lost_answers": lost}
    none = {"peer": None, "peer_value": None}
    return [
        {
            "name": f"surveys.page_submit.{engine}.{label}",
            "unit": "submissions/s",
            "value": rate,
            "peer": "sqlite3 executemany, one transaction per page (ceiling)",
            "peer_value": peer_rate,
            **common,
        },
        {
            "name": f"surveys.page_submit_p50.{engine}.{label}",
            "unit": "ms",
            "value": _percentile(lat, 50) * 1000,
            **none,
            **common,
        },
        {
            "name": f"surveys.page_submit_p95.{engine}.{label}",
            "unit": "ms",
            "value": _percentile(lat, 95) * 1000,
            **none,
            **common,
        },
        {
            "name": f"surveys.lost_answers.{engine}.{label}",
            "unit": "answers",
            "value": lost,
            **none,
            **common,
        },
    ]


@contextlib.contextmanager
def _database(pg_base: str | None) -> Iterator[str | None]:
    """None (the project's SQLite file), or a scratch PostgreSQL database dropped afterwards."""
    if not pg_base:
        yield None
        return
    url, drop = _pg_scratch(pg_base)
    try:
        yield url
    finally:
        drop()


def run_engine(engine: str, pg_base: str | None, quick: bool) -> list[dict[str, Any]]:
    """Per layout, on a fresh project: a warm-up, the saturated run (no think time: capacity,
    and latency that is mostly queueing, since latency = respondents / rate), then a paced run
    offering 80 % of that capacity (latency under a load the server keeps up with)."""
    n = 20 if quick else 100
    layouts = QUICK_LAYOUTS if quick else LAYOUTS
    if pg_base:  # PostgreSQL connections are persistent already (CONN_MAX_AGE in settings)
        layouts = [layout for layout in layouts if not layout[2]]
    entries: list[dict[str, Any]] = []
    peer_rate = 0.0
    for workers, threads, persistent in layouts:
        with (
            tempfile.TemporaryDirectory(prefix="tillit-bench-") as tmp_name,
            _database(pg_base) as database_url,
        ):
            tmp = Path(tmp_name)
            env = _base_env(database_url)
            seeded = make_project(tmp, 2 * n + 5, env)
            if not peer_rate:
                peer_rate, _ = ceiling(tmp / "ceiling.sqlite3", n)
            tokens = seeded["tokens"]
            warm = {**seeded, "tokens": tokens[:5]}
            saturated = {**seeded, "tokens": tokens[5 : 5 + n]}
            paced = {**seeded, "tokens": tokens[5 + n :]}
            port = _free_port()
            proc = start_server(seeded["dir"], port, workers, threads, env, persistent)
            try:
                load(port, warm, 5)
                cpu0 = server_cpu_s(proc)
                out = load(port, saturated, n)
                cpu1 = server_cpu_s(proc)
                capacity = len(out["acked"]) / out["wall"] if out["wall"] > 0 else 1.0
                think = max(0.0, n / (0.8 * capacity) - _percentile(out["latencies"], 50))
                out_paced = load(port, paced, n, think_s=think)
            finally:
                stop_server(proc)
            lost = lost_answers(saturated, out, env)
            lost_paced = lost_answers(paced, out_paced, env)
        common = {
            "workers": workers,
            "threads": threads,
            "persistent_connections": persistent,
            "respondents": n,
        }
        label = f"{workers}x{threads}" + (".conn_max_age" if persistent else "")
        entries += _entries(engine, label, out, lost, peer_rate, common)
        if cpu0 is not None and cpu1 is not None and out["acked"]:
            # CPU per submission is steadier than rates on a shared machine; the capacity of
            # a machine of its own is about (cores / this)
            entries.append(
                {
                    "name": f"surveys.page_submit_server_cpu.{engine}.{label}",
                    "unit": "ms",
                    "value": (cpu1 - cpu0) / len(out["acked"]) * 1000,
                    "peer": None,
                    "peer_value": None,
                    **common,
                    "n": len(out["acked"]),
                }
            )
        entries += _entries(
            engine, f"{label}.paced", out_paced, lost_paced, peer_rate, {**common, "think_s": think}
        )
    return entries


def run(quick: bool) -> list[dict[str, Any]]:
    entries = run_engine("sqlite", None, quick)
    pg = os.environ.get("TILLIT_BENCH_DATABASE_URL", "").strip()
    if pg:
        entries += run_engine("postgres", pg, quick)
    return entries


if __name__ == "__main__":
    for e in run("--quick" in sys.argv):
        print(json.dumps(e))
