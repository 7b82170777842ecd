"""Taxonomy page (placeholder until the taxonomy slice lands)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def taxonomy_page(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"nav": "taxonomy"})
