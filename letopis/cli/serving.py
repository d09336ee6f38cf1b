"""``crm serve``, ``crm seed`` and ``crm demo``: the web API, and the demo company behind it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel

from letopis.cli.shared import application, build, catch_up_with_progress, console, progress_bar

if TYPE_CHECKING:
    from letopis.demo import DemoSummary, Showcase
    from letopis.wiring import Letopis


def serve_api(letopis: Letopis) -> None:
    """Serve the web API, keeping the views current in the background unless another process
    does (LETOPIS_PROJECTION_WORKER=false)."""
    import uvicorn

    from read_api.app import create_app
    from read_api.sign_ins import SignInLimit

    settings = letopis.settings
    try:
        uvicorn.run(
            create_app(
                letopis,
                SignInLimit(settings.sign_in_failures, settings.sign_in_window_seconds),
                settings.projection_interval if settings.projection_worker else None,
            ),
            host=settings.host,
            port=settings.port,
            log_level="info",
        )
    finally:
        letopis.close()


def serve() -> None:
    """Run the web API on LETOPIS_HOST:LETOPIS_PORT."""
    serve_api(build())


Scale = Annotated[int, typer.Option(min=1, help="Multiplies the demo's clients and their history")]
Seed = Annotated[int, typer.Option(help="The same seed always gives the same demo data")]


def _seed_with_progress(letopis: Letopis, scale: int, seed: int) -> DemoSummary:
    from letopis.bulk_load import views_built_alongside
    from letopis.demo import seed_demo

    with progress_bar() as progress:
        seeding = progress.add_task("Seeding the demo company", total=None)
        building = progress.add_task("Building views", total=None)

        def views_reached(reached: int, head: int) -> None:
            progress.update(building, completed=reached, total=head)

        def written(count: int, total: int) -> None:
            progress.update(seeding, completed=count, total=total)
            views_reached(letopis.runner.reflected_position(), letopis.store.head())

        with views_built_alongside(letopis, views_reached):
            return seed_demo(letopis, scale=scale, seed=seed, now=letopis.service.clock(), progress=written)


def seed_command(scale: Scale = 1, seed: Seed = 2024) -> None:
    """Fill an empty store with the demo freight-forwarding company, without serving."""
    with application() as letopis:
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


def demo(scale: Scale = 1, seed: Seed = 2024) -> None:
    """Seed the demo company if the store is empty, print tokens and a curl line, serve the API."""
    from letopis.demo import find_showcase

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
    from projections.deal_queries import list_pipelines
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
        ("The manager's day:", manager_token, "me/today"),
    ]
    for caption, token, path in examples:
        console.print(caption)
        console.print(
            f"curl -H 'Authorization: Bearer {token}' '{base}/api/v1/{path}'",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )
