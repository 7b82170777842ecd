"""Rendering Vega-Lite specs to SVG that is safe to inline in our pages.

:func:`render_svg` runs vl-convert (Vega in an embedded JavaScript engine, no browser, no
network) and then cleans the result for our Content-Security-Policy and accessibility rules:

* links: Vega resolves relative ``href`` values against its default base URL
  (``https://vega.github.io/vega-datasets/``); they are turned back into local paths. Any other
  absolute link is removed, so no external URL remains apart from the SVG and XLink namespaces.
* no inline styles: ``style="…"`` attributes become presentation attributes (``fill="…"``) and
  ``<style>`` elements are dropped (``style-src 'self'`` forbids both).
* the root ``<svg>`` gets ``role``, ``aria-label`` and a ``<title>``.
"""

from __future__ import annotations

import html
import re
from typing import Any

#: The base URL Vega prefixes to relative links when rendering outside a browser.
VEGA_BASE_URL = "https://vega.github.io/vega-datasets/"

#: URLs allowed to remain in the SVG: the XML namespaces.
NAMESPACE_URLS = frozenset({"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"})

# CSS properties that are also SVG presentation attributes (kept when converting style="…").
_PRESENTATION = frozenset(
    {
        "clip-path",
        "clip-rule",
        "color",
        "cursor",
        "display",
        "dominant-baseline",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-variant",
        "font-weight",
        "letter-spacing",
        "mask",
        "opacity",
        "pointer-events",
        "shape-rendering",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "text-decoration",
        "visibility",
    }
)

_URL = re.compile(r"""https?://[^\s"'<>)]+""")
_HREF = re.compile(r"""(\s(?:xlink:)?href)="([^"]*)\"""")
_STYLE_ATTR = re.compile(r"""\sstyle="([^"]*)\"""")
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>.*?</style>", re.DOTALL)
_ROOT = re.compile(r"<svg\b[^>]*>")
_EMPTY_LINK = re.compile(r"<a>(.*?)</a>", re.DOTALL)
_PATH_D = re.compile(r'\sd="([MLZ0-9.,\-e]*)"')
_PATH_STEP = re.compile(r"([MLZ])([^MLZ]*)")


def render_svg(
    spec: dict[str, Any],
    *,
    title: str | None = None,
    role: str = "img",
    roledescription: str | None = None,
    precision: int | None = 1,
) -> str:
    """Render a Vega-Lite spec to a cleaned SVG string.

    Parameters
    ----------
    spec : dict
        A Vega-Lite v5 specification with inline data (no URLs are fetched).
    title : str, optional
        Accessible name of the whole figure (``aria-label`` and ``<title>``); defaults to the
        spec's ``description``.
    role : str
        ARIA role of the root element. ``"img"`` for a picture; use ``"graphics-document"``
        when the figure holds links people should be able to reach.
    roledescription : str, optional
        ``aria-roledescription`` of the root (e.g. "map").
    precision : int or None
        Decimals kept in path coordinates (pixels); points that then repeat are dropped.
        One decimal is invisible on screen and roughly halves a map's size. None keeps all.

    Returns
    -------
    str
        SVG markup: local links only, no ``style`` attributes or elements.
    """
    import vl_convert as vlc

    svg: str = vlc.vegalite_to_svg(spec, allowed_base_urls=[])
    name = title if title is not None else str(spec.get("description", ""))
    return clean_svg(
        svg, title=name, role=role, roledescription=roledescription, precision=precision
    )


def clean_svg(
    svg: str,
    *,
    title: str = "",
    role: str = "img",
    roledescription: str | None = None,
    precision: int | None = None,
) -> str:
    """Apply the link, style and accessibility clean-up of :func:`render_svg` to SVG text."""
    if precision is not None:
        svg = _PATH_D.sub(lambda m: f' d="{compact_path(m.group(1), precision)}"', svg)
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = _STYLE_ATTR.sub(lambda m: _style_to_attributes(m.group(1)), svg)
    svg = _HREF.sub(_localise_href, svg)
    svg = _EMPTY_LINK.sub(r"\1", svg)
    return _label_root(svg, title, role, roledescription)


def compact_path(d: str, precision: int) -> str:
    """Round the coordinates of an absolute ``M``/``L``/``Z`` path and drop repeated points.

    Examples
    --------
    >>> compact_path("M1.04,2L1.01,2.02L3,4Z", 1)
    'M1,2L3,4Z'
    >>> compact_path("M190.4,10L200.2,10.3Z", 0)
    'M190,10L200,10Z'
    """
    out: list[str] = []
    last = ""
    for command, args in _PATH_STEP.findall(d):
        if command == "Z":
            out.append("Z")
            last = ""
            continue
        if args.count(",") != 1:
            return d  # not the one-point-per-command form Vega writes: leave it alone
        x, _, y = args.partition(",")
        point = f"{_fmt(float(x), precision)},{_fmt(float(y), precision)}"
        if command == "L" and point == last:
            continue
        out.append(command + point)
        last = point
    return "".join(out)


def _fmt(value: float, precision: int) -> str:
    text = f"{round(value, precision):.{precision}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def external_urls(svg: str) -> list[str]:
    """Every http(s) URL in ``svg`` apart from the XML namespaces (should be empty)."""
    return [u for u in _URL.findall(svg) if u not in NAMESPACE_URLS]


def _localise_href(match: re.Match[str]) -> str:
    attr, value = match.group(1), html.unescape(match.group(2))
    if value.startswith(VEGA_BASE_URL):
        value = "/" + value[len(VEGA_BASE_URL) :].lstrip("/")
    elif value.startswith(("http://", "https://", "//", "javascript:", "data:")):
        return ""  # drop anything that would leave the site or run code
    return f'{attr}="{html.escape(value, quote=True)}"'


def _style_to_attributes(style: str) -> str:
    attrs = []
    for declaration in style.split(";"):
        prop, sep, value = declaration.partition(":")
        prop, value = prop.strip().lower(), value.strip()
        if sep and prop in _PRESENTATION and value and '"' not in value:
            attrs.append(f' {prop}="{html.escape(value, quote=True)}"')
    return "".join(attrs)


def _label_root(svg: str, title: str, role: str, roledescription: str | None) -> str:
    match = _ROOT.search(svg)
    if match is None:
        raise ValueError("not an SVG document: no <svg> element")
    root = match.group(0)
    root = re.sub(r'\s(?:role|aria-label|aria-roledescription)="[^"]*"', "", root)
    extra = f' role="{html.escape(role)}"'
    if title:
        extra += f' aria-label="{html.escape(title, quote=True)}"'
    if roledescription:
        extra += f' aria-roledescription="{html.escape(roledescription, quote=True)}"'
    root = root[:-1] + extra + ">"
    title_el = f"<title>{html.escape(title)}</title>" if title else ""
    return svg[: match.start()] + root + title_el + svg[match.end() :]
