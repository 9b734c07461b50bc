"""Settings: read once, every problem reported together."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, load_settings

VALID = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret"}


def test_defaults_fill_everything_optional() -> None:
    settings = load_settings(VALID)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.port == 3000
    assert settings.admins == frozenset()
    assert not settings.socket_mode


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxp-user-token",
                "PORT": "70000",
                "DATABASE_URL": "mysql://x/y",
                "ALLIANCE_ADMINS": "U123ABC, bob",
                "ALLIANCE_ALUMNI_CHANNEL": "#alumni",
                "SLACK_API_URL": "slack.com/api",
            }
        )
    problems = raised.value.problems
    assert len(problems) == 7
    explained = raised.value.explain()
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "PORT",
        "DATABASE_URL",
        "ALLIANCE_ADMINS",
        "ALLIANCE_ALUMNI_CHANNEL",
        "SLACK_API_URL",
    ):
        assert name in explained
    assert (
        "ALLIANCE_ADMINS must be a comma-separated list of Slack user IDs; these are not: bob."
        in explained
    )


def test_socket_mode_needs_no_signing_secret() -> None:
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert settings.socket_mode and settings.signing_secret == ""


def test_api_url_gets_its_trailing_slash_and_lists_are_trimmed() -> None:
    settings = load_settings(
        {**VALID, "SLACK_API_URL": "http://127.0.0.1:9000/api", "ALLIANCE_ADMINS": " U1AA , W2BB ,"}
    )
    assert settings.slack_api_url == "http://127.0.0.1:9000/api/"
    assert settings.admins == frozenset({"U1AA", "W2BB"})


def test_oauth_variables_are_refused_with_a_reason() -> None:
    with pytest.raises(ConfigError, match="OAuth"):
        load_settings({**VALID, "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "x"})


def test_database_commands_do_not_need_slack_tokens() -> None:
    settings = load_settings({"DATABASE_URL": "postgresql://u@h/db"}, need_slack=False)
    assert settings.database_url == "postgresql://u@h/db"


def test_a_postgres_url_as_hosts_hand_it_out_is_accepted() -> None:
    settings = load_settings({"DATABASE_URL": "postgres://u:p@h:5432/db"}, need_slack=False)
    assert settings.database_url == "postgres://u:p@h:5432/db"


def test_working_hours_and_tour_end_leads_are_read_and_checked() -> None:
    default = load_settings(VALID)
    assert str(default.working_hours) == "Mon-Fri 09:00-17:00"
    assert default.tour_end_lead_days == (90, 60, 30)
    chosen = load_settings(
        {
            **VALID,
            "ALLIANCE_WORKING_HOURS": "Sun-Thu 08:30-16:30",
            "ALLIANCE_TOUR_END_LEAD_DAYS": "30, 120,30",
        }
    )
    assert str(chosen.working_hours) == "Sun-Thu 08:30-16:30"
    assert chosen.tour_end_lead_days == (120, 30)
    with pytest.raises(ConfigError) as raised:
        load_settings(
            {
                **VALID,
                "ALLIANCE_WORKING_HOURS": "weekdays 9 to 5",
                "ALLIANCE_TOUR_END_LEAD_DAYS": "90,soon",
            }
        )
    problems = raised.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("ALLIANCE_WORKING_HOURS is not working hours")
    assert "Mon-Fri 09:00-17:00" in problems[0]
    assert problems[1].startswith("ALLIANCE_TOUR_END_LEAD_DAYS must be days before")


def test_the_networking_budget_is_read_as_people_type_amounts() -> None:
    default = load_settings(VALID).budget_defaults
    assert (default.amount_minor, default.limit_minor, default.currency) == (100000, 25000, "EUR")
    chosen = load_settings(
        {
            **VALID,
            "ALLIANCE_CURRENCY": "usd",
            "ALLIANCE_BUDGET_YEARLY": "$1,500",
            "ALLIANCE_BUDGET_SELF_APPROVAL": "300.50",
        }
    ).budget_defaults
    assert (chosen.amount_minor, chosen.limit_minor, chosen.currency) == (150000, 30050, "USD")
    with pytest.raises(ConfigError) as raised:
        load_settings({**VALID, "ALLIANCE_CURRENCY": "euro", "ALLIANCE_BUDGET_YEARLY": "lots"})
    problems = raised.value.problems
    assert problems[0].startswith("ALLIANCE_CURRENCY must be a three-letter currency code")
    assert problems[1].startswith("ALLIANCE_BUDGET_YEARLY is not an amount")


def test_the_leadership_digest_settings_are_read_and_checked() -> None:
    default = load_settings(VALID)
    assert str(default.digest_schedule) == "Mon 09:00 UTC"
    assert (default.leadership_channel, default.min_group_size) == (None, 5)
    chosen = load_settings(
        {
            **VALID,
            "ALLIANCE_LEADERSHIP_CHANNEL": "C0LEAD001",
            "ALLIANCE_LEADERSHIP_DIGEST": "Fri 16:30 Europe/Paris",
            "ALLIANCE_MIN_GROUP_SIZE": "8",
        }
    )
    assert str(chosen.digest_schedule) == "Fri 16:30 Europe/Paris"
    assert (chosen.leadership_channel, chosen.min_group_size) == ("C0LEAD001", 8)
    assert load_settings({**VALID, "ALLIANCE_LEADERSHIP_DIGEST": "off"}).digest_schedule is None
    with pytest.raises(ConfigError) as raised:
        load_settings(
            {
                **VALID,
                "ALLIANCE_LEADERSHIP_DIGEST": "weekly",
                "ALLIANCE_MIN_GROUP_SIZE": "0",
                "ALLIANCE_LEADERSHIP_CHANNEL": "#leadership",
            }
        )
    problems = " ".join(raised.value.problems)
    assert "ALLIANCE_LEADERSHIP_DIGEST is not a weekly schedule" in problems
    assert '"Mon 09:00", "Fri 16:30 Europe/Paris" or "off"' in problems
    assert "ALLIANCE_MIN_GROUP_SIZE must be a whole number from 1 to 1000" in problems
    assert "ALLIANCE_LEADERSHIP_CHANNEL must be a channel ID" in problems


def test_the_clock_shift_is_seconds_either_way_and_nothing_else() -> None:
    assert load_settings(VALID).clock_shift == timedelta(0)
    back = load_settings({**VALID, "ALLIANCE_CLOCK_SHIFT_SECONDS": "-86400.5"})
    assert back.clock_shift == -timedelta(days=1, milliseconds=500)
    for typed in ("a day", "nan", "inf", "1e12"):
        with pytest.raises(ConfigError) as raised:
            load_settings({**VALID, "ALLIANCE_CLOCK_SHIFT_SECONDS": typed})
        assert raised.value.problems == [
            "ALLIANCE_CLOCK_SHIFT_SECONDS must be a number of seconds, such as -86400 for a day "
            f"back (found '{typed}')."
        ]


def test_each_problem_ends_with_one_full_stop() -> None:
    """Parsers' sentences and quoted values end with their own full stop: never two."""
    with pytest.raises(ConfigError) as raised:
        load_settings(
            {
                **VALID,
                "ALLIANCE_LEADERSHIP_DIGEST": "Mon.",
                "ALLIANCE_WORKING_HOURS": "weekdays.",
                "ALLIANCE_BUDGET_YEARLY": "abc",
                "ALLIANCE_CURRENCY": "E.",
                "DATABASE_URL": "foo.",
            }
        )
    problems = raised.value.problems
    assert len(problems) == 5
    assert all(p.endswith(".") and not p.endswith("..") for p in problems), problems
