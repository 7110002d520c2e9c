from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "wangge.api"
    verbose_name = "API"
