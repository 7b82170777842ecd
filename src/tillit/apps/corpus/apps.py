from django.apps import AppConfig


class CorpusConfig(AppConfig):
    name = "tillit.apps.corpus"
    label = "corpus"
    verbose_name = "corpus"
