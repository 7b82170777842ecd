"""Pages of the qda module, under ``p/<slug>/qda/``."""

from django.urls import path

from tillit.apps.qda import views, views_analysis

app_name = "qda"

urlpatterns = [
    path("", views.index, name="index"),
    path("sources/<int:pk>/", views.source_view, name="source"),
    path("sources/<int:pk>/code/", views.coding_add, name="coding-add"),
    path("sources/<int:pk>/edit/", views.source_edit, name="source-edit"),
    path("sources/<int:pk>/key/", views.pseudonym_key, name="pseudonym-key"),
    path("codings/<int:pk>/remove/", views.coding_remove, name="coding-remove"),
    path("codebook/", views.codebook, name="codebook"),
    path("codebook/colours.css", views.codebook_colours, name="colours"),
    path("codebook/codebook.qdc", views_analysis.codebook_export, name="codebook-export"),
    path("codes/<int:pk>/", views.code_detail, name="code"),
    path("memos/", views.memos, name="memos"),
    path("memos/<int:pk>/", views.memo_detail, name="memo"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("settings/", views.qda_settings, name="settings"),
    path("search/", views_analysis.search, name="search"),
    path("autocode/", views_analysis.autocode, name="autocode"),
    path("autocode/<int:pk>/", views_analysis.autocode_review, name="autocode-review"),
    path("queries/", views_analysis.query_page, name="queries"),
    path("reliability/", views_analysis.reliability, name="reliability"),
    path("refi/", views_analysis.refi_page, name="refi"),
    path("refi/project.qdpx", views_analysis.refi_export, name="refi-export"),
]
