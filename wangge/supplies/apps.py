from django.apps import AppConfig


class SuppliesConfig(AppConfig):
    name = "wangge.supplies"
    verbose_name = "紧缺物资与发放"
