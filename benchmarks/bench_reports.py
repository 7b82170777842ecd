"""Report build time: the default report of the demo survey as HTML and as PDF.

A temporary project (``python -m tillit init``) gets the chief executive survey with its
synthetic fieldwork (455 municipalities, as ``tillit demo`` builds it). In a fresh subprocess:

* ``reports.html_cold``: the nb report as HTML in a new process (reads the survey, computes the
  methods figures and renders the observatory's figures);
* ``reports.html_warm``: the same again (the report's data is kept in memory per data version,
  so this is template rendering only);
* ``reports.pdf``: the PDF (WeasyPrint) from the warm data;
* ``reports.pdf_pages``: pages of that PDF (no peer).

Peer (in the same run, same process, cold): ``tillit analyze survey``'s work on the same survey
(:func:`tillit.apps.analysis.services.survey_report` after reading the survey): the statistics
without any report around them, so the ratio says what the report adds. Times in seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from tillit import config
    from tillit.cli.context import setup_django
    setup_django(config.load_project_dir(Path(sys.argv[1])))
    from tillit.apps.core.models import Project
    from tillit.apps.surveys import demo, services as ss, synthetic
    from django.contrib.auth import get_user_model

    project = Project.objects.get()
    owner = get_user_model().objects.get(username="owner")
    filename, data = ss.builtin_instrument("chief_executive_2026")
    iv = ss.do_import_instrument(project, filename, data, actor=owner)
    survey = ss.do_create_survey(project, "exec", "Executive survey", iv, "personal", "nb",
                                 actor=owner, is_synthetic=True)
    ss.do_set_frame(survey, actor=owner)
    cases = list(survey.cases.order_by("country", "municipality_code"))
    frame = [synthetic.FrameCase(c.case_id, c.country, c.municipality_code) for c in cases]
    ss.do_load_synthetic_fieldwork(survey, synthetic.simulate(ss.load_instrument(iv), frame,
                                   demo.SEED), actor=owner)

    from tillit.apps.analysis import data as sdata, services as asvc
    t = time.perf_counter(); sd = sdata.load(survey, language="nb"); asvc.survey_report(sd)
    peer = time.perf_counter() - t

    from tillit.apps.reports import services
    out = {"peer": peer}
    t = time.perf_counter(); html, _ = services.build_bytes(project, language="nb", fmt="html")
    out["html_cold"] = time.perf_counter() - t
    t = time.perf_counter(); html, _ = services.build_bytes(project, language="nb", fmt="html")
    out["html_warm"] = time.perf_counter() - t
    t = time.perf_counter(); pdf, facts = services.build_bytes(project, language="nb", fmt="pdf")
    out["pdf"] = time.perf_counter() - t
    out["pages"] = facts["pages"]
    out["html_bytes"] = len(html)
    out["pdf_bytes"] = len(pdf)
    print(json.dumps(out))
    """
)


def _measure() -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("TILLIT_DIR", "DATABASE_URL")}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "proj"
        subprocess.run(
            [sys.executable, "-m", "tillit", "init", str(d), "--password", "Bench-password-1"],
            check=True, capture_output=True, env=env, cwd=ROOT,
        )  # fmt: skip
        r = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(d)],
            check=True, capture_output=True, text=True, env=env, cwd=ROOT,
        )  # fmt: skip
        return dict(json.loads(r.stdout.strip().splitlines()[-1]))


def run(quick: bool = False) -> list[dict[str, Any]]:
    m = _measure()
    peer = "analyze survey (read + statistics, no report)"
    n = 455
    return [
        {"name": "reports.html_cold", "unit": "s", "value": m["html_cold"], "peer": peer,
         "peer_value": m["peer"], "n": n},
        {"name": "reports.html_warm", "unit": "s", "value": m["html_warm"], "peer": peer,
         "peer_value": m["peer"], "n": n},
        {"name": "reports.pdf", "unit": "s", "value": m["pdf"], "peer": peer,
         "peer_value": m["peer"], "n": n},
        {"name": "reports.pdf_pages", "unit": "pages", "value": m["pages"], "peer": None,
         "peer_value": None, "n": n},
    ]  # fmt: skip


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
