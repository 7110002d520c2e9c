from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "wangge.people"
    verbose_name = "居民档案"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wangge.people.models import VisitInterval
        from wangge.people.schedule import interval_days

        # An edit in this process is seen at once (other processes within a minute).
        for signal in (post_save, post_delete):
            signal.connect(interval_days.forget, sender=VisitInterval, weak=False)
