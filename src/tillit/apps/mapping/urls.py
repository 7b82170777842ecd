"""Pages of the mapping module, under ``p/<slug>/mapping/``."""

from django.urls import path  # noqa: F401

app_name = "mapping"

urlpatterns: list = []
