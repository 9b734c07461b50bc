"""Values in plain Python: parsing answers, their limits, matching, overlaps and gaps."""

from __future__ import annotations

import pytest

from domain.conversations import Outcome, State, answer
from domain.values import (
    MAX_ITEM_LENGTH,
    MAX_ITEMS,
    MAX_NOTE_LENGTH,
    VALUES_FLOW,
    Party,
    ValuesDraft,
    alignment,
    match_key,
    parse_draft,
    parse_items,
    parse_note,
    singular,
)

E, M, C = Party.EMPLOYEE, Party.MANAGER, Party.COMPANY


# --- parsing --------------------------------------------------------------------------------


def test_items_split_on_commas_semicolons_and_lines() -> None:
    assert parse_items("Honesty, curiosity; craft\nCustomers first") == [
        "Honesty",
        "curiosity",
        "craft",
        "Customers first",
    ]


def test_bullets_numbers_and_extra_spaces_are_dropped() -> None:
    typed = "- Honesty\n* Curiosity\n• Craft\n1. Speed\n2)   Customers    first\n\n,,"
    assert parse_items(typed) == ["Honesty", "Curiosity", "Craft", "Speed", "Customers first"]


def test_the_same_value_twice_is_kept_once_as_first_written() -> None:
    assert parse_items("Customers, customer!, CUSTOMERS, boxes, Box") == ["Customers", "boxes"]


def test_empty_text_gives_no_items() -> None:
    assert parse_items("  \n , ; ") == []


def test_ten_items_of_eighty_characters_are_accepted() -> None:
    items = [f"{n}" + "x" * (MAX_ITEM_LENGTH - 1) for n in range(MAX_ITEMS)]
    assert parse_items("\n".join(items)) == items


def test_more_than_ten_items_are_refused_kindly() -> None:
    with pytest.raises(ValueError, match="That's 11 items; please keep to the 10"):
        parse_items(", ".join(f"value {n}" for n in range(11)))


def test_an_item_over_eighty_characters_is_refused_by_number() -> None:
    with pytest.raises(ValueError, match="Item 2 is 81 characters long"):
        parse_items("fine, " + "y" * 81)


def test_note_limit() -> None:
    assert parse_note("  " + "n" * MAX_NOTE_LENGTH + "  ") == "n" * MAX_NOTE_LENGTH
    with pytest.raises(ValueError, match="1501 characters long"):
        parse_note("n" * (MAX_NOTE_LENGTH + 1))


def test_a_form_reports_each_field_problem_by_key() -> None:
    draft, problems = parse_draft("a, b", "v" * 81, "n" * 1501)
    assert set(problems) == {"core_values", "manager_note"}
    assert draft.aspirations == ("a", "b")


def test_an_empty_form_is_an_empty_draft() -> None:
    draft, problems = parse_draft("", " ", "")
    assert problems == {} and draft.is_empty
    assert draft == ValuesDraft()


# --- the conversation -----------------------------------------------------------------------


def test_the_flow_asks_aspirations_then_values_then_the_note_with_examples() -> None:
    keys = [step.key for step in VALUES_FLOW.steps]
    assert keys == ["aspirations", "core_values", "manager_note"]
    assert all(step.example and not step.required for step in VALUES_FLOW.steps)


def test_a_list_answer_is_parsed_and_a_bad_one_is_asked_again() -> None:
    turn = answer(VALUES_FLOW, State(), "Lead a team, speak at a conference")
    assert turn.outcome is Outcome.ASKING and turn.state.step_index == 1
    assert turn.state.answers["aspirations"] == ["Lead a team", "speak at a conference"]
    again = answer(VALUES_FLOW, turn.state, ", ".join(str(n) for n in range(12)))
    assert again.state == turn.state and again.problem and "12 items" in again.problem
    punctuation = answer(VALUES_FLOW, turn.state, ",,,")
    assert punctuation.state == turn.state and punctuation.problem


