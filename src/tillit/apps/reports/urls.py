"""Report pages, under ``/p/<project>/reports/``."""

from django.urls import path

from tillit.apps.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("build/", views.build, name="build"),
    path("new/", views.new_template, name="new"),
    path("builds/<int:pk>/", views.download, name="download"),
    path("templates/<slug:name>/<str:language>/", views.edit, name="edit"),
]
