from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "wangge.notify"
    verbose_name = "消息通知"