def test_skipping_every_step_finishes_with_an_empty_draft() -> None:
    state = State()
    for _ in VALUES_FLOW.steps:
        turn = answer(VALUES_FLOW, state, "skip")
        state = turn.state
    assert turn.outcome is Outcome.DONE
    assert ValuesDraft.from_answers(state.answers).is_empty


def test_a_draft_from_answers_keeps_lists_as_tuples() -> None:
    draft = ValuesDraft.from_answers(
        {"aspirations": ["a"], "core_values": None, "manager_note": "hi"}
    )
    assert draft == ValuesDraft(("a",), None, "hi")


# --- matching -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Customers!", "customer"),
        ("Boxes", "box"),
        ("Policies", "policy"),
        ("Classes", "class"),
        ("Matches", "match"),
        ("Well-being", "well being"),
        ("Customer's trust", "customers trust"),
        ("Customer\u2019s trust", "customer trust"),
        ("  OWNERSHIP  ", "ownership"),
        ("\uff23\uff55\uff53\uff54\uff4f\uff4d\uff45\uff52\uff53", "customer"),  # full width
        ("Customers first", "customer first"),
    ],
)
def test_values_match_regardless_of_case_punctuation_and_simple_plurals(
    one: str, other: str
) -> None:
    assert match_key(one) == match_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [("Trust", "Truth"), ("Speed", "Quality"), ("Customer first", "First customer")],
)
def test_different_values_do_not_match(one: str, other: str) -> None:
    assert match_key(one) != match_key(other)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("success", "success"),
        ("focus", "focus"),
        ("analysis", "analysis"),
        ("gas", "gas"),
        ("values", "value"),
        ("goals", "goal"),
        ("ties", "tie"),
        ("policies", "policy"),
    ],
)
def test_singular_keeps_words_that_only_look_plural(word: str, expected: str) -> None:
    assert singular(word) == expected


def test_symbols_only_match_themselves() -> None:
    assert match_key("🚀") == "🚀" and match_key("🚀") != match_key("🎯")


# --- alignment ------------------------------------------------------------------------------


def test_overlaps_and_gaps_across_three_parties() -> None:
    result = alignment(
        ["Honesty", "Customers", "Curiosity", "Craft"],
        ["customer", "Speed", "craft!"],
        ["HONESTY", "Customer", "Boxes", "speed"],
    )
    assert result.present == {E, M, C}
    assert result.shared_by_all == ("Customers",)
    assert result.shared_by_exactly(E, C) == ("Honesty",)
    assert result.shared_by_exactly(E, M) == ("Craft",)
    assert result.shared_by_exactly(M, C) == ("Speed",)
    assert [o.value for o in result.shared_with_employee] == ["Honesty", "Customers", "Craft"]
    assert result.gaps_of(E) == ("Curiosity",)
    assert result.gaps_of(M) == ()
    assert result.gaps_of(C) == ("Boxes",)


def test_an_overlap_is_worded_as_the_first_party_wrote_it() -> None:
    result = alignment(None, ["Policies"], ["policy"])
    assert result.overlaps[0].value == "Policies"
    assert result.overlaps[0].parties == {M, C}


def test_an_absent_party_shares_nothing_and_has_no_gaps() -> None:
    result = alignment(["Honesty", "Speed"], None, ["honesty"])
    assert result.present == {E, C}
    assert result.shared_by_all == ()
    assert result.shared_by_exactly(E, C) == ("Honesty",)
    assert result.gaps_of(E) == ("Speed",) and result.gaps_of(M) == ()


def test_an_empty_list_counts_as_absent() -> None:
    assert alignment(["a"], [], []).present == {E}


def test_alone_there_are_no_gaps() -> None:
    result = alignment(["Honesty", "Speed"], None, None)
    assert result.gaps == () and result.overlaps == ()


def test_duplicates_within_one_party_are_not_overlaps() -> None:
    result = alignment(["Customers", "customer"], ["speed"], None)
    assert result.overlaps == ()
    assert result.gaps_of(E) == ("Customers",)
