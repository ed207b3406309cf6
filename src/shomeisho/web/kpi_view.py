"""What the KPI templates show, made from the published rows: texts, tables and SVG charts.

Why a module of its own: the page and the staff page show the same sections, and every value
must read the same everywhere ("<10" for a small count, "withheld" for a complementary one, in
the chart, its table and the summary alike), so the formatting lives in one place, not in two
templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import ceil
from typing import Any

from markupsafe import Markup

from shomeisho.errors import InputError
from shomeisho.formats import TITLES
from shomeisho.kpi.charts import Bar, horizontal_bars, vertical_bars
from shomeisho.kpi.facts import FORMATS, ISSUING_CHANNELS, VERIFYING_CHANNELS
from shomeisho.kpi.figures import (
    BANDS,
    GOAL_SECONDS,
    LAST_BAND,
    VERDICTS,
    VERIFIED_FORMATS,
    band_of,
)
from shomeisho.kpi.published import RATIO, SECONDS, Published, Row
from shomeisho.kpi.suppression import WITHHELD_SMALL
from shomeisho.procedure.journey_metrics import STEPS
from shomeisho.records.municipalities import municipality_by_code


@dataclass
class Table:
    """A data table: its caption, column headers, and rows whose first cell is a row header."""

    caption: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    numeric_from: int = 1  # the columns from this one on hold numbers (aligned right)


@dataclass
class Chart:
    """An SVG chart and the table with its figures (for screen readers, and anyone)."""

    chart_id: str
    title: str
    svg: Markup
    table: Table


def text(row: Row, t: dict[str, str]) -> str:
    """A row's value as the page shows it, withheld rows included."""
    if row.withheld:
        return t["kpi_small"] if row.withheld == WITHHELD_SMALL else t["kpi_complementary"]
    if row.value is None:
        return t["kpi_no_data"]
    if row.unit == RATIO:
        return f"{row.value:.1%}"
    if row.unit == SECONDS:
        return t["kpi_seconds"].format(n=f"{row.value:,.0f}")
    return f"{row.value:,.0f}"


def _bar(label: str, row: Row, t: dict[str, str]) -> Bar:
    value = None if row.value is None else float(row.value)
    return Bar(label, value, text(row, t), withheld=bool(row.withheld))


def _label(t: dict[str, str], prefix: str, key: str) -> str:
    return t.get(f"kpi_{prefix}_{key}", key)


def municipality_name(code: str, lang: str) -> str:
    """The municipality's name in the reader's language where we have it (the shipped code
    list is Japanese; English readers get the code beside it)."""
    try:
        name = municipality_by_code(code).display_name
    except InputError:  # a code no longer on the list: show the code
        return code
    return name if lang == "ja" else f"{name} ({code})"


def _chart_description(t: dict[str, str], title: str) -> str:
    return t["kpi_chart_desc"].format(title=title, lower_title=title[:1].lower() + title[1:])


def _chart(
    chart_id: str,
    title: str,
    t: dict[str, str],
    items: list[tuple[str, str, Row]],
    headers: list[str],
    draw: Callable[..., str],
    **options: Any,
) -> Chart:
    """A chart of ``items`` (bar label, table label, row) drawn by ``draw``, and its table:
    the table label and the value as the page shows it, under ``headers``."""
    bars = [_bar(short, row, t) for short, _, row in items]
    svg = draw(chart_id, title, _chart_description(t, title), bars, **options)
    rows = [[label, text(row, t)] for _, label, row in items]
    return Chart(chart_id, title, Markup(svg), Table(title, headers, rows))  # noqa: S704


def summary(published: Published, t: dict[str, str]) -> list[tuple[str, str]]:
    get = published.get
    items = [(t["kpi_issuances_total"], text(get("issuances"), t))]
    if not published.scope:
        items += [
            (t["kpi_verifications_total"], text(get("verifications"), t)),
            (t["kpi_median"], text(get("time_to_certificate_median"), t)),
            (t["kpi_p95"], text(get("time_to_certificate_p95"), t)),
            (t["kpi_share_60"], text(get("share_within_60s"), t)),
            (t["kpi_certificate_rate"], text(get("certificate_rate"), t)),
        ]
    return items


def _counts(t: dict[str, str], caption: str, header: str, rows: list[tuple[str, Row]]) -> Table:
    return Table(caption, [header, t["kpi_count"]], [[label, text(row, t)] for label, row in rows])


def issuance_sections(published: Published, t: dict[str, str], lang: str) -> dict[str, Any]:
    get = published.get
    days = published.of("issuances", "day")
    chart = _chart(
        "chart-issuances",
        t["kpi_chart_issuances_day"],
        t,
        [(r.cell.key[5:], r.cell.key, r) for r in days],  # bars say 11-02, the table the date
        [t["kpi_day"], t["kpi_count"]],
        vertical_bars,
        label_every=max(1, ceil(len(days) / 8)),
    )
    channels = [(_label(t, "channel", c), get("issuances", "channel", c)) for c in ISSUING_CHANNELS]
    formats = [(TITLES[f], get("certificates", "format", f)) for f in FORMATS]
    municipalities = Table(
        t["kpi_by_municipality"],
        [t["kpi_municipality"], *(_label(t, "channel", c) for c in ISSUING_CHANNELS),
         t["kpi_total"]],
        [
            [municipality_name(code, lang),
             *(text(get("issuances", "channel", c, code), t) for c in ISSUING_CHANNELS),
             text(get("issuances", municipality=code), t)]
            for code in published.municipalities()
        ],
    )  # fmt: skip
    return {
        "chart": chart,
        "channels": _counts(t, t["kpi_by_channel"], t["kpi_channel"],
                            [*channels, (t["kpi_total"], get("issuances"))]),
        "formats": _counts(t, t["kpi_by_format"], t["kpi_format"], formats),
        "municipalities": municipalities,
    }  # fmt: skip


