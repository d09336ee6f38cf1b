"""The demo company: reproducible, consistent with the domain's rules, and replayable."""

from collections import defaultdict
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from aggregates.counterparty import BARRED, Admission, Counterparty
from aggregates.employee import Role
from aggregates.interaction import DIRECTED, Direction, Interaction, InteractionKind
from letopis.cli import app
from letopis.demo_data import STAFF_COUNT, DemoSize, find_showcase, seed_demo
from letopis.settings import Settings
from letopis.wiring import build

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SMALL = DemoSize(counterparties=80, contacts=200, interactions=800)
VIEW_TABLES = {
    "employees": "id",
    "counterparties": "id",
    "counterparty_classifiers": "counterparty_id, classifier, value",
    "contacts": "id",
    "phone_numbers": "phone, owner_id",
    "history_entries": "subject_id, position",
}


def events(letopis):
    return [recorded.event for recorded in letopis.store.read(after=0, limit=1_000_000)]


def comparable(event):
    """An event without its recording time, the one thing the store sets."""
    fields = {k: v for k, v in vars(event).items() if k != "timestamp"}
    return type(event).__name__, fields


def seeded(seed):
    letopis = build(Settings(database_url="memory://"))
    seed_demo(letopis, seed=seed, now=NOW, size=SMALL)
    chronicle = [comparable(e) for e in events(letopis)]
    letopis.close()
    return chronicle


def test_the_same_seed_gives_the_same_chronicle_ids_included() -> None:
    first, second = seeded(7), seeded(7)
    assert first == second
    assert first != seeded(8)


def test_seeding_reports_what_it_wrote(letopis) -> None:
    reports = []
    summary = seed_demo(letopis, now=NOW, size=SMALL, progress=lambda done, total: reports.append(done))
    letopis.runner.catch_up()

    assert (summary.employees, summary.counterparties, summary.contacts, summary.interactions) == (
        STAFF_COUNT,
        80,
        200,
        800,
    )
    assert summary.position == letopis.store.head()
    assert reports[-1] == STAFF_COUNT + 80 + 200 + 800
    with letopis.views.reading() as cursor:
        assert cursor.execute("SELECT COUNT(*) FROM counterparties")[0][0] == 80
        assert cursor.execute("SELECT COUNT(*) FROM contacts")[0][0] == 200
        roles = dict(cursor.execute("SELECT role, COUNT(*) FROM employees GROUP BY role"))
        teams = {t for (t,) in cursor.execute("SELECT DISTINCT team FROM employees WHERE role = 'manager'")}
        showcase = cursor.execute(
            "SELECT manager_id, admission FROM counterparties WHERE id = ?",
            (summary.showcase.counterparty_id,),
        )[0]
    assert roles == {"manager": 20, "head_of_sales": 1, "auditor": 1, "analyst": 1, "admin": 1}
    assert teams == {"Москва-1", "Москва-2", "Санкт-Петербург"}
    assert showcase[0] == summary.showcase.manager_id
    assert showcase[1] not in BARRED


def test_scale_multiplies_the_history_but_not_the_staff() -> None:
    letopis = build(Settings(database_url="memory://"))
    summary = seed_demo(letopis, scale=2, now=NOW, size=DemoSize(10, 20, 30))
    letopis.close()
    assert (summary.employees, summary.counterparties, summary.contacts, summary.interactions) == (
        STAFF_COUNT,
        20,
        40,
        60,
    )


def test_the_demo_keeps_the_domains_rules() -> None:
    letopis = build(Settings(database_url="memory://"))
    seed_demo(letopis, now=NOW, size=SMALL)
    chronicle = events(letopis)
    letopis.close()

    decisions = defaultdict(list)
    for event in chronicle:
        if isinstance(event, Counterparty.AdmissionDecided):
            decisions[str(event.originator_id)].append((event.occurred_at, Admission(event.admission)))

    def admission_at(counterparty_id, moment):
        current = Admission.POTENTIAL
        for decided_at, admission in sorted(decisions[counterparty_id]):
            if decided_at <= moment:
                current = admission
        return current

    logged = [e for e in chronicle if isinstance(e, Interaction.Logged)]
    while_barred = [
        e for e in logged if e.counterparty_id and admission_at(e.counterparty_id, e.occurred_at) in BARRED
    ]
    assert while_barred, "the sample should hold some history of barred clients"
    assert all(
        InteractionKind(e.kind) in DIRECTED and e.direction == Direction.INCOMING for e in while_barred
    )
    assert all(e.occurred_at <= NOW for e in chronicle)
    registered = [e for e in chronicle if isinstance(e, Counterparty.Registered)]
    tax_ids = [e.tax_id for e in registered if e.tax_id]
    assert len(tax_ids) == len(set(tax_ids))
    assert all(len(t) == (12 if e.legal_form == "person" else 10) for e in registered if (t := e.tax_id))
    assert {e.kind for e in logged} == {k.value for k in InteractionKind}


def test_rebuilt_views_equal_the_caught_up_ones(letopis) -> None:
    seed_demo(letopis, now=NOW, size=SMALL)
    letopis.runner.catch_up()

    def snapshot():
        with letopis.views.reading() as cursor:
            return {
                table: cursor.execute(f"SELECT * FROM {table} ORDER BY {order}")
                for table, order in VIEW_TABLES.items()
            }

    before = snapshot()
    letopis.runner.rebuild()
    assert snapshot() == before


@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
def test_a_seeded_store_shows_a_busy_client_of_a_manager(letopis) -> None:
    summary = seed_demo(letopis, now=NOW, size=SMALL)
    letopis.runner.catch_up()

    found = find_showcase(letopis)

    assert found is not None
    with letopis.views.reading() as cursor:
        manager_id, admission = cursor.execute(
            "SELECT manager_id, admission FROM counterparties WHERE id = ?", (found.counterparty_id,)
        )[0]
        head_department = cursor.execute(
            "SELECT department FROM employees WHERE id = ?", (found.head_of_sales_id,)
        )[0][0]
    assert manager_id == found.manager_id
    assert admission not in BARRED
    assert head_department == "Продажи"
    assert found.head_of_sales_id == summary.showcase.head_of_sales_id


def test_seeding_refuses_a_store_that_holds_events(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LETOPIS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LETOPIS_DATABASE_URL", raising=False)
    letopis = build(Settings())
    letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
    head = letopis.store.head()
    letopis.close()

    result = CliRunner().invoke(app, ["seed"])

    assert result.exit_code == 1
    assert "already holds events" in result.output
    letopis = build(Settings())
    assert letopis.store.head() == head
    letopis.close()
