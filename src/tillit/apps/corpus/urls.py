"""Pages of the corpus module, under ``p/<slug>/corpus/``."""

from django.urls import path

from tillit.apps.corpus import views

app_name = "corpus"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("screen/", views.screen, name="screen"),
    path("d/<int:pk>/", views.document, name="document"),
    path("d/<int:pk>/reextract/", views.reextract, name="reextract"),
    path("h/<str:sha256>/", views.by_hash, name="by-hash"),
    path("m/<str:code>/", views.municipality, name="municipality"),
    path("review/", views.review_queue, name="review"),
    path("agreement/", views.agreement, name="agreement"),
    path("classifier/", views.classifier, name="classifier"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("suggestions/<int:pk>/", views.suggestion_decide, name="suggestion-decide"),
]
