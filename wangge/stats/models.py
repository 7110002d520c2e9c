"""The KPI rollup: one row per (day of submission, area) with every count of PRODUCT.md section 5 and a
histogram of the response and handling times, kept current by the ticket actions (see rollup.py).

A district's year is a few tens of thousands of rows however many tickets it had, so the district KPIs
read this table instead of scanning every ticket."""

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


# The counters, added in a loop rather than written out 124 times.
for _name in COUNT_COLUMNS + RESPONSE_COLUMNS + HANDLING_COLUMNS:
    DayRollup.add_to_class(_name, models.IntegerField(db_default=0))
