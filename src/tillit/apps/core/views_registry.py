"""Registry pages (placeholder until the registry slice lands)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def registry_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"nav": "registry"})
