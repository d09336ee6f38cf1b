"""The benchmark results file keeps one row per line whatever a note holds, and a benchmark
that failed and then ran again shows only what it measured."""

from benchmarks.__main__ import markdown
from benchmarks.common import Result

MACHINE = {"CPU": "AMD EPYC", "Cores": "2"}
COMMAND = "python -m benchmarks"


def rows(text: str) -> list[str]:
    table = text.split("| Benchmark |", 1)[1].split("\n\n", 1)[0]
    return table.splitlines()[2:]


def test_a_failure_spread_over_lines_is_one_row_and_keeps_the_rows_after_it() -> None:
    first = markdown(
        [
            Result("tokens", "failed", "", note="HTTPStatusError: 401\nFor more information | see"),
            Result("9 spreadsheets", "xlsx", "1 s", ratio=1.5, target=1.0),
        ],
        MACHINE,
        COMMAND,
        1.0,
    )
    assert [row.split(" | ")[0] for row in rows(first)] == ["| tokens", "| 9 spreadsheets"]
    assert "HTTPStatusError: 401 For more information \\| see" in rows(first)[0]
    again = markdown([Result("16 duplicates", "report", "1 s")], MACHINE, COMMAND, 1.0, first, ["duplicates"])
    assert [row.split(" | ")[0] for row in rows(again)] == ["| tokens", "| 9 spreadsheets", "| 16 duplicates"]


def test_a_benchmark_that_failed_then_ran_shows_only_its_new_rows() -> None:
    def written(result: Result, previous: str = "") -> tuple[str, list[list[str]]]:
        text = markdown([result], MACHINE, COMMAND, 1.0, previous, ["tokens"])
        return text, [row.split(" | ")[:3] for row in rows(text)]

    measured, _ = written(Result("6 token check", "GET", "1 ms"))
    failed, failed_rows = written(Result("tokens", "failed", "", note="boom"), measured)
    assert failed_rows == [["| 6 token check", "GET", "1 ms"], ["| tokens", "failed", ""]]
    _, recovered_rows = written(Result("6 token check", "GET", "2 ms"), failed)
    assert recovered_rows == [["| 6 token check", "GET", "2 ms"]]
