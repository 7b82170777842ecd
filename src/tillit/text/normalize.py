"""Text normalisation: the one form every offset in tillit points into.

:func:`normalize` is applied to every extracted document before anything else looks at it:
passages, language identification, lexicon matches and evidence offsets are all code-point
offsets into the normalised text, so the same bytes always give the same offsets.

The steps, in order:

1. strip a leading byte-order mark (U+FEFF);
2. line ends: ``\\r\\n`` and lone ``\\r`` become ``\\n`` (also U+2028/U+2029 and U+0085, the
   Unicode line and paragraph separators and NEL);
3. Unicode NFC, so that ``å`` typed as ``a`` + combining ring (NFD, as macOS file systems and
   some PDF producers write it) is the same code point as a precomposed ``å``;
4. C0 control characters other than ``\\n`` and ``\\t`` are dropped (form feeds from PDF page
   breaks become ``\\n``), as are DEL, the C1 controls U+0080-U+009F, stray U+FEFF
   (zero-width no-break spaces left inside concatenated files), soft hyphens (U+00AD,
   invisible, and they would split "tillits\\u00adreform" for the lexicon) and the
   noncharacters U+FFFE and U+FFFF.

Examples
--------
>>> normalize("\\ufeffTillit\\r\\nreform\\rn")
'Tillit\\nreform\\nn'
>>> normalize("Tilla\\u030aten") == "Tillåten"
True
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize"]

_OTHER_BREAKS = "\x0b\x0c\u0085\u2028\u2029"
_OTHER_BREAKS_RE = re.compile(f"[{_OTHER_BREAKS}]")
# C0 controls except \t (0x09) and \n (0x0A) (\f and \v became line breaks with the line ends).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\ufffe\uffff]")


def normalize(text: str) -> str:
    """Return ``text`` in tillit's canonical form (see the module docstring).

    Parameters
    ----------
    text : str
        Any decoded text.

    Returns
    -------
    str
        Text without BOM, with ``\\n`` line ends, in NFC, without control characters other than
        ``\\n`` and ``\\t``. Idempotent: ``normalize(normalize(t)) == normalize(t)``.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    # str.replace and `in` scan at C speed; a regex alternation would look at every position.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(c in text for c in _OTHER_BREAKS):
        text = _OTHER_BREAKS_RE.sub("\n", text)
    text = unicodedata.normalize("NFC", text)
    # NFC never creates control characters, so dropping them last keeps the result idempotent.
    return _CONTROLS.sub("", text.replace("\ufeff", ""))
