"""Anonymous self-assessment links (no log-in): ``/sa/<key>/`` and the respondent's own
feedback ``/sa/<key>/r/<token>/`` (and its PDF)."""

from django.urls import path

from tillit.apps.selfassess import views

app_name = "selfassess-respond"
urlpatterns = [
    path("sa/<str:key>/", views.start, name="start"),
    path("sa/<str:key>/r/<str:token>/", views.feedback, name="feedback"),
    path("sa/<str:key>/r/<str:token>/pdf/", views.feedback_pdf, name="feedback-pdf"),
]
