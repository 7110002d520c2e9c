from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "wangge.directory"
    verbose_name = "便民服务目录"
