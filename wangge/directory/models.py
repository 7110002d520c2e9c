"""便民服务目录 (F14): the pharmacies, clinics, family doctors, vaccination points, fever clinics,
legal aid, canteens … a community's residents can turn to, with contact, hours and place.

Seed 000 (大东区): a 《便民服务手册》 with 物资保障、疫苗接种、发热门诊、法律援助、家庭医生、心理咨询,
and a 对接服务联系表 posted in every community."""

from django.db import models

from wangge.areas.models import Area


class ServiceKind(models.TextChoices):
    SUPPLIES = "supplies", "物资保障（超市）"
    PHARMACY = "pharmacy", "药房"
    CLINIC = "clinic", "社区卫生服务站"
    FAMILY_DOCTOR = "family_doctor", "家庭医生"
    VACCINATION = "vaccination", "疫苗接种点"
    FEVER_CLINIC = "fever_clinic", "发热门诊"
    LEGAL_AID = "legal_aid", "法律援助"
    PSYCHOLOGICAL = "psychological", "心理咨询"
    CANTEEN = "canteen", "老年助餐点"
    OTHER = "other", "其他"


class ServicePoint(models.Model):
    """One place or person residents can call on. `area` is where it serves: a community's own pharmacy,
    a street's legal aid station, a district hospital's fever clinic."""

    kind = models.CharField("类别", max_length=20, choices=ServiceKind.choices, db_index=True)
    name = models.CharField("名称", max_length=100)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="service_points", verbose_name="服务区域"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=30)
    hours = models.CharField("服务时间", max_length=100, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    notes = models.CharField("说明", max_length=200, blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "便民服务点"
        verbose_name_plural = "便民服务点"
        ordering = ["kind", "area__code", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"
