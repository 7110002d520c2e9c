"""The KPI rollups, kept current by the ticket actions (see rollup.py):
- DayRollup: one row per (day of submission, area) with every count of PRODUCT.md section 5 and a
  histogram of the response and handling times;
- MonthRollup: the same per (month of submission, area), so that a year is twelve rows per grid;
- SliceRollup: the counts per (day, area, dimension, value) for the dimensions channel, category (leaf
  category's id) and unit (the ticket's lead unit, 主办单位): KPIs by channel or category, top categories,
  trends by channel; MonthSliceRollup the same per month.

A district's year is a few tens of thousands of rows however many tickets it had, so the district KPIs
read these tables instead of scanning every ticket."""

from django.db import models

# Histogram bucket edges in seconds: under a minute, then a factor of 1.25 per bucket up to about 150
# days; the last bucket takes everything longer. Medians read the bucket from here and then the exact
# value from the tickets of that bucket alone (kpis._median_from_histogram).
BUCKET_EDGES: tuple[int, ...] = (0, *(round(60 * 1.25**k) for k in range(56)))
BUCKETS = len(BUCKET_EDGES)
RESPONSE_COLUMNS = tuple(f"r{i}" for i in range(BUCKETS))
HANDLING_COLUMNS = tuple(f"h{i}" for i in range(BUCKETS))
COUNT_COLUMNS = (
    "submitted",
    "accepted",
    "closed",
    "on_time",
    "called_back",
    "verdicts",
    "satisfied",
    "assigned",
    "returned",
    "in_grid",
    "summoned",
    "summons_on_time",
)


# The counts a ticket's own state gives (the slices have these; summons counts belong to the called
# unit, not to a slice of the ticket).
TICKET_COLUMNS = COUNT_COLUMNS[:10]


class DayRollup(models.Model):
    day = models.DateField()  # local date of submission
    area_code = models.CharField(max_length=40)  # the ticket's own area (a grid, or coarser)

    class Meta:
        verbose_name = "统计汇总（按日）"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["area_code", "day"], name="day_rollup_unique")]
        indexes = [models.Index(fields=["day", "area_code"])]

    def __str__(self) -> str:
        return f"{self.day} {self.area_code}"


class MonthRollup(models.Model):
    month = models.DateField()  # the first local day of the month of submission
    area_code = models.CharField(max_length=40)

    class Meta:
        verbose_name = "统计汇总（按月）"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["area_code", "month"], name="month_rollup_unique")]
        indexes = [models.Index(fields=["month", "area_code"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.area_code}"


class Dimension(models.TextChoices):
    CHANNEL = "channel", "渠道"
    CATEGORY = "category", "类别"
    UNIT = "unit", "主办单位"


class SliceRollup(models.Model):
    day = models.DateField()
    area_code = models.CharField(max_length=40)
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    value = models.CharField(max_length=40)  # the channel, the category code, the lead unit's id

    class Meta:
        verbose_name = "统计汇总（按渠道、类别、单位）"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "day", "dimension", "value"], name="slice_rollup_unique"
            )
        ]
        indexes = [models.Index(fields=["dimension", "day", "area_code"], name="slice_by_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.area_code} {self.dimension}={self.value}"


class MonthSliceRollup(models.Model):
    """SliceRollup by month: a year by channel is twelve rows per grid and channel."""

    month = models.DateField()
    area_code = models.CharField(max_length=40)
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    value = models.CharField(max_length=40)

    class Meta:
        verbose_name = "统计汇总（按月、渠道、类别、单位）"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "month", "dimension", "value"], name="month_slice_rollup_unique"
            )
        ]
        indexes = [models.Index(fields=["dimension", "month", "area_code"], name="month_slice_by_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.area_code} {self.dimension}={self.value}"


# The counters, added in a loop rather than written out 124 times.
for _name in COUNT_COLUMNS + RESPONSE_COLUMNS + HANDLING_COLUMNS:
    DayRollup.add_to_class(_name, models.IntegerField(db_default=0))
    MonthRollup.add_to_class(_name, models.IntegerField(db_default=0))
for _name in TICKET_COLUMNS:
    SliceRollup.add_to_class(_name, models.IntegerField(db_default=0))
    MonthSliceRollup.add_to_class(_name, models.IntegerField(db_default=0))
