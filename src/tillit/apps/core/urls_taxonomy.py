from django.urls import path

from tillit.apps.core import views_taxonomy

urlpatterns = [
    path("", views_taxonomy.taxonomy_page, name="taxonomy"),
]
