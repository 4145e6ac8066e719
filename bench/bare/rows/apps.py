from django.apps import AppConfig


class RowsConfig(AppConfig):
    name = "bench.bare.rows"
    label = "rows"
