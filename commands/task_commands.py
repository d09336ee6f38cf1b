"""Tasks and assignments (FEATURES F3): assign, accept, report time spent, complete, and the
assigner's check; and the hourly cost rates the cost of serving a client is counted at."""

from typing import Annotated
from uuid import uuid4

from pydantic import Field

from aggregates.contract import Contract
from aggregates.counterparty import Counterparty
from aggregates.deal import Deal
from aggregates.employee import Role
from aggregates.errors import AccessDenied, InvalidValue
from aggregates.hourly_rate import HourlyRate
from aggregates.inquiry import Inquiry
from aggregates.money import Money
from aggregates.task import Priority, Task
from aggregates.timesheet import Timesheet, timesheet_id
from commands.catalogue_commands import Currency
from commands.command import Change, Command
from commands.context import Context
from commands.fields import PLANNED, Amount, Day, EntityId, Line, Text
from commands.handling import Handlers
from commands.scope import (
    contract_guard,
    counterparty_guard,
    deal_guard,
    inquiry_guard,
    sales_configuration_guard,
)

handlers = Handlers()


class AssignTask(Command):
    """Assign a task to another employee or to oneself."""

    assignee_id: EntityId | None = Field(None, description="Defaults to the employee assigning it")
    title: Line = Field(min_length=1)
    description: Text = ""
    priority: Priority = Priority.NORMAL
    due_on: Annotated[Day, PLANNED]
    counterparty_id: EntityId | None = None
    deal_id: EntityId | None = None
    contract_id: EntityId | None = None
    inquiry_id: EntityId | None = None


class AcceptTask(Change):
    """Accept a task assigned to you."""


class ReportTimeSpent(Change):
    """Report time spent on a task: the day, the minutes, what was done."""

    day: Day
    minutes: int = Field(ge=-100_000, le=100_000, description="1 to 1440; a day holds at most 24 hours")
    work_done: Text = Field(min_length=1)


class CompleteTask(Change):
    """Report a task done; its assigner then checks it."""

    note: Text = ""


class ApproveTask(Change):
    """As the task's assigner, accept the work."""

    comment: Text = ""


class ReturnTask(Change):
    """As the task's assigner, return the work to be redone, saying what."""

    comment: Text = Field(min_length=1)


class RecordHourlyRate(Command):
    """Record an employee's hourly cost, in effect from a date."""

    employee_id: EntityId
    effective_from: Annotated[Day, PLANNED]
    rate: Amount
    currency: Currency = "RUB"


def check_may_assign(ctx: Context, assignee_id: str) -> None:
    """Work is given within one's department; a head of sales or an administrator gives it
    anywhere."""
    assignee = ctx.employee(assignee_id, "assignee_id")
    if ctx.actor.role in (Role.HEAD_OF_SALES, Role.ADMIN) or assignee_id == ctx.actor.employee_id:
        return
    if not ctx.actor.may_write:
        raise AccessDenied(f"a {ctx.actor.role.value} reads but does not change records")
    if assignee.department != ctx.actor.department:
        raise AccessDenied(f"{assignee.full_name} works outside your department")


def client_of(ctx: Context, command: AssignTask) -> str | None:
    """The client the task concerns, checked to be the actor's: named, or the client of the
    deal, contract or inquiry it is about (which must all be the same)."""
    clients: set[str] = set()
    if command.counterparty_id:
        counterparty = ctx.load(Counterparty, command.counterparty_id, "counterparty_id")
        counterparty_guard(ctx, counterparty)
        clients.add(str(counterparty.id))
    if command.deal_id:
        deal = ctx.load(Deal, command.deal_id, "deal_id")
        deal_guard(ctx, deal)
        clients.add(deal.counterparty_id)
    if command.contract_id:
        contract = ctx.load(Contract, command.contract_id, "contract_id")
        contract_guard(ctx, contract)
        clients.add(contract.counterparty_id)
    if command.inquiry_id:
        inquiry = ctx.load(Inquiry, command.inquiry_id, "inquiry_id")
        inquiry_guard(ctx, inquiry)
        clients.add(inquiry.counterparty_id)
    if len(clients) > 1:
        raise InvalidValue(
            "counterparty_id", "the task's client, deal, contract and inquiry are of different clients"
        )
    return next(iter(clients), None)


def _may_assign(ctx: Context, command: AssignTask) -> None:
    check_may_assign(ctx, command.assignee_id or ctx.actor.employee_id)
    client_of(ctx, command)


@handlers.handles(AssignTask, "task.assign", Task.Assigned, authorize=_may_assign)
def assign_task(ctx: Context, command: AssignTask) -> list[Task]:
    return [
        Task.assign(
            ctx.stamp,
            assigner_id=ctx.actor.employee_id,
            assignee_id=command.assignee_id or ctx.actor.employee_id,
            title=command.title,
            description=command.description,
            priority=command.priority,
            due_on=command.due_on,
            counterparty_id=client_of(ctx, command),
            deal_id=command.deal_id,
            contract_id=command.contract_id,
            inquiry_id=command.inquiry_id,
        )
    ]


@handlers.changes(Task, AcceptTask, "task.accept", Task.Accepted)
def accept_task(ctx: Context, task: Task, _command: AcceptTask) -> None:
    task.accept(ctx.stamp)


@handlers.changes(Task, ReportTimeSpent, "task.report_time", Timesheet.Opened, Timesheet.TimeSpent)
def report_time_spent(ctx: Context, task: Task, command: ReportTimeSpent) -> list[Timesheet]:
    """The entry goes on the assignee's timesheet for the day, where the day's total is kept."""
    task.check_reporting(ctx.stamp)
    day_id = timesheet_id(task.assignee_id, command.day)
    timesheet = (
        ctx.load(Timesheet, day_id, "day")
        if ctx.exists(day_id)
        else Timesheet.open(ctx.stamp, task.assignee_id, command.day)
    )
    timesheet.spend(
        ctx.stamp,
        entry_id=str(uuid4()),
        minutes=command.minutes,
        work_done=command.work_done,
        task_id=str(task.id),
        counterparty_id=task.counterparty_id,
    )
    return [timesheet]


@handlers.changes(Task, CompleteTask, "task.complete", Task.Completed)
def complete_task(ctx: Context, task: Task, command: CompleteTask) -> None:
    task.complete(ctx.stamp, command.note)


@handlers.changes(Task, ApproveTask, "task.approve", Task.Approved)
def approve_task(ctx: Context, task: Task, command: ApproveTask) -> None:
    task.approve(ctx.stamp, command.comment)


@handlers.changes(Task, ReturnTask, "task.return", Task.Returned)
def return_task(ctx: Context, task: Task, command: ReturnTask) -> None:
    task.return_to_assignee(ctx.stamp, command.comment)


def _may_set_rate(ctx: Context, command: RecordHourlyRate) -> None:
    sales_configuration_guard(ctx)
    ctx.employee(command.employee_id, "employee_id")


@handlers.handles(RecordHourlyRate, "hourly_rate.record", HourlyRate.Recorded, authorize=_may_set_rate)
def record_hourly_rate(ctx: Context, command: RecordHourlyRate) -> list[HourlyRate]:
    return [
        HourlyRate.record(
            ctx.stamp,
            employee_id=command.employee_id,
            effective_from=command.effective_from,
            rate=Money(command.rate, command.currency),
        )
    ]
