from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "tillit.apps.observatory"
    label = "observatory"
    verbose_name = "observatory"
