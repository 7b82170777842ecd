from django.apps import AppConfig


class SelfassessConfig(AppConfig):
    name = "tillit.apps.selfassess"
    label = "selfassess"
    verbose_name = "selfassess"
