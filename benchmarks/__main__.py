"""``python -m benchmarks [--quick] [--only NAME ...]``: run, print the table, write RESULTS.md."""

import argparse
import sys
import time
import traceback
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import (
    analytics,
    append,
    audit,
    bonuses,
    calendar,
    demo,
    duplicates,
    http,
    imports,
    latency,
    plan_vs_actual,
    planning,
    rebuild,
    rebuild_reads,
    sales,
    spreadsheets,
    token_check,
)
from benchmarks.common import Result, drop_database, ensure_database, machine_description

BENCHMARKS: dict[str, Callable[[bool], list[Result]]] = {
    "append": append.run,
    "http": http.run,
    "rebuild": rebuild.run,
    "latency": latency.run,
    "sales": sales.run,
    "tokens": token_check.run,
    "rebuild-reads": rebuild_reads.run,
    "audit": audit.run,
    "spreadsheets": spreadsheets.run,
    "analytics": analytics.run,
    "planning": planning.run,
    "calendar": calendar.run,
    "plan-vs-actual": plan_vs_actual.run,
    "bonuses": bonuses.run,
    "imports": imports.run,
    "duplicates": duplicates.run,
}
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
COLUMNS = ("Benchmark", "Case", "Letopis", "Raw baseline", "Ratio", "Target", "", "Notes")
RUN = "Run"
"""The file's last column: when and on which CPU each row was measured."""

