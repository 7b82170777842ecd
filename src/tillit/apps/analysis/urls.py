"""Analysis pages of surveys, under ``/p/<project>/analysis/``."""

from django.urls import path

from tillit.apps.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("<slug:survey_slug>/", views.overview, name="overview"),
    path("<slug:survey_slug>/frequencies/", views.frequencies, name="frequencies"),
    path("<slug:survey_slug>/comparison/", views.comparison, name="comparison"),
    path("<slug:survey_slug>/scales/", views.scales, name="scales"),
    path("<slug:survey_slug>/download/<str:table>.<str:fmt>", views.download, name="download"),
]
