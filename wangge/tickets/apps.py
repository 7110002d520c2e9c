from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "wangge.tickets"
    verbose_name = "诉求闭环"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wangge.areas.models import Membership
        from wangge.lib.refreshed import Refreshed
        from wangge.tickets.actions import categories_by_code, dispatcher_posts
        from wangge.tickets.models import CalendarDay, Category, SlaRule
        from wangge.tickets.queries import unit_posts
        from wangge.tickets.sla import calendar_table, sla_table

        # An edit in this process refreshes the tables it feeds at once (other processes within a minute).
        # The posts are memberships alone (a deleted user's go with it, each with its post_delete).
        tables_of: tuple[tuple[type, list[Refreshed]], ...] = (
            (Category, [categories_by_code, sla_table]),
            (SlaRule, [sla_table]),
            (CalendarDay, [calendar_table]),
            (Membership, [dispatcher_posts, unit_posts]),
        )
        for model, tables in tables_of:
            for table in tables:
                for signal in (post_save, post_delete):
                    signal.connect(table.forget, sender=model, weak=False)
