"""The comparison in words: the headline, each KPI's one verdict, its method and improvement.

Rows are written by hand in compare()'s shape (the sentences depend on nothing else), and the
demo's headline is checked against counts made in plain Python from the generator's rows.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kpis import (
    DateRange,
    Definitions,
    Store,
    compare,
    format_count,
    format_holding,
    format_improvement,
    format_share,
    headline,
    method_note,
    missing_reason,
    verdict_sentence,
    verdict_text,
    windows_around_event,
)
from kpis.demo.generate import EVENT, generate
from kpis.i18n import use_language


def _row(kpi: str, before: float | None, after: float | None, verdict: str, **more) -> dict:
    delta = after - before if before is not None and after is not None else None
    return {
        "kpi": kpi, "before": before, "after": after, "delta": delta,
        "delta_pct": delta / before if delta is not None and before else None,
        "verdict": verdict, "explained_by_trend": False, "trend_verdict": None, "fading": None,
        "note": None, **more,
    }  # fmt: skip


SIX = [
    _row("conversion_rate", 0.02, 0.035, "improved"),
    _row("csat", 0.75, 0.9, "improved"),
    _row("resolution_time", 19.8, 12.0, "improved"),
    _row("service_rate", 0.838, 0.933, "improved"),
    _row("stock_rotation", 10.0, 14.6, "improved"),
    _row("cost_per_unit_shipped", 2.01, 1.86, "improved"),
]


def test_all_improved(definitions: Definitions) -> None:
    assert headline(definitions, pd.DataFrame(SIX)) == (
        "All 6 KPIs improved significantly. "
        "Biggest: Lead conversion rate 2.0% → 3.5% (75.0% better)."
    )


def test_every_kind_of_outcome_is_counted_and_named(definitions: Definitions) -> None:
    rows = [
        _row("conversion_rate", 0.02, 0.035, "improved"),
        _row("csat", 0.75, 0.9, "improved", explained_by_trend=True),
        _row("resolution_time", 19.8, 12.0, "improved", fading=True),
        _row("service_rate", None, 0.933, "not enough data", note="the before window ..."),
        _row("stock_rotation", 10.0, 10.1, "no significant change"),
        _row("cost_per_unit_shipped", 2.0, 2.2, "worsened"),
    ]
    assert headline(definitions, pd.DataFrame(rows)) == (
        "2 of 6 KPIs improved significantly; 1 worsened significantly: Cost per unit shipped; "
        "1 explained by the trend before: Customer satisfaction (CSAT); 1 no clear change: "
        "Stock rotation; 1 without a value: Service rate (OTIF). Biggest: Lead conversion rate "
        "2.0% → 3.5% (75.0% better). Fading in the last 4 weeks: Resolution time (median)."
    )


def test_none_improved_names_the_worst(definitions: Definitions) -> None:
    rows = [
        _row("conversion_rate", 0.03, 0.02, "worsened"),
        _row("cost_per_unit_shipped", 2.0, 2.2, "worsened"),
        _row("csat", 0.8, 0.8, "not enough data"),
    ]
    assert headline(definitions, pd.DataFrame(rows)) == (
        "No KPI improved significantly; 2 worsened significantly: Lead conversion rate, Cost "
        "per unit shipped; 1 with too little data to tell: Customer satisfaction (CSAT). "
        "Worst: Lead conversion rate 3.0% → 2.0% (33.3% worse)."
    )


def test_one_kpi_is_one_sentence(definitions: Definitions) -> None:
    one = pd.DataFrame([_row("resolution_time", 10.0, 6.0, "improved")])
    assert headline(definitions, one) == (
        "Resolution time (median) 10.0 hours → 6.0 hours (40.0% better): improved."
    )
    none = pd.DataFrame([_row("service_rate", 0.9, None, "not enough data")])
    assert headline(definitions, none) == (
        "Service rate (OTIF): no value: no data in the after window."
    )
    assert headline(definitions, pd.DataFrame(columns=["kpi"])) == "Nothing to compare."


def test_the_demos_headline(demo_store: Store) -> None:
    """Conversion is the biggest change: leads converted before and after the playbook,
    counted in Python from the generator (2.0 % and 3.5 % are placed exactly)."""
    windows = windows_around_event(demo_store, "ops-playbook")
    table = compare(demo_store, windows.before, windows.after)
    leads = generate().leads
    sides = {}
    for side, window in (("before", windows.before), ("after", windows.after)):
        inside = [r for r in leads if window.start <= r["created_at"].date() <= window.end]
        sides[side] = sum(r["converted"] for r in inside) / len(inside)
    assert windows.after.start == EVENT
    better = f"{(sides['after'] / sides['before'] - 1) * 100:.1f}% better"
    assert better == "74.9% better"
    assert headline(demo_store.definitions, table) == (
        f"All 11 KPIs improved significantly. Biggest: Lead conversion rate 2.0% → 3.5% ({better})."
        " Fading in the last 4 weeks: Stock rotation."  # Lyon stocks up again from mid-October
    )


@pytest.mark.parametrize(
    ("kpi", "delta_pct", "delta", "expected"),
    [
        ("resolution_time", -0.393, -7.8, "39.3% better"),  # lower is better: a fall is good
        ("resolution_time", 0.12, 2.0, "12.0% worse"),
        ("cost_per_unit_shipped", -0.074, -0.15, "7.4% better"),
        ("conversion_rate", 0.749, 0.015, "74.9% better"),
        ("conversion_rate", -0.2, -0.01, "20.0% worse"),
        ("csat", 0.0, 0.0, "no change"),
        ("csat", 0.0004, 0.0003, "no change"),  # rounds to 0.0 %: not "0.0% better"
        ("csat", None, 0.1, "better"),  # from 0: no relative change, still a direction
        ("resolution_time", None, 0.5, "worse"),
        ("csat", None, 0.0, "no change"),
        ("csat", None, None, "–"),
        ("csat", float("nan"), float("nan"), "–"),
    ],
)
def test_improvement_reads_the_kpis_direction(
    definitions: Definitions, kpi: str, delta_pct, delta, expected: str
) -> None:
    assert format_improvement(definitions.kpis[kpi], delta_pct, delta) == expected


def test_counts_shares_and_holding(definitions: Definitions) -> None:
    rotation = definitions.kpis["stock_rotation"]
    assert (format_count(12345.0), format_count(30.4), format_count(None)) == ("12,345", "30", "–")
    assert (format_share(0.30102), format_share(0.0), format_share(None)) == ("30.1%", "0.0%", "–")
    assert format_holding(rotation, 2.39, 0.5197, False) == "+2.4 turns/year (52% of the whole): holding"  # fmt: skip
    assert format_holding(rotation, 1.2, 0.26, True) == "+1.2 turns/year (26% of the whole): fading"  # fmt: skip
    assert format_holding(rotation, 0.1, None, None) == "+0.1 turns/year"
    assert format_holding(rotation, None, None, None) == "–"


VERDICTS = [
    ("improved", False, None, "improved"),
    ("improved", False, "improved", "improved"),
    ("improved", True, "no significant change", "improved, but the trend before explains it"),
    ("worsened", True, "no significant change", "worsened, but the trend before explains it"),
    ("improved", False, "no significant change", "improved, but not clearly beyond the trend before"),
    ("improved", False, "worsened", "improved, but less than the trend before was heading for"),
    ("worsened", False, "improved", "worsened, but less than the trend before was heading for"),
    ("no significant change", False, "improved", "no significant change, but improved against the trend before"),
    ("no significant change", False, "no significant change", "no significant change"),
    ("not enough data", False, "improved", "not enough data"),
    (None, None, None, "–"),
]  # fmt: skip


@pytest.mark.parametrize(("verdict", "explained", "trend", "expected"), VERDICTS)
def test_one_verdict_says_where_the_trend_check_disagrees(
    verdict, explained, trend, expected
) -> None:
    assert verdict_text(verdict, explained, trend) == expected


def test_a_kpi_without_a_value_says_why() -> None:
    note = "the after window ends 2026-11-22; orders data through 2026-11-15: 1 week missing"
    late = _row("service_rate", 0.9, None, "not enough data", note=note)
    assert missing_reason(late) == note
    assert verdict_sentence(late) == f"no value: {note}"
    assert verdict_sentence(_row("csat", None, None, "not enough data")) == (
        "no value: no data in either window"
    )
    assert missing_reason(_row("csat", 0.7, float("nan"), "x")) == "no data in the after window"
    assert missing_reason(_row("csat", 0.7, 0.8, "improved", note=note)) is None


METHODS = [
    ("conversion_rate", 12345, 11890, "two-proportion test on 12,345 leads before and 11,890 after"),
    ("csat", 3828, 4078, "two-proportion test on 3,828 tickets with csat_score known before and 4,078 after"),
    ("resolution_time", 6285, 6850, "bootstrap of the median over 6,285 tickets before and 6,850 after (2,000 resamples)"),
    ("resolution_time", 250000, 260000, "normal interval of the median (rank-based spreads) on 250,000 tickets before and 260,000 after"),
    ("stock_rotation", 26, 26, "bootstrap over 26 weeks before and 26 after (2,000 resamples)"),
    ("cost_per_unit_shipped", 182, 10, "bootstrap over 182 days before and 10 after (2,000 resamples); a verdict needs 14 days a side"),
    ("service_rate", None, None, "no interval: no value to compare"),
]  # fmt: skip


@pytest.mark.parametrize(("kpi", "n_before", "n_after", "expected"), METHODS)
def test_each_rows_method_in_words(
    definitions: Definitions, kpi: str, n_before, n_after, expected: str
) -> None:
    row = {"n_before": n_before, "n_after": n_after}
    assert method_note(definitions.kpis[kpi], row) == expected


def test_the_demos_verdicts_and_methods_agree_with_the_table(demo_store: Store) -> None:
    """Every row's verdict is one sentence; leads are counted in Python from the generator."""
    windows = windows_around_event(demo_store, "ops-playbook")
    table = compare(demo_store, windows.before, windows.after)
    assert {verdict_sentence(r) for r in table.to_dict("records")} == {"improved"}
    leads = generate().leads

    def count(window: DateRange) -> int:
        return sum(window.start <= r["created_at"].date() <= window.end for r in leads)

    conversion = table.to_dict("records")[0]
    before, after = count(windows.before), count(windows.after)
    assert method_note(demo_store.definitions.kpis["conversion_rate"], conversion) == (
        f"two-proportion test on {before:,} leads before and {after:,} after"
    )


