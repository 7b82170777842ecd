"""Pages of the cases module, under ``p/<slug>/cases/``."""

from django.urls import path

from tillit.apps.cases import views, views_models

app_name = "cases"

urlpatterns = [
    path("", views.index, name="index"),
    path("matrix/", views.matrix_page, name="matrix"),
    path("matrix/cell/", views.cell, name="cell"),
    path("matrix/export.<str:fmt>", views.export, name="export"),
    path("matrix/<int:pk>/delete/", views.matrix_delete, name="matrix-delete"),
    path("qca/", views.qca_page, name="qca"),
    path("qca/<int:pk>/", views.qca_page, name="qca-saved"),
    path("qca/<int:pk>/delete/", views.qca_delete, name="qca-delete"),
    path("models/", views_models.models_page, name="models"),
    path(
        "models/<slug:survey_slug>/trustmap-<str:country>.svg",
        views_models.trustmap_svg,
        name="trustmap-svg",
    ),
]
