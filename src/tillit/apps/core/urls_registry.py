"""Registry pages under /registry/."""

from django.urls import path

from tillit.apps.core import views_registry

urlpatterns = [
    path("", views_registry.registry_list, name="registry"),
    path("map.svg", views_registry.registry_map_svg, name="registry-map-svg"),
    path("crosswalk/", views_registry.registry_crosswalk, name="registry-crosswalk"),
    path("<str:country>/<str:code>/", views_registry.registry_detail, name="registry-detail"),
]
