"""The direction of imports: handlers -> services -> (domain, db); the domain knows no Slack."""

from __future__ import annotations

import ast

import pytest

from tests.surfaces import PACKAGES, ROOT

# What each package may import from the project's own packages.
ALLOWED = {
    "domain": {"domain"},
    "db": {"db", "domain"},
    "services": {"services", "domain", "db"},
    "handlers": {"handlers", "services", "domain"},
    "scheduler": {"scheduler", "services", "domain"},
    "bot": {"bot", "handlers", "scheduler", "services", "domain", "db"},
}
SLACK_FREE = ("domain", "db", "services")


def imported_modules(package: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_follow_the_layers(package: str) -> None:
    own = {module.split(".")[0] for module in imported_modules(package)} & set(PACKAGES)
    assert own <= ALLOWED[package], f"{package} imports {own - ALLOWED[package]}"


@pytest.mark.parametrize("package", SLACK_FREE)
def test_core_packages_do_not_import_slack(package: str) -> None:
    slack = {m for m in imported_modules(package) if m.startswith(("slack_bolt", "slack_sdk"))}
    assert not slack, f"{package} imports {slack}"


def test_domain_imports_the_standard_library_only() -> None:
    import sys

    outside = {m.split(".")[0] for m in imported_modules("domain")}
    outside -= set(sys.stdlib_module_names) | {"__future__", "domain"}
    assert not outside, f"domain imports {outside}"
