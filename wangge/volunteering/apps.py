from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "wangge.volunteering"
    verbose_name = "志愿服务"
