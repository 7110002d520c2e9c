from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "wangge.notices"
    verbose_name = "公示与测评"
