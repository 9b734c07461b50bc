"""What an org chart import says, as lines of plain text: the plan (each change and each row
refused, by line) and what was applied. The command line prints them; in Slack they are the
summary of the DM and the report file sent with it."""

from __future__ import annotations

from services.org_import import Applied, ChangeKind, ImportPlan

SHOWN: dict[ChangeKind, str] = {
    ChangeKind.NEW: "new",
    ChangeKind.MANAGER: "manager",
    ChangeKind.DEPARTMENT: "department",
    ChangeKind.DETAILS: "details",
    ChangeKind.GONE: "not in file",
}


def summary_line(plan: ImportPlan, *, dry_run: bool) -> str:
    """ "Would import: 3 new, 1 with a new manager, 0 changing department, 2 with other ..." """
    counts = [
        f"{plan.count(ChangeKind.NEW):,} new",
        f"{plan.count(ChangeKind.MANAGER):,} with a new manager",
        f"{plan.count(ChangeKind.DEPARTMENT):,} changing department",
        f"{plan.count(ChangeKind.DETAILS):,} with other changes",
    ]
    return f"{'Would import' if dry_run else 'To import'}: {', '.join(counts)}."


def plan_lines(
    name: str, columns: tuple[str, ...], plan: ImportPlan, *, dry_run: bool
) -> list[str]:
    """The whole report of a plan: the rows read, every change and every refused row."""
    lines = [
        f"Read {plan.rows:,} rows of {name} (columns: {', '.join(columns)}).",
        summary_line(plan, dry_run=dry_run),
    ]
    for change in plan.changes:
        where = f"line {change.line}" if change.line is not None else ""
        detail = {
            ChangeKind.NEW: f"reports to {change.after}",
            ChangeKind.MANAGER: f"{change.before} -> {change.after}",
            ChangeKind.DEPARTMENT: f"{change.before or '(none)'} -> {change.after or '(none)'}",
            ChangeKind.DETAILS: "title, location, start date or email",
            ChangeKind.GONE: "has a reporting line, not offboarded: review them",
        }[change.kind]
        lines.append(f"  {SHOWN[change.kind]:<12} {where:<10} {change.who}: {detail}")
    if gone := plan.count(ChangeKind.GONE):
        people = "person" if gone == 1 else "people"
        lines.append(f"{gone:,} {people} with a reporting line not in the file (listed above).")
    if plan.refused:
        lines.append(f"Refused {len(plan.refused):,} rows:")
        lines += [f"  line {refusal.line}: {refusal.reason}" for refusal in plan.refused]
    return lines


def applied_lines(applied: Applied, plan: ImportPlan) -> list[str]:
    if not applied.lines and not applied.people:
        return ["Nothing changed: the org chart is as the file says."]
    skipped = f" ({len(plan.refused):,} rows skipped)" if plan.refused else ""
    lines = [
        f"Imported{skipped}: {applied.lines:,} reporting lines written, "
        f"{applied.people:,} people stored from Slack."
    ]
    if applied.hand_overs:
        lines.append(
            f"Tours of duty whose employee now reports to someone else: {applied.hand_overs:,}. "
            "I'll ask each tour's manager to hand it over or close it, and tell the new manager."
        )
    return lines
