from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "tillit.apps.analysis"
    label = "analysis"
    verbose_name = "analysis"
