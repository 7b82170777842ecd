"""Pages of the qda module, under ``p/<slug>/qda/``."""

from django.urls import path  # noqa: F401

app_name = "qda"

urlpatterns: list = []
