from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "wangge.lists"
    verbose_name = "三张清单与微心愿"
