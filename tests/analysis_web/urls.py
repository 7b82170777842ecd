"""The project's URLs plus the analysis pages (until the lead adds them to tillit.web.urls)."""

from django.urls import include, path

from tillit.web.urls import urlpatterns as project_urls

_included = any(getattr(p, "namespace", None) == "analysis" for p in project_urls)
urlpatterns = [
    *([] if _included else [path("p/<slug:slug>/analysis/", include("tillit.apps.analysis.urls"))]),
    *project_urls,
]
