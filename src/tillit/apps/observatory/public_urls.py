"""The public site, under ``/public/<public-slug>/`` (no login; 404 unless published)."""

from django.urls import path

from tillit.apps.observatory import views

app_name = "observatory-public"

urlpatterns = [
    path("<slug:public_slug>/", views.public_index, name="index"),
    path("<slug:public_slug>/figure/<slug:name>.<str:fmt>", views.public_figure, name="figure"),
    path("<slug:public_slug>/data/", views.public_data, name="data"),
    path("<slug:public_slug>/data/<slug:name>.<str:fmt>", views.public_dataset, name="dataset"),
]
