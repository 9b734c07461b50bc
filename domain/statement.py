"""The Statement of Alliance as a Markdown document: a preamble and four articles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class StatementDocument:
    employee_name: str
    manager_name: str
    company_name: str
    tour_type_label: str
    tour_type_explanation: str
    objective: str
    start_date: date
    end_date: date
    success_company: str
    success_employee: str
    cadence_weeks: int
    status_label: str
    version_no: int


def render_statement_markdown(doc: StatementDocument) -> str:
    """The statement laid out as the sample Statement of Alliance is: preamble, then articles."""
    company = doc.company_name or "the company"
    return "\n".join(
        [
            "# Statement of Alliance",
            "",
            f"_Version {doc.version_no} · {doc.status_label}_",
            "",
            "## Preamble",
            "",
            f"{company} and {doc.employee_name} agree to work together as allies. {company} "
            f"commits to helping {doc.employee_name} transform their career; {doc.employee_name} "
            f"commits to helping transform {company}. This statement sets out the terms of their "
            f"current tour of duty, agreed with {doc.manager_name} as manager.",
            "",
            "## Article 1: Tour of duty",
            "",
            f"- **Kind of tour:** {doc.tour_type_label}. {doc.tour_type_explanation}",
            f"- **Mission objective:** {doc.objective}",
            f"- **Dates:** {doc.start_date:%-d %B %Y} to {doc.end_date:%-d %B %Y}",
            f"- **Alignment reviews:** every {doc.cadence_weeks} weeks",
            "",
            "### What success looks like for the company",
            "",
            doc.success_company,
            "",
            f"### What success looks like for {doc.employee_name}",
            "",
            doc.success_employee,
            "",
            "## Article 2: Alignment",
            "",
            f"{doc.employee_name} and {doc.manager_name} share their core values and aspirations "
            "with each other and hold regular alignment reviews. Gaps between their values and "
            f"those of {company} are named and discussed, never left to grow. Well before the "
            "tour ends they decide together what comes next: a new tour here, or a transition.",
            "",
            "## Article 3: Network intelligence",
            "",
            f"{doc.employee_name}'s network is an asset to them and to {company}. {company} gives "
            "time and money to build it; what is learned is shared with colleagues, keeping "
            "nonpublic information private.",
            "",
            "## Article 4: Alumni network",
            "",
            f"If {doc.employee_name} moves on in good standing, {company} invites them into its "
            "alumni network, keeps them in the loop, and stays their ally.",
            "",
        ]
    )