ABOUT = """\
How to read this table:

- **1 append**: `log_interaction` through a `WriteService`, one command per transaction
  (validate, load the counterparty and its manager, as remembered from earlier commands,
  decide, append, checking at the append that neither has changed), against
  plain psycopg / sqlite3 inserting one row per transaction, with the same payload bytes,
  into a table shaped like the event table. Both run in alternating rounds.
- **2 POST /interactions**: the web API in a uvicorn subprocess on a loopback port;
  client threads with keep-alive connections in the benchmark process.
- **3 history rebuild**: `ProjectionRunner.rebuild()` with only `RelationshipHistory`
  over a log of real, decodable Letopis events, against a raw `COPY` of exactly the rows
  the rebuild produced (pre-rendered bytes) into a table with the same key and index.
  The ratio compares rows per second.
- **4 read latency**: the demo company (`seed_demo`, ×10; restored from the copy kept in
  `benchmarks/.work/` when there is one for this generator) on PostgreSQL, queried as one of
  its managers: through the projection query functions and through the web API. Targets:
  phone lookup p95 under 5 ms, history page p95 under 10 ms, and the web layer (HTTP p50
  less the function's p50) adding at most 2 ms; the ratio is target over measured.
- **5 sales**: the same demo company on PostgreSQL: the deal funnel for one manager and
  for the whole company, a contract register page of 50 and a client's financial position,
  through the projection query functions; the ratio there is the 50 ms p95 target over the
  measured p95 (met when ≥ 1). Then `ProjectionRunner.rebuild()` with only the sales
  projections against a raw `COPY` of exactly the rows it produced into tables of the
  same shape, in rows per second.

- **6 token check**: an authenticated `GET /counterparties/{id}` on the demo company (×10,
  PostgreSQL) against the same request served by a second server that skips the token check;
  both run side by side and are asked in alternating rounds. The ratio is p95 without the
  check over p95 with it (met when the check adds at most 10%).

- **7 reads during a rebuild**: history pages of one manager's clients through the query
  function, first alone and then while `relationship_history` is rebuilt beside the live
  view in another thread; every answer is compared with the page read before, so an empty
  or half-built view would count. The ratio is p95 alone over p95 during the rebuild.

- **8 audit**: on the same demo company, the funnel for the whole company as known at a past
  moment (`known_at`, mapped to the log position recorded by then), replayed cold (the first
  time it is asked) into views in memory: at nine tenths of the log from the log's start, as
  with no checkpoints; then, once the projection worker's replay has kept checkpoints (timed
  on a row of its own), at nine and at six tenths from the nearest checkpoint; and as it had
  happened by a business date six months back (`as_of`), from the log's start. The ratio is
  the 5 s target over the time taken. Then `crm audit verify`'s
  check of the whole hash chain against reading the same rows with plain psycopg (a
  server-side cursor), in events per second (met when ≥ 0.3).
- **9 spreadsheets**: the whole contract register (every contract, as an analyst sees it)
  downloaded with `GET /api/v1/contracts?format=xlsx` from the web API in a uvicorn
  subprocess, demo ×10 on PostgreSQL; the ratio is the 3 s target over the measured p95. The
  same download as CSV is shown beside it, without a target.
- **10 analytics**: the demo company (×10, PostgreSQL) exported to the analytics store:
  the full export in rows per second against DuckDB's own `COPY … TO parquet` of the same
  rows from memory in the same run (target ratio 0.3); appending the last 10,000 events as
  a new part (under 2 s; the view snapshots are timed apart, as they run on their own
  cadence); each ready analysis (p95 under 1 s) and the analyst's typical query, money
  received per manager per month over two years (p95 under 500 ms).
- **11 planning**: the same demo company on PostgreSQL: the control of execution of the whole
  department over a month and the month's time audit by client (costed at the rates in
  effect), through the projection query functions, against a 50 ms p95 target; then
  `ProjectionRunner.rebuild()` with only the planning projections against a raw `COPY` of
  exactly the rows it produced, in rows per second.

- **12 calendar**: the same demo company on PostgreSQL, read at the demo's moment as the
  manager with the most calendar entries: through the web API, `GET /calendar` for their own
  month (p95 under 20 ms) and their team's week (under 50 ms) and `GET /me/today` (under
  50 ms; the server's clock stands at the demo's moment, as the functions are asked at it);
  through the functions the routes call, the daily report (under 50 ms) and their iCalendar
  feed of 30 days back and 90 ahead with alarms (under 100 ms). Then `ProjectionRunner.rebuild()`
  with only the calendar's projections (the calendar and its feeds; the other planning views
  are measured by 11) against a raw `COPY` of the rows it produced, in rows per second.
- **13 plan vs actual**: the demo company (×10, PostgreSQL) with its two years of plans; the
  analyst asks for the company's plan against actual (plans, actuals by source, weighted
  forecast to the period's end, in roubles) for a month, a quarter and a year, and for the
  largest team's month, through the projection query function. Target: p95 under 50 ms; the
  ratio is target over measured.

- **14 bonuses**: on the same demo company (PostgreSQL), every manager's bonus statement
  for one month and for a whole year, and a what-if for that year under a candidate rule
  set, each by replay of the log from its start (only the topics bonuses need); target
  under 10 s, the ratio is the target over the time taken. Beside it, the events the
  replay read per second and the raw rate of reading every row of the log (a server-side
  cursor, nothing decoded) in the same run.

- **15 import**: a client base as 1C hands it over, 100,000 counterparties (ИНН, КПП, ОГРН, bank
  requisites, phones, region) with 200,000 contacts linked by ИНН, from CSV (Windows-1251, ';') and
  from XLSX, imported by `import_counterparties` into a fresh store: every row placed by its
  title, validated (control digits included), checked against the ИНН claims, then written in
  one append. The baseline inserts exactly the events the import wrote (same topics and state
  bytes) into a table shaped like the event table in one transaction (`executemany` / `COPY`).
  Both in file rows per second; target ratio 0.3. The files are kept in `benchmarks/.work/`.
- **16 duplicates and merge**: the demo company (×10, PostgreSQL: 20,000 cards); the auditor
  asks for the duplicates report (every likely pair is found, the first page returned);
  target under 5 s. Then two new cards with 1,000 history entries each are merged and split
  in turn by the head of sales, each step timed from the command to every view caught up
  with it (the survivor's history is checked to hold both cards' entries right after);
  target under 1 s a step. Ratios are target over the measured p95.

A run of some benchmarks (`--only`) replaces their rows and keeps the other benchmarks'
rows from earlier runs; the header describes the latest run's machine, and each row's last
column names the run it comes from. Machines differ: one of these measured a plain Python
loop three times as slow as another, and every time in ms with it.

The machine is shared and noisy: only ratios measured in the same run are comparable.
"""


def table(results: list[Result]) -> Table:
    view = Table(title="Letopis benchmarks", show_lines=False)
    for column in COLUMNS:
        view.add_column(column, overflow="fold")
    for result in results:
        view.add_row(*_cells(result))
    return view


def _cells(result: Result) -> tuple[str, ...]:
    return (
        result.benchmark,
        result.case,
        result.value,
        result.baseline,
        f"{result.ratio:.2f}" if result.ratio is not None else "",
        f"≥ {result.target:.2f}" if result.target is not None else "",
        result.verdict,
        result.note,
    )


