from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wangge.accounts"
    verbose_name = "账户"
