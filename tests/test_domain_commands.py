"""Reading what people type after /alliance."""

from __future__ import annotations

from domain.commands import SUBCOMMANDS, closest_subcommand, parse_command_text


def test_first_word_is_the_subcommand_case_insensitively() -> None:
    parsed = parse_command_text("  TOUR   new <@U123|dana>  ")
    assert (parsed.name, parsed.args) == ("tour", "new <@U123|dana>")


def test_empty_text_means_no_subcommand() -> None:
    assert parse_command_text(" \n ").name == ""


def test_near_misses_find_their_subcommand() -> None:
    for typed, meant in [
        ("tuor", "tour"),
        ("valeus", "values"),
        ("chekin", "checkin"),
        ("alumnus", "alumni"),
        ("EXPENSES", "expense"),
    ]:
        found = closest_subcommand(typed)
        assert found is not None and found.name == meant


def test_far_misses_find_nothing() -> None:
    assert closest_subcommand("zzzz") is None


def test_every_subcommand_names_itself_in_its_usage() -> None:
    assert all(s.usage.startswith(s.name) and s.example.startswith(s.name) for s in SUBCOMMANDS)
