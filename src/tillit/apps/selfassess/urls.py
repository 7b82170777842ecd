"""Self-assessment pages of a project, under ``/p/<project>/self-assessment/``."""

from django.urls import path

from tillit.apps.selfassess import views

app_name = "selfassess"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/open/", views.toggle, name="toggle"),
]
