"""Exchange formats: XLSForm, SPSS/Stata, DDI-Codebook 2.5, REFI-QDA (issues: surveys, qda).

Pure library: never Django. Untrusted XML is parsed with defusedxml.

Survey exports (``docs/exports.md``):

* :mod:`~tillit.interop.naming` — variable names safe for SPSS and Stata, labels cut to limits;
* :mod:`~tillit.interop.codebook` — :class:`Codebook` of :class:`Variable` from an instrument;
* :mod:`~tillit.interop.dataset` — :func:`build_frame`: one row per case, missing codes applied;
* :mod:`~tillit.interop.stats` — ``.sav``, ``.dta``, ``.csv`` and ``.xlsx`` writers;
* :mod:`~tillit.interop.ddi` — DDI-Codebook 2.5 XML: write, validate, read;
* :mod:`~tillit.interop.exports` — :func:`export_survey`, all of the above in one call;
* :mod:`~tillit.interop.texts` — the labels exports write, in nb, nn, da and en.

Qualitative projects (``docs/qda.md``):

* :mod:`~tillit.interop.refiqda` — REFI-QDA ``.qdpx`` projects and ``.qdc`` codebooks: plain
  dataclasses, a safe reader and a writer that validates against the REFI-QDA XSDs.

Submodules are imported on use, so ``import tillit.interop`` stays free of pandas and lxml.
"""
