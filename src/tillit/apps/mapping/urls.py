"""Pages of the reform register, under ``p/<slug>/register/``."""

from django.urls import path

from tillit.apps.mapping import views

app_name = "mapping"

urlpatterns = [
    path("", views.register_list, name="index"),
    path("new/", views.initiative_create, name="create"),
    path("i/<int:pk>/", views.initiative_detail, name="initiative"),
    path("i/<int:pk>/edit/", views.initiative_edit, name="edit"),
    path("i/<int:pk>/delete/", views.initiative_delete, name="delete"),
    path("i/<int:pk>/evidence/", views.evidence_add, name="evidence-add"),
    path(
        "i/<int:pk>/evidence/<int:evidence_pk>/remove/",
        views.evidence_remove,
        name="evidence-remove",
    ),
    path("m/<str:country>/<str:code>/", views.municipality_detail, name="municipality"),
    path("events/", views.events, name="events"),
    path("events/<int:pk>/delete/", views.event_delete, name="event-delete"),
    path("import/", views.register_import, name="import"),
    path("export/<str:table>.<str:fmt>", views.register_export, name="export"),
    path("map/", views.status_map, name="map"),
    path("map.svg", views.status_map_download, name="map-svg"),
    path("timeline/", views.timeline, name="timeline"),
]
