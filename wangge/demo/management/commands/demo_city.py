import random
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from wangge.areas.models import Area
from wangge.demo.city import DEMO_PASSWORD, build_demo_city, demo_logins
from wangge.demo.deliberation import build_demo_deliberation
from wangge.demo.participation import build_demo_participation
from wangge.demo.party import build_demo_cobuilding
from wangge.demo.tickets import DEMO_TICKETS, build_demo_tickets
from wangge.routing.actions import do_train_routers
from wangge.tickets.models import Status


class Command(BaseCommand):
    help = "Build the demo district (deterministic from --seed) with N households and the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--tickets", type=int, default=DEMO_TICKETS, help="a year of demo tickets (0: none)"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the existing tree and registry first"
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing when areas already exist")

    def handle(
        self,
        *args: object,
        households: int,
        seed: int,
        tickets: int,
        reset: bool,
        if_empty: bool,
        **options: object,
    ) -> None:
        if Area.objects.exists() and not reset:
            if if_empty:
                self.stdout.write("演示数据已存在，未重新生成（--reset 可重建）。")
                self._print_logins(demo_logins())
                return
            raise CommandError("数据库中已有区域数据；用 --reset 清空后重建，或用 --if-empty 跳过。")
        if households < 100:
            raise CommandError("--households 至少为100")
        started = time.perf_counter()
        with tqdm(
            total=households, desc="生成住户", unit="户", disable=options.get("verbosity", 1) == 0
        ) as bar:
            report = build_demo_city(households=households, seed=seed, reset=reset, progress=bar.update)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"已生成：1个区、{report.streets}个街道、{report.communities}个社区、{report.grids}个网格、"
            f"{report.buildings}栋楼、{report.units}个单元、{report.households}户、{report.residents}名居民、"
            f"{report.organisations}个单位、{report.users}个账户、{report.party_members}名包户党员、"
            f"{report.visits}条走访记录、{report.directives}条工作指令、{report.service_points}个便民服务点；"
            f"用时{elapsed:.1f}秒（{report.households / elapsed:,.0f}户/秒）。"
        )
        self.stdout.write("关爱对象：" + "，".join(f"{k}{v}人" for k, v in report.care_counts.items()))
        if tickets > 0:
            started = time.perf_counter()
            with tqdm(
                total=tickets, desc="生成诉求", unit="件", disable=options.get("verbosity", 1) == 0
            ) as bar:
                made = build_demo_tickets(count=tickets, seed=seed, progress=bar.update)
            elapsed = time.perf_counter() - started
            states = "，".join(f"{Status(k).label}{v}" for k, v in sorted((made.by_status or {}).items()))
            self.stdout.write(
                f"已生成一年的诉求{made.tickets}件、办理记录{made.events}条，用时{elapsed:.1f}秒：{states}。"
            )
            self.stdout.write("训练智能分拨模型（已办结诉求的分类与承办单位）……")
            for model in do_train_routers():
                self.stdout.write(
                    f"  {model.get_target_display()}：{model.examples}条样本，{model.labels}类，"
                    f"{model.train_seconds:.1f}秒；{model.note}"
                )
        started = time.perf_counter()
        joined = build_demo_participation(random.Random(seed))
        agreements = build_demo_cobuilding(random.Random(seed + 22), timezone.localdate())
        talk = build_demo_deliberation(random.Random(seed + 23), timezone.localdate())
        self.stdout.write(
            f"居民参与：{joined.stores}个积分超市、{joined.volunteers}名志愿者、{joined.activities}场志愿活动、"
            f"{joined.wishes}个微心愿、需求{joined.needs}条、资源{joined.offers}条、兑换{joined.redemptions}次，"
            f"共驻共建协议{agreements}份，说事日{talk.days}个、议事{talk.matters}件、公示{talk.notices}条、"
            f"测评答卷{talk.answers}份，用时{time.perf_counter() - started:.1f}秒。"
        )
        self._print_logins(demo_logins())

    def _print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        if not logins:
            return
        self.stdout.write(f"\n演示账户（密码均为 {DEMO_PASSWORD}）：")
        for username, role, place in logins:
            self.stdout.write(f"  {username:<11} {role}  {place}")
