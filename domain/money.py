"""Amounts of money as people type them, held in minor units (cents), never as floats, and
the rules of an expense request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

# Symbols people type before an amount, and the currency each means.
SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
# Currencies without minor units (ISO 4217 exponent 0) among those commonly used.
NO_MINOR_UNITS = frozenset({"JPY", "KRW", "ISK", "CLP", "VND"})
LARGEST = Decimal("1000000")  # more than this is not a networking expense
_AMOUNT = re.compile(
    r"(?P<symbol>[$€£¥])?\s*(?P<number>[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?P<code>[A-Za-z]{3})?"
)


def amount_examples(currency: str) -> str:
    """How to type an amount, in the budget's own currency: '"250", "€1,200.50" or "1200 EUR"'."""
    symbol = next((sign for sign, code in SYMBOLS.items() if code == currency), "")
    larger = "1,200" if currency in NO_MINOR_UNITS else "1,200.50"
    return f'"250", "{symbol}{larger}" or "1200 {currency}"'


class AmountProblem(ValueError):
    """Not an amount that can be requested; the message says how to type one."""


@dataclass(frozen=True)
class Money:
    minor: int  # in the currency's minor units: 120050 is 1,200.50
    currency: str

    @property
    def exponent(self) -> int:
        return 0 if self.currency in NO_MINOR_UNITS else 2

    def __str__(self) -> str:
        whole = Decimal(self.minor).scaleb(-self.exponent)
        return f"{whole:,.{self.exponent}f} {self.currency}"


def parse_amount(text: str, default_currency: str) -> Money:
    """An amount as typed ("250", "$1,200.50", "1200 USD"), in the default currency unless
    another is named. Raises AmountProblem for anything else, or for zero, negative or absurd
    amounts."""
    typed = text.strip()
    if typed.startswith("-"):
        raise AmountProblem("An expense is a positive amount.")
    match = _AMOUNT.fullmatch(typed)
    if match is None or not _grouped_well(match["number"]):
        raise AmountProblem(
            f"I couldn't read {typed!r} as an amount. Try {amount_examples(default_currency)}."
        )
    symbol, code = match["symbol"], match["code"]
    currency = (code or SYMBOLS.get(symbol or "", "") or default_currency).upper()
    if symbol and code and SYMBOLS[symbol] != code.upper():
        raise AmountProblem(f"{symbol} and {code.upper()} disagree; type one currency.")
    try:
        value = Decimal(match["number"].replace(",", ""))
    except InvalidOperation:
        raise AmountProblem(
            f"I couldn't read {typed!r} as an amount. Try {amount_examples(default_currency)}."
        ) from None
    money = Money(0, currency)
    decimals = value.as_tuple().exponent
    if isinstance(decimals, int) and decimals < -money.exponent:
        raise AmountProblem(f"{currency} has at most {money.exponent} decimals.")
    if value <= 0:
        raise AmountProblem("An expense is a positive amount.")
    if value > LARGEST:
        raise AmountProblem(f"That's more than {LARGEST:,} {currency}; is it a typo?")
    return Money(int(value.scaleb(money.exponent)), currency)


def _grouped_well(number: str) -> bool:
    """Thousands separators, if any, every three digits: "1,200" but not "12,00"."""
    whole = number.split(".")[0]
    if "," not in whole:
        return True
    head, *groups = whole.split(",")
    return 1 <= len(head) <= 3 and all(len(group) == 3 for group in groups)


class ExpenseStatus(StrEnum):
    APPROVED_AUTO = "approved_auto"  # within the self-approval limit and the budget
    PENDING = "pending"  # waiting for the manager
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"


# What counts against the budget: approved, and asked for but not decided yet.
COMMITTED = (ExpenseStatus.APPROVED_AUTO, ExpenseStatus.PENDING, ExpenseStatus.APPROVED)


def needs_approval(amount: int, *, limit: int, remaining: int) -> bool:
    """Above the self-approval limit, or beyond what is left of the budget: the manager decides."""
    return amount > limit or amount > remaining


# An event's date further from today than these is a typo, not a plan.
EVENT_DAYS_BACK = 366
EVENT_DAYS_AHEAD = 2 * 366


def event_date_problem(day: date, today: date) -> str | None:
    """Why an expense's event date cannot be right, or None."""
    if day < today - timedelta(days=EVENT_DAYS_BACK):
        return "That is more than a year ago: pick the event's date."
    if day > today + timedelta(days=EVENT_DAYS_AHEAD):
        return "That is more than two years ahead: pick the event's date."
    return None
