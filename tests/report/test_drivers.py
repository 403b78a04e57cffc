"""Top drivers against contributions computed by hand on a small dataset.

Real CSV exports go through the real upload path into a real DuckDB file; the expected
numbers are worked out below from the rows, with the formula of kpis.report.drivers.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kpis import DateRange, Store, ingest_file
from kpis.report.drivers import additive, contributions, top_drivers
from tests.conftest import WriteCsv
from tests.oracle import HEADERS

BEFORE = DateRange(dt.date(2026, 3, 2), dt.date(2026, 3, 8))  # 2026-W10
WEEK = DateRange(dt.date(2026, 3, 9), dt.date(2026, 3, 15))  # 2026-W11


def _leads(day: str, channel: str, count: int, converted: int, first: int) -> list[list[str]]:
    return [
        [f"L{first + i}", f"{day} 10:00", channel, "true" if i < converted else "false"]
        for i in range(count)
    ]


def test_a_ratio_kpi_splits_its_change_exactly(store: Store, write_csv: WriteCsv) -> None:
    """Conversion: web 2/10 then 2/20, partner 1/10 then 3/5.

    The KPI goes from 3/20 = 0.15 to 5/25 = 0.20: +0.05. Weights are each channel's share
    of the leads. web: 20/25 x 2/20 - 10/20 x 2/10 = 0.08 - 0.10 = -0.02; partner:
    5/25 x 3/5 - 10/20 x 1/10 = 0.12 - 0.05 = +0.07; together +0.05, the KPI's change.
    """
    rows = (
        _leads("2026-03-03", "web", 10, 2, 0)
        + _leads("2026-03-04", "partner", 10, 1, 100)
        + _leads("2026-03-10", "web", 20, 2, 200)
        + _leads("2026-03-11", "partner", 5, 3, 300)
    )
    ingest_file(store, write_csv("leads.csv", HEADERS["leads"], rows))
    (driver,) = top_drivers(store, "conversion_rate", BEFORE, WEEK)
    assert driver.dimension == "channel" and driver.value == "partner"
    assert driver.contribution == pytest.approx(0.07)
    assert (driver.kpi_value, driver.kpi_previous) == pytest.approx((0.6, 0.1))
    assert (driver.volume, driver.volume_previous) == (5, 10)
    assert (driver.share, driver.share_previous) == pytest.approx((0.2, 0.5))
    parts = contributions(
        {"web": (0.2, 0.1), "partner": (0.1, 0.6)},
        {"web": (0.5, 0.8), "partner": (0.5, 0.2)},
    )
    assert parts == pytest.approx({"web": -0.02, "partner": 0.07})
    assert sum(parts.values()) == pytest.approx(0.20 - 0.15)


def test_a_median_is_weighted_by_row_share(store: Store, write_csv: WriteCsv) -> None:
    """Resolution time (a median) by channel; every ticket in team a (one value: no driver).

    Before: email 2 h and 4 h (median 3), chat 10 h and 20 h (15); shares 1/2 and 1/2.
    This week: email 1, 2, 3 h (2), chat 40 h (40); shares 3/4 and 1/4.
    email: 3/4 x 2 - 1/2 x 3 = 0; chat: 1/4 x 40 - 1/2 x 15 = 10 - 7.5 = +2.5.
    """
    tickets = [("2026-03-03", "email", 2), ("2026-03-03", "email", 4), ("2026-03-04", "chat", 10),
               ("2026-03-04", "chat", 20), ("2026-03-10", "email", 1),
               ("2026-03-10", "email", 2), ("2026-03-10", "email", 3),
               ("2026-03-11", "chat", 40)]  # fmt: skip
    rows = []
    for i, (day, channel, hours) in enumerate(tickets):
        created = dt.datetime.fromisoformat(f"{day} 06:00")
        resolved = created + dt.timedelta(hours=hours)
        rows.append([f"T{i}", str(created), str(resolved), 5, channel, "a"])
    ingest_file(store, write_csv("tickets.csv", HEADERS["tickets"], rows))
    drivers = top_drivers(store, "resolution_time", BEFORE, WEEK)
    assert [d.dimension for d in drivers] == ["channel"]  # team has one value
    (driver,) = drivers
    assert driver.value == "chat" and driver.contribution == pytest.approx(2.5)
    assert (driver.kpi_value, driver.kpi_previous) == pytest.approx((40, 15))
    assert (driver.volume, driver.volume_previous) == (1, 2)


def test_sums_and_counts_add_up_and_medians_do_not() -> None:
    assert additive("sum(units)") and additive("count(*)") and additive("count_if(x > 1)")
    assert not additive("median(epoch(resolved_at - created_at))")
    assert not additive("avg(x)")
