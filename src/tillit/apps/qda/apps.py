from django.apps import AppConfig


class QdaConfig(AppConfig):
    name = "tillit.apps.qda"
    label = "qda"
    verbose_name = "qda"
