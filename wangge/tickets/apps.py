from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "wangge.tickets"
    verbose_name = "诉求闭环"
