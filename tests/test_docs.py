"""The README, .env.example and manifest stay in step with the code."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest

from bot.cli import _parser
from bot.config import Settings
from domain.commands import COMMAND, SUBCOMMANDS, SUBCOMMANDS_BY_NAME
from handlers.ids import ACTIONS, EVENTS, VIEWS
from tests.surfaces import ROOT

README = (ROOT / "README.md").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
CONFIG_SOURCE = (ROOT / "bot" / "config.py").read_text()
VARIABLES_READ = set(re.findall(r'reader\.\w+\(\s*"([A-Z_]+)"', CONFIG_SOURCE))


@pytest.mark.parametrize("subcommand", SUBCOMMANDS, ids=lambda s: s.name)
def test_every_subcommand_is_in_the_readme(subcommand) -> None:
    assert f"`{COMMAND} {subcommand.usage.replace('|', chr(92) + '|')}`" in README


def test_the_readme_names_no_subcommand_that_does_not_exist() -> None:
    mentioned = set(re.findall(rf"`{COMMAND} ([a-z]+)", README))
    assert mentioned <= set(SUBCOMMANDS_BY_NAME)


@pytest.mark.parametrize("surface", [*EVENTS, *ACTIONS, *VIEWS])
def test_every_event_action_and_view_is_in_the_readme(surface: str) -> None:
    assert f"`{surface}`" in README


def test_every_setting_is_read_from_one_variable() -> None:
    assert len(VARIABLES_READ) == len(fields(Settings))


@pytest.mark.parametrize("name", sorted(VARIABLES_READ))
def test_every_variable_is_documented_in_the_readme_and_env_example(name: str) -> None:
    assert f"| `{name}` |" in README
    assert f"{name}=" in ENV_EXAMPLE


def test_every_cli_command_is_in_the_readme() -> None:
    commands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert f"`alliance {name}" in README
