from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "wangge.routing"
    verbose_name = "智能分拨"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wangge.areas.models import Area, Unit
        from wangge.routing.models import RouterModel
        from wangge.routing.store import forget_routers
        from wangge.routing.suggest import active_units

        for signal in (post_save, post_delete):
            signal.connect(active_units.forget, sender=Unit, weak=False)
            signal.connect(active_units.forget, sender=Area, weak=False)
            signal.connect(forget_routers, sender=RouterModel, weak=False)
