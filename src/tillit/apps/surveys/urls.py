"""Researcher pages of surveys, under ``/p/<project>/surveys/``."""

from django.urls import path

from tillit.apps.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("instruments/", views.instrument_list, name="instruments"),
    path("instruments/<int:pk>/", views.instrument_preview, name="instrument-preview"),
    path("<slug:survey_slug>/", views.survey_detail, name="detail"),
    path("<slug:survey_slug>/status/", views.survey_status, name="status"),
    path("<slug:survey_slug>/frame/", views.survey_frame, name="frame"),
    path("<slug:survey_slug>/contacts/", views.survey_contacts, name="contacts"),
    path("<slug:survey_slug>/mail/", views.survey_mail, name="mail"),
    path("<slug:survey_slug>/progress/", views.survey_progress, name="progress"),
    path("<slug:survey_slug>/cases/", views.case_list, name="cases"),
    path("<slug:survey_slug>/cases/<str:case_id>/", views.case_detail, name="case"),
    path("<slug:survey_slug>/exports/", views.survey_exports, name="exports"),
]
