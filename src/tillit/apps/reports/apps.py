from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tillit.apps.reports"
    label = "reports"
    verbose_name = "reports"