def markdown(
    results: list[Result],
    machine: dict[str, str],
    command: str,
    minutes: float,
    previous: str = "",
    ran: Collection[str] = (),
) -> str:
    """The results file; rows of benchmarks not run now (``ran``: as the command line names
    them) are kept from ``previous``."""

    def row(cells: tuple[str, ...] | str) -> str:
        if isinstance(cells, str):
            return cells
        # A cell on one line (a failure's message may hold several), or the row ends there.
        return "| " + " | ".join(" ".join(cell.split()).replace("|", "\\|") for cell in cells) + " |"

    moment = f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
    lines = [
        "# Benchmark results",
        "",
        f"Run on {moment} UTC with `{command}` ({minutes:.1f} min).",
        "",
        "| Machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in machine.items()),
        "",
        row((*COLUMNS, RUN)),
        row(tuple("---" for _ in (*COLUMNS, RUN))),
        *(row(cells) for cells in merged(results, previous, f"{moment}, {machine.get('CPU', '')}", ran)),
        "",
        ABOUT,
    ]
    return "\n".join(lines)


def _header_run(lines: list[str]) -> str:
    """The run a results file's header describes: its date and CPU."""
    moment = next((line.split()[2:4] for line in lines if line.startswith("Run on ")), ["", ""])
    cpu = next((line.split(" | ")[1].removesuffix(" |") for line in lines if line.startswith("| CPU | ")), "")
    return f"{' '.join(moment)}, {cpu}"


def _row_benchmark(line: str) -> str:
    return line.removeprefix("| ").split(" | ", 1)[0].replace("\\|", "|")


def merged(
    results: list[Result], previous: str, run: str, ran: Collection[str] = ()
) -> list[tuple[str, ...] | str]:
    """This run's rows, each naming ``run``, in place of the rows of the same benchmarks in
    ``previous``; the rows of other benchmarks kept as they were, in their order (a row
    written before rows named their run is given the run its file's header names); new
    benchmarks at the end. A failure's row names its benchmark as the command line does
    (``ran``), not as its results do, and goes once that benchmark runs again."""
    lines = previous.splitlines()
    header = next(
        (n for n, line in enumerate(lines) if line.startswith(f"| {COLUMNS[0]} | {COLUMNS[1]} |")), None
    )
    kept: list[str] = []
    if header is not None:
        earlier = _header_run(lines)
        for line in lines[header + 2 :]:
            if not line.startswith("| "):
                break
            unnamed = len(line.removeprefix("| ").removesuffix(" |").split(" | ")) == len(COLUMNS)
            kept.append(f"{line} {earlier} |" if unnamed else line)
    fresh: dict[str, list[tuple[str, ...]]] = {}
    for result in results:
        fresh.setdefault(result.benchmark, []).append((*_cells(result), run))
    rows: list[tuple[str, ...] | str] = []
    for line in kept:
        name = _row_benchmark(line)
        if name in fresh:
            if name not in {r[0] for r in rows if isinstance(r, tuple)}:
                rows.extend(fresh[name])
        elif name not in ran:
            rows.append(line)
    placed = {r[0] for r in rows if isinstance(r, tuple)}
    for name, cells in fresh.items():
        if name not in placed:
            rows.extend(cells)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a minute or two")
    parser.add_argument(
        "--only", action="append", choices=sorted(BENCHMARKS), help="run only this benchmark (repeatable)"
    )
    parser.add_argument("--no-write", action="store_true", help="print the table but leave RESULTS.md alone")
    args = parser.parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 200)
    ensure_database()
    machine = machine_description()
    started = time.monotonic()
    results: list[Result] = []
    try:
        for name in args.only or list(BENCHMARKS):
            console.print(f"[bold]running {name}[/bold] …")
            began = time.monotonic()
            try:
                found = BENCHMARKS[name](args.quick)
            except Exception as error:
                traceback.print_exc()
                found = [Result(name, "failed", "", note=f"{type(error).__name__}: {error}"[:200])]
            results.extend(found)
            console.print(f"  {name} done in {time.monotonic() - began:.0f} s")
    finally:
        demo.release()
        drop_database()  # every schema was dropped already; the database goes too
    minutes = (time.monotonic() - started) / 60
    console.print(table(results))
    console.print(", ".join(f"{key}: {value}" for key, value in machine.items()))
    if not args.no_write:
        command = " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])])
        previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        ran = args.only or list(BENCHMARKS)
        RESULTS.write_text(markdown(results, machine, command, minutes, previous, ran), encoding="utf-8")
        console.print(f"written to {RESULTS}")
    return 0 if all(r.verdict != "MISSED" and r.case != "failed" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
