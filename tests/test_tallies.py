"""The database's tallies (services/tallies.py) are the ones Python counts from the same rows,
on SQLite and on PostgreSQL: the digest's figures may be counted either way."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Integer, String, literal, literal_column, select, union_all

from db.engine import Database
from domain.figures import Counted, disjoint_whole, tally_of, whole_of
from services.tallies import Rows, bucket_tallies, part_tallies, whole_tally

# (person, part, amount): few people, so that parts about a small group are common.
ROWS = st.lists(
    st.tuples(st.integers(1, 12), st.sampled_from(["a", "b", "c"]), st.integers(1, 500)),
    max_size=40,
)
NOBODY = (0, "", 0)  # VALUES needs a row; person 0 is left out


def as_rows(rows: list[tuple[int, str, int]]) -> Rows:
    """The rows as a query: a UNION ALL of literal rows (SQLite names no VALUES columns)."""
    found = union_all(
        *(
            select(
                literal(person, Integer).label("person"),
                literal(part, String).label("part"),
                literal(amount, Integer).label("amount"),
            )
            for person, part, amount in rows or [NOBODY]
        )
    ).subquery()
    return select(found.c.person, found.c.part, found.c.amount).where(found.c.person > 0)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS, size=st.integers(1, 6))
def test_the_database_tallies_as_python_does(
    migrated_database: Database, rows: list[tuple[int, str, int]], size: int
) -> None:
    whole, by_part = tally_of(
        [Counted(person, part, amount) for person, part, amount in rows], size
    )
    in_two = {
        bucket: tally_of(
            [
                Counted(person, part, amount)
                for person, part, amount in rows
                if person % 2 == bucket
            ],
            size,
        )[1]
        for bucket in {person % 2 for person, _, _ in rows}
    }
    with migrated_database.read() as session:
        assert whole_tally(session, as_rows(rows), size) == whole
        assert part_tallies(session, as_rows(rows), size) == by_part
        bucketed = as_rows(rows).add_columns((literal_column("person") % 2).label("bucket"))
        assert bucket_tallies(session, bucketed, size) == in_two


@given(rows=ROWS, size=st.integers(1, 6))
def test_the_whole_of_the_parts_is_small_exactly_when_the_whole_is(
    rows: list[tuple[int, str, int]], size: int
) -> None:
    whole, by_part = tally_of(
        [Counted(person, part, amount) for person, part, amount in rows], size
    )
    derived = whole_of(by_part, size)
    assert (derived.amount, derived.is_small(size)) == (whole.amount, whole.is_small(size))
    if whole.is_small(size):
        assert derived == whole


@given(rows=ROWS, size=st.integers(1, 6))
def test_the_whole_of_parts_about_different_people_is_exact(
    rows: list[tuple[int, str, int]], size: int
) -> None:
    # Each person in one part only (their department): the part is decided by the person.
    placed = [(person, "abc"[person % 3], amount) for person, _, amount in rows]
    whole, by_part = tally_of([Counted(p, part, amount) for p, part, amount in placed], size)
    assert disjoint_whole(by_part.values(), size) == whole
