from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "wangge.visits"
    verbose_name = "走访巡查"
