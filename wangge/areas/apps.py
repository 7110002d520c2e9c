from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "wangge.areas"
    verbose_name = "区域与人员"
