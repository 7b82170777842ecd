from django.urls import path

from tillit.apps.core import views_registry

urlpatterns = [
    path("", views_registry.registry_list, name="registry"),
]
