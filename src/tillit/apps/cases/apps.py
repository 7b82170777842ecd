from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tillit.apps.cases"
    label = "cases"
    verbose_name = "cases"
