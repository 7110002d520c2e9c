from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.accounts.actions import do_issue_api_token
from wangge.accounts.models import User


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (use it as `Authorization: Bearer TOKEN`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, username: str, **options: object) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有此用户：{username}")
        self.stdout.write(do_issue_api_token(user))
