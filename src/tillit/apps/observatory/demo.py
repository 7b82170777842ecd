"""The observatory's part of the demo: publish the demo project's public site.

Figures are drawn on first request and cached per data version, so publishing costs nothing
here; the dashboard (``/p/<slug>/observatory/``) shows the register map, the diffusion
timeline, Norway vs Denmark and the screening coverage of the demo data.
"""

from __future__ import annotations

from typing import Any

from tillit.apps.observatory import services


def build(ctx: Any) -> None:
    pub = services.do_publish(ctx.project, actor=ctx.users["owner"], public_slug=ctx.project.slug)
    ctx.log(f"  observatory: public site at /public/{pub.public_slug}/ (k = {pub.k})")
