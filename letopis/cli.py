"""The ``crm`` command line.

The application is imported by the commands that need it, not with this module: its
import takes about a second that ``--help`` and a mistyped option need not pay.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from aggregates.errors import DomainError, InvalidValue
from aggregates.role import Role
from event_store.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from aggregates.scope import Actor
    from letopis.demo_data import DemoSummary, Showcase
    from letopis.wiring import Letopis


class _OneLineRefusals(TyperGroup):
    """Every command reports a database it cannot use, or a value the domain refuses, in
    one line rather than a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except DatabaseUnavailable as unavailable:
            typer.echo(unavailable, err=True)
            raise SystemExit(1) from None
        except DomainError as refused:
            where = f"{refused.field}: " if isinstance(refused, InvalidValue) else ""
            typer.echo(f"{where}{refused.message}", err=True)
            raise SystemExit(2) from None


app = typer.Typer(
    cls=_OneLineRefusals,
    help="Letopis CRM: a chronicle of every interaction with your clients.",
    no_args_is_help=True,
)
projections_app = typer.Typer(help="Read models built from the event log.", no_args_is_help=True)
users_app = typer.Typer(help="Employees and their access tokens.", no_args_is_help=True)
import_app = typer.Typer(help="Bring records in from files.", no_args_is_help=True)
relay_app = typer.Typer(help="Publishing the event log to Kafka.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")
app.add_typer(users_app, name="users")
app.add_typer(import_app, name="import")
app.add_typer(relay_app, name="relay")
console = Console()


def build() -> Letopis:
    """The application, wired from the settings."""
    from letopis.wiring import build as wire

    return wire()


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def catch_up_with_progress(letopis: Letopis, description: str, rebuild: bool = False) -> int:
    with _progress() as progress:
        task = progress.add_task(description, total=None)

        def report(reached: int, head: int) -> None:
            progress.update(task, completed=reached, total=head)

        if rebuild:
            return letopis.runner.rebuild(report)
        return letopis.runner.catch_up(report)


def serve_api(letopis: Letopis) -> None:
    """Serve the web API, keeping the views current in the background."""
    import uvicorn

    from projections.runner import ProjectionWorker
    from read_api.app import create_app
    from read_api.sign_ins import SignInLimit

    settings = letopis.settings
    worker = ProjectionWorker(letopis.runner, settings.projection_interval)
    worker.start()
    try:
        uvicorn.run(
            create_app(letopis, SignInLimit(settings.sign_in_failures, settings.sign_in_window_seconds)),
            host=letopis.settings.host,
            port=letopis.settings.port,
            log_level="info",
        )
    finally:
        worker.stop()
        letopis.close()


@app.command()
def serve() -> None:
    """Run the web API on LETOPIS_HOST:LETOPIS_PORT."""
    serve_api(build())


@projections_app.command("rebuild")
def rebuild() -> None:
    """Drop every read model and replay the whole log into it."""
    letopis = build()
    try:
        reached = catch_up_with_progress(letopis, "Rebuilding views", rebuild=True)
        console.print(f"Views rebuilt up to log position {reached}.")
    finally:
        letopis.close()


@projections_app.command("run")
def run_projections() -> None:
    """Keep the read models current (the projection worker of a multi-process deployment)."""
    from projections.runner import ProjectionWorker

    letopis = build()
    worker = ProjectionWorker(letopis.runner, letopis.settings.projection_interval)
    console.print("Projection worker running; Ctrl+C stops it.")
    worker.start()
    try:
        worker.join()
    except KeyboardInterrupt:
        worker.stop()
    finally:
        letopis.close()


@projections_app.command("status")
def status() -> None:
    """Show the log position each read model reflects, and where and why a stopped one stopped
    (the exit status is 1 while any is stopped)."""
    letopis = build()
    try:
        head = letopis.store.head()
        views = letopis.runner.status()
    finally:
        letopis.close()
    table = Table(title=f"Log head: {head}")
    table.add_column("View", no_wrap=True)
    table.add_column("Position", justify="right")
    table.add_column("Behind", justify="right")
    table.add_column("State")
    table.add_column("Stopped at", overflow="fold")
    table.add_column("Error", overflow="fold")
    for view in views:
        failure = view.failure
        if failure is None:
            table.add_row(view.name, str(view.position), str(head - view.position), "[green]running")
            continue
        # Error messages are shown as they are, never read as console markup.
        table.add_row(
            view.name,
            str(view.position),
            str(head - view.position),
            "[red]stopped",
            Text(f"{failure.position} {failure.topic}"),
            Text(
                f"{failure.error_type}: {failure.message} (since {failure.failed_at:%Y-%m-%d %H:%M:%S} UTC, "
                f"attempts: {failure.attempts})"
            ),
        )
    console.print(table)
    if any(view.failure for view in views):
        raise typer.Exit(1)


RELAY_GAVE_UP = 3
RELAY_TOPIC_MISCONFIGURED = 4