def test_the_headline_and_methods_in_french(definitions: Definitions) -> None:
    """The same sentences in French: plurals, U+00A0 before ':' and '%', French numbers."""
    rows = [
        _row("conversion_rate", 0.02, 0.035, "improved"),
        _row("csat", 0.75, 0.9, "improved", explained_by_trend=True),
        _row("resolution_time", 19.8, 12.0, "improved", fading=True),
        _row("service_rate", None, 0.933, "not enough data", note="the before window ..."),
        _row("stock_rotation", 10.0, 10.1, "no significant change"),
        _row("cost_per_unit_shipped", 2.0, 2.2, "worsened"),
    ]
    nbsp = "\u00a0"
    with use_language("fr"):
        label = {name: kpi.label for name, kpi in definitions.kpis.items()}
        assert headline(definitions, pd.DataFrame(rows)) == (
            f"2 KPI sur 6 se sont améliorés significativement; 1 s'est dégradé "
            f"significativement{nbsp}: {label['cost_per_unit_shipped']}; 1 expliqué par la "
            f"tendance antérieure{nbsp}: {label['csat']}; 1 sans changement net{nbsp}: "
            f"{label['stock_rotation']}; 1 sans valeur{nbsp}: {label['service_rate']}. "
            f"Plus forte variation{nbsp}: {label['conversion_rate']} 2,0{nbsp}% → 3,5{nbsp}% "
            f"(75,0{nbsp}% mieux). S'estompe sur les 4 dernières semaines{nbsp}: "
            f"{label['resolution_time']}."
        )
        assert headline(definitions, pd.DataFrame(SIX)).startswith(
            "Les 6 KPI se sont améliorés significativement."
        )
        assert verdict_sentence(_row("csat", None, None, "not enough data")) == (
            f"pas de valeur{nbsp}: aucune donnée dans les deux périodes"
        )
        row = {"n_before": 30836, "n_after": 33576}
        assert method_note(definitions.kpis["conversion_rate"], row).startswith(
            "test de deux proportions sur 30\u202f836 "
        )
