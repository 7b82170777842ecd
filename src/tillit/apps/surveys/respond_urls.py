"""Respondent URLs (no log-in): the personal link ``/s/<token>/`` and the open link
``/o/<open_key>/``, each with its pages ``p/<n>/`` (1-based, in the instrument's page order)."""

from django.urls import path

from tillit.apps.surveys import views_respond as views

app_name = "respond"
urlpatterns = [
    path("s/<str:token>/", views.personal_entry, name="entry"),
    path("s/<str:token>/p/<int:n>/", views.personal_page, name="page"),
    path("s/<str:token>/p/<int:n>/autosave/", views.personal_autosave, name="autosave"),
    path("s/<str:token>/done/", views.personal_done, name="done"),
    path("s/<str:token>/opt-out/", views.personal_opt_out, name="opt-out"),
    path("o/<str:open_key>/", views.open_start, name="open-start"),
    path("o/<str:open_key>/p/<int:n>/", views.open_page, name="open-page"),
    path("o/<str:open_key>/p/<int:n>/autosave/", views.open_autosave, name="open-autosave"),
    path("o/<str:open_key>/done/", views.open_done, name="open-done"),
]
