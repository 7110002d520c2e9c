from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.accounts.actions import do_issue_api_token
from wangge.accounts.models import User
from wangge.tickets.channels import EXTERNAL, SENT


class Command(BaseCommand):
    help = (
        "Print a new API token for USERNAME (use it as `Authorization: Bearer TOKEN`). "
        "--channel grants an integration's token its channel: tickets it sends may say they came from "
        "there (12345, provincial, sensor …), numbered in that platform's own ids."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--channel", default="", help=f"one of {', '.join(sorted(SENT))}")

    def handle(self, *args: object, username: str, channel: str, **options: object) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有此用户：{username}")
        if channel and channel not in SENT:
            raise CommandError(
                f"--channel：应为{'、'.join(sorted(SENT))}之一（外部平台：{'、'.join(sorted(EXTERNAL))}）"
            )
        self.stdout.write(do_issue_api_token(user, channel=channel))
