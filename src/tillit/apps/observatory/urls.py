"""Members' observatory pages, under ``/p/<slug>/observatory/``."""

from django.urls import path

from tillit.apps.observatory import views

app_name = "observatory"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("figure/<slug:name>.<str:fmt>", views.figure_download, name="figure"),
    path("publish/", views.publish, name="publish"),
]
