"""The leadership digest as Slack shows it: short lines of figures, each with its change since the
previous digest, and the chart shared with it. Counts only: no names, no free text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial

from domain.figures import Change, Figure
from domain.leadership import Figures
from domain.money import Money
from handlers.delivery import Upload
from services.leadership_chart import render_history_png
from services.leadership_digest import Report

WITHHELD = "withheld"
CHART_NAME = "alliance-health.png"
CHART_TITLE = "Review health and tour-end readiness, last 12 weeks"
CHART_ALT = (
    "Two line charts over 12 weeks: the share of alignment reviews done on time, late or "
    "overdue, and the share of tours ending within 90 days that have a decision."
)


def _signed(amount: int, show: Callable[[int], str]) -> str:
    if amount == 0:
        return "no change"
    return f"+{show(amount)}" if amount > 0 else f"\N{MINUS SIGN}{show(-amount)}"


def _count(value: int) -> str:
    return f"{value:,}"


def _withheld(min_group_size: int) -> str:
    """Said where the figure stands, with the reason."""
    return f"{WITHHELD} (fewer than {min_group_size})"


def _shown(
    figure: Figure, change: Change, withheld: str, show: Callable[[int], str] = _count
) -> str:
    """ "12 (+3)", "12" when there is nothing to compare with, or "withheld (fewer than 5)"."""
    if figure.value is None:
        return withheld
    if change.value is None:
        return show(figure.value)
    return f"{show(figure.value)} ({_signed(change.value, show)})"


def _parts(figure: Figure) -> str:
    """The parts, e.g. " — 8 decided, 4 undecided", or ", all transformational" when one part
    is the whole; leaving out what is withheld or none."""
    shown = {part: value for part, value in figure.by.items() if value}
    if not figure.value or not shown:
        return ""
    if list(shown.values()) == [figure.value]:
        return f", all {next(iter(shown))}"
    return " — " + ", ".join(f"{_count(value)} {part}" for part, value in shown.items())


def _in_currency(currency: str, minor: int) -> str:
    return str(Money(minor, currency))


def _money(figure: Figure, change: Change, withheld: str) -> str:
    """Each currency's amount, with its change."""
    if figure.value is None:
        return withheld
    if not figure.by:
        return "none"
    lines = []
    for currency, minor in figure.by.items():
        if minor is None:
            lines.append(f"{currency} {withheld}")
            continue
        in_currency = Money(minor, currency)
        before = change.by.get(currency)
        lines.append(
            str(in_currency)
            if before is None
            else f"{in_currency} ({_signed(before, partial(_in_currency, currency))})"
        )
    return ", ".join(lines)


def digest_text(report: Report, title: str) -> str:
    figures, changes = report.figures, report.changes
    withheld = _withheld(figures.min_group_size)

    def line(name: str) -> str:
        return _shown(figures.named()[name], changes[name], withheld)

    period = figures.period
    last_day = period.end - timedelta(days=1)
    since = (
        "Changes are since the previous digest."
        if report.since is not None
        else "This is the first digest: changes show from the next one."
    )
    return "\n".join(
        [
            f"*{title}*: the week of {period.start:%-d %b} to {last_day:%-d %b %Y}",
            "*Tours of duty*",
            f"• Active: {line('active_tours')}{_parts(figures.active_tours)}",
            f"• Statements agreed this week: {line('statements_agreed')} · "
            f"waiting for an answer: {line('statements_proposed')}",
            "*Alignment reviews*",
            f"• Done on time this week: {line('reviews_on_time')} · "
            f"late: {line('reviews_late')} · overdue now: {line('reviews_overdue')}",
            f"• Open perception gaps: {line('perception_gaps_open')}",
            "*Tour ends*",
            f"• Ending in the next 90 days: {line('tours_ending_soon')}"
            f"{_parts(figures.tours_ending_soon)}",
            f"• Past their end with no decision: {line('tours_past_end_undecided')}",
            "*Network and alumni*",
            f"• Alumni joined: {line('alumni_joined')} · opportunities posted: "
            f"{line('opportunities_posted')}, drawing {line('opportunity_interest')} “interested”",
            f"• Learnings shared: {line('learnings_shared')} · networking budget used: "
            f"{_money(figures.budget_used, changes['budget_used'], withheld)}",
            *_department_lines(figures, withheld),
            f"_{since} A figure about fewer than {figures.min_group_size} people is withheld._",
        ]
    )


MAX_DEPARTMENTS = 15  # the largest shown; the export has them all


def _department_lines(figures: Figures, withheld: str) -> list[str]:
    """Each department's active tours and reviews, the largest first; small departments
    withheld, with enough others that none can be worked out from the whole."""
    if not figures.has_departments:
        return []
    active = figures.active_by_department
    on_time = figures.reviews_on_time_by_department.by
    overdue = figures.reviews_overdue_by_department.by

    def shown(value: int | None) -> str:
        return withheld if value is None else _count(value)

    order = sorted(active.by, key=lambda part: (not part, -(active.by[part] or 0), part))
    lines = ["*By department*"] + [
        f"• {part or 'Not in the org chart'}: active tours {shown(active.by[part])} · reviews "
        f"on time this week {shown(on_time.get(part, 0))} · overdue {shown(overdue.get(part, 0))}"
        for part in order[:MAX_DEPARTMENTS]
    ]
    if len(order) > MAX_DEPARTMENTS:
        lines.append(
            f"• And {len(order) - MAX_DEPARTMENTS} more departments: "
            "`alliance export` has them all."
        )
    return lines


def chart_upload(report: Report) -> Upload:
    return Upload(CHART_NAME, CHART_TITLE, CHART_ALT, render_history_png(report.history))
