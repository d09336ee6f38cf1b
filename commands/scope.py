"""Who may change what, on the write side, answered from the log itself.

Each kind of record has one guard. Every command on an existing record runs its record's
guard before anything else, a replayed command included, so no route can forget a check;
a command that names other records (the contacts of an interaction, the manager a card is
given to) checks those too, in its own ``authorize``."""

from collections.abc import Callable
from typing import Any

from eventsourcing.domain import Aggregate

from aggregates.catalogue_item import CatalogueItem
from aggregates.contact import Contact
from aggregates.contract import Contract
from aggregates.counterparty import Counterparty
from aggregates.deal import Deal
from aggregates.employee import Employee, Role
from aggregates.errors import InvalidValue, NotFound, RuleViolated
from aggregates.inquiry import Inquiry
from aggregates.interaction import Interaction
from aggregates.internal_meeting import InternalMeeting
from aggregates.order import Order
from aggregates.payment import Payment
from aggregates.planned_activity import PlannedActivity
from aggregates.planning_policy import POLICY_ID, PlanningPolicy, check_may_set_plans
from aggregates.reminder import Reminder
from aggregates.resource import Resource
from aggregates.sales_pipeline import SalesPipeline
from aggregates.sales_plan import SalesPlan
from aggregates.scope import (
    Responsible,
    check_is_admin,
    check_may_change,
    check_may_configure_sales,
    check_may_write,
)
from aggregates.task import Task
from commands.context import Context

Guard = Callable[[Context, Any], None]


def counterparty_guard(ctx: Context, counterparty: Counterparty) -> None:
    ctx.check_may_change(counterparty.manager_id)


def live_counterparty_guard(ctx: Context, counterparty: Counterparty) -> None:
    """A card merged into another is changed no more: its id leads to the survivor, where
    the work goes on (undoing the merge has its own guard)."""
    counterparty_guard(ctx, counterparty)
    if counterparty.merged_into is not None:
        raise RuleViolated(f"counterparty {counterparty.id} is merged into {counterparty.merged_into}")


def contact_guard(ctx: Context, contact: Contact) -> None:
    """A contact at an organisation is its client's team's; a private client is their own manager's."""
    if contact.counterparty_id:
        counterparty_guard(ctx, ctx.load(Counterparty, contact.counterparty_id, "counterparty_id"))
    else:
        ctx.check_may_change(contact.manager_id)


def check_contacts(ctx: Context, contact_ids: list[str], counterparty_id: str | None) -> None:
    """Every contact a record names is the actor's to name, and works for its counterparty."""
    for contact_id in contact_ids:
        contact = ctx.load(Contact, contact_id, "contact_ids")
        contact_guard(ctx, contact)
        if counterparty_id and contact.counterparty_id not in (None, counterparty_id):
            raise InvalidValue("contact_ids", f"contact {contact_id} works for another counterparty")


def interaction_guard(ctx: Context, interaction: Interaction) -> None:
    """An interaction is changed by whoever may change everyone it concerns."""
    if interaction.counterparty_id:
        counterparty_guard(ctx, ctx.load(Counterparty, interaction.counterparty_id, "counterparty_id"))
    check_contacts(ctx, interaction.content["contact_ids"], interaction.counterparty_id)


def deal_guard(ctx: Context, deal: Deal) -> None:
    ctx.check_may_change(deal.manager_id)


def contract_guard(ctx: Context, contract: Contract) -> None:
    ctx.check_may_change(contract.manager_id)


def order_guard(ctx: Context, order: Order) -> None:
    counterparty_guard(ctx, ctx.load(Counterparty, order.counterparty_id, "counterparty_id"))


def payment_guard(ctx: Context, payment: Payment) -> None:
    contract_guard(ctx, ctx.load(Contract, payment.contract_id, "contract_id"))


def inquiry_guard(ctx: Context, inquiry: Inquiry) -> None:
    """The client's team works on its inquiries, and so does the one the inquiry is with:
    an expert it was delegated to may sit in another department."""
    if ctx.actor.may_write and ctx.actor.employee_id == inquiry.responsible_id:
        return
    counterparty_guard(ctx, ctx.load(Counterparty, inquiry.counterparty_id, "counterparty_id"))


def planned_activity_guard(ctx: Context, activity: PlannedActivity) -> None:
    """An activity with a client is the client's team's; one without is its responsible's."""
    if activity.counterparty_id:
        counterparty_guard(ctx, ctx.load(Counterparty, activity.counterparty_id, "counterparty_id"))
    else:
        ctx.check_may_change(activity.responsible_id)


def own_or_in_reach(ctx: Context, *employee_ids: str) -> None:
    """The employees a record is between act on it themselves; anyone else only within reach
    of the first of them."""
    check_may_write(ctx.actor)
    if ctx.actor.employee_id not in employee_ids:
        ctx.check_may_change(employee_ids[0])


def task_guard(ctx: Context, task: Task) -> None:
    own_or_in_reach(ctx, task.assignee_id, task.assigner_id)


def reminder_guard(ctx: Context, reminder: Reminder) -> None:
    own_or_in_reach(ctx, reminder.recipient_id)


def internal_meeting_guard(ctx: Context, meeting: InternalMeeting) -> None:
    own_or_in_reach(ctx, meeting.recorded_by, *meeting.attendee_ids)


def sales_configuration_guard(ctx: Context, _subject: object = None) -> None:
    check_may_configure_sales(ctx.actor)


def administration_guard(ctx: Context, _subject: object = None) -> None:
    check_is_admin(ctx.actor)


def planning_policy(ctx: Context) -> PlanningPolicy | None:
    return ctx.load(PlanningPolicy, POLICY_ID, "policy") if ctx.exists(POLICY_ID) else None


def plan_setter_guard(ctx: Context, _subject: object = None) -> None:
    check_may_set_plans(ctx.actor, planning_policy(ctx))


GUARDS: dict[type[Aggregate], Guard] = {
    Counterparty: live_counterparty_guard,
    Contact: contact_guard,
    Interaction: interaction_guard,
    Deal: deal_guard,
    Contract: contract_guard,
    Order: order_guard,
    Payment: payment_guard,
    Inquiry: inquiry_guard,
    CatalogueItem: sales_configuration_guard,
    SalesPipeline: sales_configuration_guard,
    Employee: administration_guard,
    PlannedActivity: planned_activity_guard,
    Task: task_guard,
    Reminder: reminder_guard,
    Resource: sales_configuration_guard,
    InternalMeeting: internal_meeting_guard,
    SalesPlan: plan_setter_guard,
    PlanningPolicy: administration_guard,
}


def check_assignable(ctx: Context, manager_id: str, field: str = "manager_id") -> None:
    """A card can only be given to a sales employee the actor could act for."""
    try:
        employee = ctx.load(Employee, manager_id, field)
    except NotFound:
        raise InvalidValue(field, f"no employee {manager_id}") from None
    if employee.role not in (Role.MANAGER, Role.HEAD_OF_SALES):
        raise InvalidValue(field, "only a manager or head of sales can be responsible")
    if not employee.active:
        raise InvalidValue(field, f"{employee.full_name} is deactivated")
    check_may_change(ctx.actor, Responsible(str(employee.id), employee.team, employee.department))
