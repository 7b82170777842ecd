"""Reports: templates per project, built to HTML and PDF (WeasyPrint) with a methods section
filled from the data. Issue "observatory"."""
