from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "tillit.apps.surveys"
    label = "surveys"
    verbose_name = "surveys"
