"""Benchmark 16: the duplicates report and the merge of two cards, on PostgreSQL.

The demo company (``benchmarks.demo.seeded_demo``, ×10: 20,000 cards; ×1 with --quick). The
auditor, who reads every card, asks for the duplicates report (the first page, and so every
pair found); target under 5 s. Then two new cards of one manager get 1,000 interactions each,
and the head of sales merges one into the other and splits them again, several times: each
step is the command and the views catching up with it, after which the survivor's history,
contacts and financial position must already include the merged card's (checked, not
assumed); target under 1 s a step.
"""

from datetime import timedelta

from aggregates.counterparty import Counterparty
from aggregates.employee import Role
from aggregates.interaction import Interaction, InteractionKind
from aggregates.stamp import Stamp
from benchmarks.common import Result, timed, within_p95
from benchmarks.demo import NOW, SeededDemo, seeded_demo
from commands.counterparty_merge_commands import MergeCounterparty, SplitCounterparty
from projections.duplicates import duplicate_pairs
from projections.employee_directory import find_employee
from projections.relationship_history import HistoryQuery, history_page

REPORT_TARGET_MS = 5_000.0
MERGE_TARGET_MS = 1_000.0
HISTORY = 1_000


def run(quick: bool) -> list[Result]:
    scale = 1 if quick else 10
    bench = "16 duplicates and merge"
    demo = seeded_demo(scale)
    views = demo.letopis.views
    with views.reading() as cursor:
        auditor, head = (
            find_employee(
                cursor,
                cursor.execute("SELECT id FROM employees WHERE role = $1 ORDER BY id LIMIT 1", (role.value,))[
                    0
                ][0],
            )
            for role in (Role.AUDITOR, Role.HEAD_OF_SALES)
        )
        ((cards,),) = cursor.execute("SELECT COUNT(*) FROM counterparties")
    assert auditor is not None
    assert head is not None

    def report() -> int:
        with views.reading() as cursor:
            return duplicate_pairs(cursor, auditor, 50, 0)[1]

    pairs = report()  # warm-up: pool, caches, prepared plans
    samples = timed([report for _ in range(3 if quick else 7)])
    results = [
        within_p95(
            bench,
            "duplicates report, everyone's",
            samples,
            REPORT_TARGET_MS,
            f"demo ×{scale}: {cards} cards, {pairs} likely pairs",
        )
    ]

    survivor, duplicate = _two_cards_with_history(demo, head.employee_id)
    steps: list[MergeCounterparty | SplitCounterparty] = []
    for _ in range(3 if quick else 10):
        steps.append(MergeCounterparty(merged_id=duplicate, reason="Одна компания"))
        steps.append(SplitCounterparty(reason="Разные компании"))

    def step(number: int) -> None:
        command = steps[number]
        target = survivor if isinstance(command, MergeCounterparty) else duplicate
        demo.letopis.service.run(head, command, target)
        demo.letopis.runner.catch_up()

    merge_samples = timed([lambda n=n: step(n) for n in range(len(steps))])
    _check_consistent(demo, survivor, duplicate, merged=False)
    step(0)
    _check_consistent(demo, survivor, duplicate, merged=True)
    results.append(
        within_p95(
            bench,
            f"merge or split of two cards with {HISTORY} history entries each",
            merge_samples,
            MERGE_TARGET_MS,
            f"demo ×{scale}; command and every view caught up; {len(steps)} steps, merge and split in turn",
        )
    )
    return results


def _two_cards_with_history(demo: SeededDemo, manager_id: str) -> tuple[str, str]:
    """Two cards of the head of sales', with ``HISTORY`` interactions each, caught up."""
    started = NOW - timedelta(days=300)
    stamp = Stamp(manager_id, started, "bench-merge", "bench-merge")
    cards = [
        Counterparty.register(stamp, manager_id=manager_id, name=name, phones=[phone])
        for name, phone in (("ООО «Слияние»", "+74950000001"), ("Слияние, ООО", "+74950000002"))
    ]
    demo.letopis.store.append(*cards)
    for card in cards:
        calls = [
            Interaction.log(
                Stamp(manager_id, started + timedelta(hours=n), "bench-merge", "bench-merge"),
                admission=None,
                counterparty_id=str(card.id),
                contact_ids=[],
                kind=InteractionKind.MEETING,
                direction=None,
                subject=f"Встреча {n}",
                details={},
            )
            for n in range(HISTORY - 1)  # the registration is the first entry
        ]
        for start in range(0, len(calls), 500):
            demo.letopis.store.append(*calls[start : start + 500])
    demo.letopis.runner.catch_up()
    return str(cards[0].id), str(cards[1].id)


def _check_consistent(demo: SeededDemo, survivor: str, duplicate: str, *, merged: bool) -> None:
    with demo.letopis.views.reading() as cursor:
        entries, total = history_page(cursor, HistoryQuery(survivor), 1, 0)
        merged_away = cursor.execute(
            "SELECT COUNT(*) FROM counterparties c WHERE c.id = $1 AND c.id IN "
            "(SELECT merged_id FROM counterparty_merges)",
            (duplicate,),
        )[0][0]
    # Merged, the survivor's history holds both cards' entries; split, only its own.
    assert (total > 2 * HISTORY) == merged, total
    assert merged_away == int(merged)
    assert entries
