"""The one place where settings become connections and services."""

from contextlib import ExitStack, closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from aggregates.employee import Role
from aggregates.scope import Actor
from analytics.export import AnalyticsExport, exported_tables
from analytics.schedule import ExportSchedule
from analytics.sql import AnalyticsDatabase
from commands.employee_commands import HireEmployee, NewToken, issue_new_token
from commands.registry import command_registry
from commands.service import Clock, WriteService
from commands.time_bounds import TimeBounds
from event_store.postgres import split_schema
from event_store.store import EventStore
from letopis.settings import Settings
from projections.actor_activity import ActorActivity
from projections.calendar import Calendar
from projections.calendar_feeds import CalendarFeeds
from projections.catalogue import CatalogueView
from projections.contact_directory import ContactDirectory
from projections.contract_register import ContractRegister
from projections.counterparty_merges import CounterpartyMerges
from projections.counterparty_register import CounterpartyRegister
from projections.database import ViewDatabase
from projections.deal_funnel import DealFunnel
from projections.duplicates import DuplicatesView
from projections.employee_directory import EmployeeDirectory
from projections.exchange_rates import ExchangeRates
from projections.forecast import Forecast
from projections.inquiries import InquiryView
from projections.internal_meetings import InternalMeetings
from projections.money_received import MoneyReceived
from projections.order_status import OrderStatusView
from projections.phone_lookup import PhoneLookup
from projections.plan_forms import PlanForms
from projections.planned_activities import PlannedActivities
from projections.postgres import PostgresViews
from projections.projection import Projection
from projections.refusals import RefusalView
from projections.relationship_history import RelationshipHistory
from projections.reminders import ReminderView
from projections.resource_bookings import ResourceBookings
from projections.runner import ProjectionRunner
from projections.sales_actuals import SalesActuals
from projections.sales_plans import SalesPlans
from projections.sqlite import SqliteViews
from projections.tasks import TaskView
from projections.time_audit import TimeAudit
from projections.worker import BackgroundJob
from replay.checkpoint_schedule import CheckpointSchedule
from replay.checkpoints import Checkpoints
from replay.past_reports import PAST_REPORTS
from replay.past_views import PastViews

# The operator at the server's console: the author of what the command line does.
CONSOLE = Actor(
    employee_id="console", full_name="Console operator", role=Role.ADMIN, team=None, department=None
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def all_projections() -> list[Projection[Any]]:
    return [
        EmployeeDirectory(),
        CounterpartyRegister(),
        ContactDirectory(),
        PhoneLookup(),
        RelationshipHistory(),
        CatalogueView(),
        InquiryView(),
        RefusalView(),
        ContractRegister(),
        OrderStatusView(),
        ExchangeRates(),
        DealFunnel(),
        ActorActivity(),
        MoneyReceived(),
        Calendar(),
        CalendarFeeds(),
        PlannedActivities(),
        TaskView(),
        TimeAudit(),
        ReminderView(),
        ResourceBookings(),
        InternalMeetings(),
        SalesPlans(),
        SalesActuals(),
        Forecast(),
        PlanForms(),
        CounterpartyMerges(),
        DuplicatesView(),
    ]


def view_database(settings: Settings) -> ViewDatabase:
    url = settings.event_store_url()
    parsed = urlparse(url)
    if parsed.scheme == "memory":
        return SqliteViews(":memory:")
    if parsed.scheme == "sqlite":
        events_path = Path(parsed.path)
        events_path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteViews(str(events_path.with_name(events_path.stem + "-views.sqlite")))
    conninfo, schema = split_schema(url)
    return PostgresViews(conninfo, schema=schema, timeout=settings.database_timeout)


@dataclass
class Letopis:
    """Everything a process needs, built once and closed once."""

    settings: Settings
    store: EventStore
    views: ViewDatabase
    runner: ProjectionRunner
    service: WriteService
    past: PastViews

    def close(self) -> None:
        # What a schedule started reads the store and the views.
        for started in ("analytics_schedule", "checkpoint_schedule"):
            if started in vars(self):
                vars(self)[started].wait()
        self.past.close()
        self.views.close()
        self.store.close()

    @cached_property
    def analytics(self) -> AnalyticsDatabase:
        settings = self.settings
        return AnalyticsDatabase(
            settings.analytics_folder(),
            exported_tables(self.runner.projections),
            settings.analytics_time_limit,
            settings.analytics_row_limit,
        )

    @cached_property
    def analytics_export(self) -> AnalyticsExport:
        return AnalyticsExport(
            self.settings.analytics_folder(), self.store, self.views, self.runner.projections
        )

    @cached_property
    def analytics_schedule(self) -> ExportSchedule:
        settings = self.settings
        return ExportSchedule(
            self.analytics_export, settings.analytics_events_seconds, settings.analytics_views_seconds
        )

    @cached_property
    def checkpoint_schedule(self) -> CheckpointSchedule:
        return CheckpointSchedule(self.past, PAST_REPORTS, self.settings.replay_checkpoint_seconds)

    @property
    def background_jobs(self) -> tuple[BackgroundJob, ...]:
        """What the projection worker sets going after each catch-up."""
        return (self.analytics_schedule, self.checkpoint_schedule)

    @property
    def token_lifetime(self) -> timedelta:
        return timedelta(days=self.settings.token_lifetime_days)

    def create_user(
        self, full_name: str, role: Role, team: str | None, department: str | None
    ) -> tuple[str, str]:
        """Hire an employee and issue a token; return the employee id and the token."""
        hired = self.service.run(
            CONSOLE, HireEmployee(full_name=full_name, role=role, team=team, department=department)
        )
        return hired.id, self.issue_token(hired.id).token

    def issue_token(self, employee_id: str, name: str = "default") -> NewToken:
        """A token issued from the console; one under the same name is replaced."""
        return issue_new_token(self.service, CONSOLE, employee_id, name, self.token_lifetime)


def build(settings: Settings | None = None, clock: Clock = utc_now) -> Letopis:
    settings = settings or Settings()
    with ExitStack() as opened:
        views = opened.enter_context(closing(view_database(settings)))
        store = EventStore(
            settings.event_store_url(), settings.database_timeout, settings.aggregate_cache_size
        )
        opened.enter_context(closing(store))
        runner = ProjectionRunner(store, views, all_projections())
        runner.create_tables()
        # Built whole: from here the caller closes it.
        opened.pop_all()
    bounds = TimeBounds(settings.earliest_business_day, timedelta(seconds=settings.clock_skew_seconds))
    service = WriteService(store, clock, command_registry(), bounds, appended=runner.nudge)
    return Letopis(settings, store, views, runner, service, PastViews(store, replay_checkpoints(settings)))


def replay_checkpoints(settings: Settings) -> Checkpoints:
    return Checkpoints(
        settings.replay_folder(), settings.replay_checkpoint_events, settings.replay_checkpoint_mb * 2**20
    )
