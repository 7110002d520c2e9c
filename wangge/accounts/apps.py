from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wangge.accounts"
    verbose_name = "账户"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wangge.accounts.actions import forget_tokens
        from wangge.accounts.models import ApiToken, User

        for model in (ApiToken, User):
            for signal in (post_save, post_delete):
                signal.connect(forget_tokens, sender=model, weak=False)
