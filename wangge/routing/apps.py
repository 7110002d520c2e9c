from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "wangge.routing"
    verbose_name = "智能分拨"
