from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tillit.apps.core"
    label = "core"
    verbose_name = "tillit"
