from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "wangge.directives"
    verbose_name = "一键响应与事务准入"
