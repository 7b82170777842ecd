"""Pages of the corpus module, under ``p/<slug>/corpus/``."""

from django.urls import path  # noqa: F401

app_name = "corpus"

urlpatterns: list = []