def verification_sections(published: Published, t: dict[str, str]) -> dict[str, Any]:
    get = published.get
    chart = _chart(
        "chart-verdicts",
        t["kpi_chart_verdicts"],
        t,
        [
            (_label(t, "verdict", v), _label(t, "verdict", v), get("verifications", "verdict", v))
            for v in VERDICTS
        ],
        [t["kpi_verdict"], t["kpi_count"]],
        horizontal_bars,
        maximum=None,
    )
    channels = [
        (_label(t, "channel", c), get("verifications", "channel", c)) for c in VERIFYING_CHANNELS
    ]
    formats = [
        (TITLES.get(f) or t["kpi_format_unknown"], get("verifications", "format", f))
        for f in VERIFIED_FORMATS
    ]
    return {
        "chart": chart,
        "channels": _counts(t, t["kpi_by_channel"], t["kpi_channel"],
                            [*channels, (t["kpi_total"], get("verifications"))]),
        "formats": _counts(t, t["kpi_format"], t["kpi_format"], formats),
    }  # fmt: skip


def _band_label(t: dict[str, str], band: str) -> str:
    lower, _, upper = band.partition("-")
    if not upper:
        return t["kpi_band_last"].format(lower=lower)
    return t["kpi_band_label"].format(lower=lower, upper=upper)


def _by(use: str) -> tuple[str, str]:
    """The breakdown and key of a figure for one use ("" for all)."""
    return ("use", use) if use else ("total", "")


def time_sections(published: Published, t: dict[str, str]) -> dict[str, Any]:
    get = published.get
    uses = [("", t["kpi_use_all"]), ("domestic", t["kpi_use_domestic"]),
            ("overseas", t["kpi_use_overseas"])]  # fmt: skip
    figures = ("journeys_with_certificate", "time_to_certificate_median",
               "time_to_certificate_p95", "share_within_60s")  # fmt: skip
    times = Table(
        t["kpi_section_time"],
        [t["kpi_use"], t["kpi_with_certificate"], t["kpi_col_median"], t["kpi_col_p95"],
         t["kpi_col_share_60"]],
        [[label, *(text(get(f, *_by(use)), t) for f in figures)] for use, label in uses],
    )  # fmt: skip
    chart = _chart(
        "chart-bands",
        t["kpi_chart_bands"],
        t,
        [(b.split("-")[1] or f"{LAST_BAND}+", _band_label(t, b),
          get("time_to_certificate", "band", b)) for b in BANDS],
        [t["kpi_band"], t["kpi_count"]],
        vertical_bars,
        label_every=3,
        marker=(BANDS.index(band_of(GOAL_SECONDS)) + 1, t["kpi_goal_marker"]),
    )  # fmt: skip
    return {"table": times, "chart": chart}


def step_sections(published: Published, t: dict[str, str]) -> dict[str, Any]:
    get = published.get
    steps = [(_label(t, "step", s), s) for s in STEPS]
    chart = _chart(
        "chart-steps",
        t["kpi_chart_steps"],
        t,
        [(label, label, get("step_completed_rate", "step", s)) for label, s in steps],
        [],
        horizontal_bars,
        maximum=1.0,
    )
    overseas = get("journeys_started", "use", "overseas")
    chart.table = Table(
        chart.title,
        [t["kpi_step"], t["kpi_base"], t["kpi_reached"], t["kpi_completed"],
         t["kpi_completed_rate"]],
        [
            [label, text(overseas if s == "travel" else get("journeys_started"), t),
             text(get("step_reached", "step", s), t), text(get("step_completed", "step", s), t),
             text(get("step_completed_rate", "step", s), t)]
            for label, s in steps
        ],
    )  # fmt: skip
    return {"chart": chart}


def _refusal(t: dict[str, str], key: str) -> str:
    """A refused answer in words: the field, or for a failed sign-in its error code."""
    step, _, code = key.partition("/")
    if f"kpi_refusal_{key}" in t:
        return t[f"kpi_refusal_{key}"]
    return t["kpi_refusal_sign_in"].format(code=code) if step == "sign_in" else key


def reason_sections(published: Published, t: dict[str, str]) -> dict[str, Any]:
    endings = published.of("journeys_ended", "reason")
    chart = _chart(
        "chart-reasons",
        t["kpi_chart_reasons"],
        t,
        [(_label(t, "reason", r.cell.key), _label(t, "reason", r.cell.key), r) for r in endings],
        [t["kpi_reason"], t["kpi_count"]],
        horizontal_bars,
        maximum=None,
    )
    refusals = Table(
        t["kpi_refusals"],
        [t["kpi_step"], t["kpi_reason"], t["kpi_count"]],
        [
            [_label(t, "step", r.cell.key.partition("/")[0]), _refusal(t, r.cell.key),
             text(r, t)]
            for r in published.of("journeys_refused", "step_field")
        ],
        numeric_from=2,
    )  # fmt: skip
    return {"chart": chart, "refusals": refusals}


def sections(published: Published, t: dict[str, str], lang: str) -> dict[str, Any]:
    """The template context of every section for ``published``."""
    found: dict[str, Any] = {
        "summary": summary(published, t),
        "issuances": issuance_sections(published, t, lang),
    }
    if not published.scope:
        found["verifications"] = verification_sections(published, t)
        found["times"] = time_sections(published, t)
        found["steps"] = step_sections(published, t)
        found["reasons"] = reason_sections(published, t)
    return found
