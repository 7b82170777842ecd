from django.urls import path

from tillit.apps.core import views_taxonomy

urlpatterns = [
    path("", views_taxonomy.taxonomy_page, name="taxonomy"),
    path("taxonomy.json", views_taxonomy.taxonomy_json, name="taxonomy-json"),
    path("<str:concept_id>/", views_taxonomy.concept_detail, name="taxonomy-concept"),
]