@relay_app.command("run")
def run_relay(
    topic: Annotated[
        str | None, typer.Option(help="Kafka topic that receives the log", show_default="letopis.events")
    ] = None,
    partitions: Annotated[
        int, typer.Option(min=1, help="Partitions of the topic (events of one aggregate share one)")
    ] = 1,
    interval: Annotated[float, typer.Option(min=0.01, help="Seconds between looks at an idle log")] = 0.5,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds one attempt waits for Kafka")] = 60.0,
    max_failures: Annotated[
        int, typer.Option(min=1, help="Failed attempts in a row after which the relay exits")
    ] = 10,
) -> None:
    """Publish the event log to Kafka (LETOPIS_KAFKA_BOOTSTRAP_SERVERS) in order, keyed by aggregate id.

    Creates the topic (--partitions, retention.ms=-1: kept forever); refuses one with other settings.

    A failed attempt is followed by a wait (doubling from --interval up to 30 s) and a fresh start
    from the topic's last position, so a broker that lost the topic gets the whole log again.

    Exit codes: 2 no brokers configured; 3 gave up after --max-failures failures in a row;
    4 the topic exists with other settings.
    """
    from event_store.kafka_relay import DEFAULT_TOPIC, KafkaRelay, RelayGaveUp
    from event_store.kafka_topic import TopicMisconfigured
    from event_store.store import EventStore
    from letopis.settings import Settings

    topic = topic or DEFAULT_TOPIC
    settings = Settings()
    if not settings.kafka_bootstrap_servers:
        console.print("LETOPIS_KAFKA_BOOTSTRAP_SERVERS is empty: set it to the brokers (host:port,…).")
        raise typer.Exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The relay logs each failed attempt once, with the error it ended on; the client's own
    # reports of the same trouble come many times a second.
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    store = EventStore(settings.event_store_url(), settings.database_timeout)
    relay = KafkaRelay(
        store, settings.kafka_bootstrap_servers, topic=topic, partitions=partitions, timeout=timeout
    )
    stop = threading.Event()
    # As a container's first process the relay gets SIGTERM, whose default is ignored there.
    for stopping in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stopping, lambda _signal, _frame: stop.set())
    console.print(f"Relaying the log to {topic} on {settings.kafka_bootstrap_servers}; Ctrl+C stops it.")
    try:
        relay.run_forever(stop, interval, max_failures)
    except RelayGaveUp as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(RELAY_GAVE_UP) from None
    except TopicMisconfigured as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(RELAY_TOPIC_MISCONFIGURED) from None
    finally:
        relay.close()
        store.close()


@users_app.command("create")
def create_user(
    full_name: Annotated[str, typer.Argument(help="Full name, e.g. 'Иванов Иван'")],
    role: Annotated[Role, typer.Option(help="What the employee may do")] = Role.MANAGER,
    team: Annotated[str | None, typer.Option(help="Sales team (managers)")] = None,
    department: Annotated[str | None, typer.Option(help="Department (heads of sales)")] = None,
) -> None:
    """Hire an employee and print their bearer token (shown only once)."""
    letopis = build()
    try:
        employee_id, token = letopis.create_user(full_name, role, team, department)
        console.print(f"employee id: {employee_id}")
        console.print(f"token: {token}")
    finally:
        letopis.close()


@users_app.command("token")
def new_token(employee_id: Annotated[str, typer.Argument(help="The employee's id")]) -> None:
    """Issue another token for an existing employee."""
    letopis = build()
    try:
        console.print(f"token: {letopis.issue_token(employee_id).token}")
    finally:
        letopis.close()


Scale = Annotated[int, typer.Option(min=1, help="Multiplies the demo's clients and their history")]
Seed = Annotated[int, typer.Option(help="The same seed always gives the same demo data")]


def _seed_with_progress(letopis: Letopis, scale: int, seed: int) -> DemoSummary:
    from letopis.bulk_load import views_built_alongside
    from letopis.demo_data import seed_demo

    with _progress() as progress:
        seeding = progress.add_task("Seeding the demo company", total=None)
        building = progress.add_task("Building views", total=None)

        def views_reached(reached: int, head: int) -> None:
            progress.update(building, completed=reached, total=head)

        def written(count: int, total: int) -> None:
            progress.update(seeding, completed=count, total=total)
            views_reached(letopis.runner.reflected_position(), letopis.store.head())

        with views_built_alongside(letopis, views_reached):
            return seed_demo(letopis, scale=scale, seed=seed, now=letopis.service.clock(), progress=written)


