"""50 respondents answer at the same time on a live server; every page the server acknowledged
is stored. Runs on SQLite (a file database, WAL) and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import http.client
import threading
import time
from urllib.parse import urlencode, urlsplit

import pytest

from tests.surveys.test_respond_support import (
    hidden_inputs,
    make_case,
    make_survey,
    threaded_live_server,
    use_instruments,
)
from tillit.apps.surveys.models import Answer, Case, PageVisit

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

N_RESPONDENTS = 50
DEADLINE_S = 120


def _request(base: str, method: str, path: str, data: dict | None = None):
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        body = urlencode(data, doseq=True) if data is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.getheader("Location", ""), r.read().decode()
    finally:
        conn.close()


def _pages(i: int) -> list[tuple[int, dict, str]]:
    """The three pages respondent ``i`` submits (page number, answers, button)."""
    return [
        (1, {"adopted": "yes", "adopted_year": str(1990 + i % 30)}, "next"),
        (
            2,
            {"tr_pol": str(1 + i % 5), "tr_adm": str(1 + (i + 2) % 5), "sectors": ["care"]},
            "next",
        ),
        (3, {"years": str(i % 50), "comment": f"respondent {i}"}, "finish"),
    ]


def _walk(base: str, token: str, i: int, acked: list, failures: list) -> None:
    try:
        status, _, _ = _request(base, "GET", f"/s/{token}/")
        if status != 302:
            failures.append((i, "entry", status))
            return
        for n, data, action in _pages(i):
            status, _, page = _request(base, "GET", f"/s/{token}/p/{n}/")
            if status != 200:
                failures.append((i, f"GET p{n}", status))
                return
            payload = {**hidden_inputs(page), **data, "action": action}
            status, _, body = _request(base, "POST", f"/s/{token}/p/{n}/", payload)
            if status != 302:
                failures.append((i, f"POST p{n}", status, body[:300]))
                return
            acked.append((i, n))
    except Exception as exc:  # a respondent whose connection failed: reported below
        failures.append((i, "exception", repr(exc)))


def test_fifty_concurrent_respondents_lose_nothing(project_with_roles, monkeypatch, tmp_path):
    use_instruments(monkeypatch)
    project = project_with_roles[0]
    with threaded_live_server(tmp_path) as base:
        survey = make_survey(project)
        tokens = [make_case(survey)[1] for _ in range(N_RESPONDENTS)]
        cases = {c.case_id: c for c in Case.objects.filter(survey=survey)}
        acked: list[tuple[int, int]] = []
        failures: list[tuple] = []
        threads = [
            threading.Thread(target=_walk, args=(base, t, i, acked, failures), daemon=True)
            for i, t in enumerate(tokens)
        ]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(1.0, DEADLINE_S - (time.monotonic() - start)))
        assert not any(t.is_alive() for t in threads), "respondents still running at deadline"

        from tillit.apps.surveys.tokens import case_for_token

        by_index = {i: case_for_token(t) for i, t in enumerate(tokens)}
        missing = []
        for i, n in acked:
            case = by_index[i]
            stored = dict(Answer.objects.filter(case=case).values_list("name", "value"))
            for name, value in _pages(i)[n - 1][1].items():
                expected = value if name != "adopted_year" and name != "years" else int(value)
                if stored.get(name) != expected:
                    missing.append((i, n, name, stored.get(name), expected))
            if n == 3:
                case.refresh_from_db()
                if case.completed_at is None or case.disposition != Case.Disposition.COMPLETE:
                    missing.append((i, n, "completed", case.completed_at, case.disposition))
        assert missing == []
        assert failures == []
        assert len(acked) == 3 * N_RESPONDENTS
        assert PageVisit.objects.filter(case__survey=survey).count() == 3 * N_RESPONDENTS
        assert len(cases) == N_RESPONDENTS
