from django.apps import AppConfig


class MappingConfig(AppConfig):
    name = "tillit.apps.mapping"
    label = "mapping"
    verbose_name = "mapping"