@app.command("seed")
def seed_command(scale: Scale = 1, seed: Seed = 2024) -> None:
    """Fill an empty store with the demo freight-forwarding company, without serving."""
    letopis = build()
    try:
        if letopis.store.head():
            console.print("The store already holds events; demo data goes only into an empty store.")
            raise typer.Exit(1)
        started = time.perf_counter()
        summary = _seed_with_progress(letopis, scale, seed)
        console.print(
            f"Seeded {summary.employees} employees, {summary.counterparties} counterparties, "
            f"{summary.contacts} contacts, {summary.interactions} interactions, "
            f"{summary.inquiries} inquiries, {summary.deals} deals, {summary.contracts} contracts, "
            f"{summary.orders} orders and {summary.payments} payments "
            f"in {time.perf_counter() - started:.1f} s."
        )
    finally:
        letopis.close()


@app.command("demo")
def demo(scale: Scale = 1, seed: Seed = 2024) -> None:
    """Seed the demo company if the store is empty, print tokens and a curl line, serve the API."""
    from letopis.demo_data import find_showcase

    letopis = build()
    try:
        if letopis.store.head():
            console.print("The store already holds events: seeding skipped.")
            catch_up_with_progress(letopis, "Catching up views")
            showcase = find_showcase(letopis)
        else:
            showcase = _seed_with_progress(letopis, scale, seed).showcase
        if showcase is None:
            console.print("No manager's client to show: add people with `crm users create`.")
        else:
            _introduce(letopis, showcase)
    except BaseException:
        letopis.close()
        raise
    serve_api(letopis)


def _introduce(letopis: Letopis, showcase: Showcase) -> None:
    """Fresh tokens for the showcase's people, and where to point them."""
    from projections.deal_funnel import list_pipelines
    from projections.employee_directory import find_employee

    head_token = letopis.issue_token(showcase.head_of_sales_id, "demo").token
    manager_token = letopis.issue_token(showcase.manager_id, "demo").token
    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        head = find_employee(cursor, showcase.head_of_sales_id)
        manager = find_employee(cursor, showcase.manager_id)
        pipelines = list_pipelines(cursor)
    settings = letopis.settings
    # A server listening on every interface is still reached locally by the loopback address.
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    base = f"http://{host}:{settings.port}"
    console.print(
        Panel.fit(
            f"API docs       {base}/docs\n"
            f"API            {base}/api/v1\n\n"
            f"Head of sales  {head.full_name if head else showcase.head_of_sales_id}\n"
            f"               {head_token}\n"
            f"Manager        {manager.full_name if manager else showcase.manager_id}\n"
            f"               {manager_token}",
            title="Letopis demo",
        ),
        markup=False,
    )
    examples = [
        (
            "A client's history, as the manager sees it:",
            manager_token,
            f"counterparties/{showcase.counterparty_id}/history",
        ),
    ]
    if pipelines:
        examples.append(
            ("The company's sales funnel:", head_token, f"reports/funnel?pipeline_id={pipelines[0]['id']}")
        )
    examples += [
        ("Why clients said no:", head_token, "reports/refusals?group_by=reason"),
        ("Contracts and how much of each is paid:", head_token, "contracts?limit=5"),
    ]
    for caption, token, path in examples:
        console.print(caption)
        console.print(
            f"curl -H 'Authorization: Bearer {token}' '{base}/api/v1/{path}'",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )


@import_app.command("counterparties")
def import_counterparties_command(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="CSV in UTF-8, separated by ',' or ';'"
        ),
    ],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid rows even if others are rejected")
    ] = False,
    as_employee: Annotated[
        str | None,
        typer.Option("--as", help="Id of the employee the import is recorded under; default: the console"),
    ] = None,
) -> None:
    """Register counterparties from a CSV file, all in one transaction."""
    from commands.counterparty_import import import_counterparties
    from letopis.wiring import CONSOLE

    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as undecodable:
        console.print(f"{file} is not UTF-8 text: {undecodable}", markup=False)
        raise typer.Exit(2) from None
    letopis = build()
    try:
        actor = CONSOLE if as_employee is None else _employee(letopis, as_employee)
        report = import_counterparties(letopis.service, actor, text, skip_invalid=skip_invalid)
    finally:
        letopis.close()
    if report.rejected:
        table = Table("Line", "Reason", title="Rejected rows")
        for rejection in report.rejected:
            table.add_row(str(rejection.line), rejection.reason)
        console.print(table)
    if report.imported:
        console.print(
            f"Imported {report.imported} counterparties (log position {report.position}); "
            f"{len(report.rejected)} rows rejected."
        )
    else:
        console.print(f"Nothing imported; {len(report.rejected)} rows rejected.")
        if report.rejected:
            raise typer.Exit(1)


def _employee(letopis: Letopis, employee_id: str) -> Actor:
    from aggregates.employee import Employee
    from aggregates.scope import Actor
    from commands.context import parse_id

    try:
        employee = letopis.store.get(parse_id(employee_id, "--as"), Employee)
    except DomainError as refused:
        console.print(refused.message, markup=False)
        raise typer.Exit(2) from None
    return Actor(str(employee.id), employee.full_name, employee.role, employee.team, employee.department)
