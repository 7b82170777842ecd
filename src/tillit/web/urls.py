"""URL map. Each module's pages live in its own app's ``urls.py``."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tillit.apps.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.password_change, name="password-change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include("tillit.apps.core.urls_registry")),
    path("taxonomy/", include("tillit.apps.core.urls_taxonomy")),
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_create, name="project-create"),
    path("p/<slug:slug>/", views.project_detail, name="project-detail"),
    path("p/<slug:slug>/settings/", views.project_settings, name="project-settings"),
    path("p/<slug:slug>/members/", views.project_members, name="project-members"),
    path("p/<slug:slug>/members/<int:user_id>/", views.member_change, name="member-change"),
    path("p/<slug:slug>/audit/", views.project_audit, name="project-audit"),
    path("p/<slug:slug>/surveys/", include("tillit.apps.surveys.urls")),
    path("p/<slug:slug>/analysis/", include("tillit.apps.analysis.urls")),
    path("p/<slug:slug>/register/", include("tillit.apps.mapping.urls")),
    path("p/<slug:slug>/corpus/", include("tillit.apps.corpus.urls")),
    path("p/<slug:slug>/qda/", include("tillit.apps.qda.urls")),
    path("p/<slug:slug>/observatory/", include("tillit.apps.observatory.urls")),
    path("public/", include("tillit.apps.observatory.public_urls")),
    path("p/<slug:slug>/cases/", include("tillit.apps.cases.urls")),
    path("p/<slug:slug>/reports/", include("tillit.apps.reports.urls")),
    path("p/<slug:slug>/self-assessment/", include("tillit.apps.selfassess.urls")),
    path("", include("tillit.apps.surveys.respond_urls")),
    path("", include("tillit.apps.selfassess.respond_urls")),
    path("admin/", admin.site.urls),
]
