"""Amounts as people type them, read into minor units."""

from __future__ import annotations

import pytest

from domain.money import AmountProblem, Money, amount_examples, parse_amount


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("250", Money(25000, "EUR")),
        ("$1,200.50", Money(120050, "USD")),
        ("1200 USD", Money(120000, "USD")),
        ("1200usd", Money(120000, "USD")),
        ("€ 99.9", Money(9990, "EUR")),
        ("£12,345", Money(1234500, "GBP")),
        ("¥5000", Money(5000, "JPY")),
        ("0.01", Money(1, "EUR")),
    ],
)
def test_amounts_are_read_the_way_people_type_them(typed: str, expected: Money) -> None:
    assert parse_amount(typed, "EUR") == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "couldn't read"),
        ("lots", "couldn't read"),
        ("12,00", "couldn't read"),
        ("1.2.3", "couldn't read"),
        ("-5", "positive"),
        ("0", "positive"),
        ("0.00", "positive"),
        ("1.005", "at most 2 decimals"),
        ("¥10.5", "at most 0 decimals"),
        ("$5 EUR", "disagree"),
        ("2000000", "is it a typo"),
    ],
)
def test_anything_else_is_refused_with_an_example(typed: str, says: str) -> None:
    with pytest.raises(AmountProblem) as problem:
        parse_amount(typed, "EUR")
    assert says in str(problem.value)


def test_amounts_print_with_their_currency() -> None:
    assert str(Money(120050, "USD")) == "1,200.50 USD"
    assert str(Money(5000, "JPY")) == "5,000 JPY"


@pytest.mark.parametrize(
    ("currency", "examples"),
    [
        ("EUR", '"250", "€1,200.50" or "1200 EUR"'),
        ("USD", '"250", "$1,200.50" or "1200 USD"'),
        ("JPY", '"250", "¥1,200" or "1200 JPY"'),
        ("CHF", '"250", "1,200.50" or "1200 CHF"'),
    ],
)
def test_amount_examples_are_in_the_currency_given(currency: str, examples: str) -> None:
    assert amount_examples(currency) == examples
    for typed in examples.replace('"', "").replace(" or ", ", ").split(", "):
        assert parse_amount(typed, currency).currency == currency
