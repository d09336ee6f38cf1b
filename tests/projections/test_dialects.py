"""Statements reach the engine as written: nothing rewrites `?` or `%`, which PostgreSQL's
JSON operators and plain string constants contain."""

import pytest

from letopis.wiring import Letopis


def test_question_marks_and_percent_signs_in_a_statement_are_left_alone(letopis: Letopis) -> None:
    with letopis.views.reading() as cursor:
        rows = cursor.execute("SELECT 'Звонок? 100%' || $1", (" да",))
    assert rows == [("Звонок? 100% да",)]


@pytest.mark.parametrize("store_kind", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_the_postgresql_json_operator_question_mark_works(letopis: Letopis) -> None:
    with letopis.views.reading() as cursor:
        rows = cursor.execute("SELECT $1::jsonb ? 'phones', $1::jsonb ? 'fax'", ('{"phones": []}',))
    assert rows == [(True, False)]


def test_text_read_as_utf8_comes_as_the_bytes_of_the_text_and_other_reads_as_text(letopis: Letopis) -> None:
    with letopis.views.reading() as cursor:
        raw = cursor.execute_utf8("SELECT 'Ёлкин «Ая»' || $1, 7", (" 𝔘",))
        text = cursor.execute("SELECT 'Ёлкин «Ая»' || $1", (" 𝔘",))
    assert raw == [("Ёлкин «Ая» 𝔘".encode(), 7)]
    assert text == [("Ёлкин «Ая» 𝔘",)]
