"""Every command the write side handles, gathered from the modules that register them."""

from types import ModuleType

from commands import (
    bonus_commands,
    calendar_feed_commands,
    catalogue_commands,
    contact_commands,
    contract_commands,
    counterparty_commands,
    counterparty_import,
    counterparty_merge_commands,
    deal_commands,
    employee_commands,
    exchange_rate_commands,
    forecast_commands,
    inquiry_commands,
    interaction_commands,
    internal_meeting_commands,
    order_commands,
    payment_commands,
    pipeline_commands,
    planned_activity_commands,
    refusal_reason_commands,
    reminder_commands,
    resource_commands,
    sales_plan_commands,
    task_commands,
)
from commands.command import Command
from commands.handling import Registration

MODULES: tuple[ModuleType, ...] = (
    counterparty_commands,
    counterparty_import,
    contact_commands,
    interaction_commands,
    employee_commands,
    catalogue_commands,
    pipeline_commands,
    refusal_reason_commands,
    exchange_rate_commands,
    inquiry_commands,
    deal_commands,
    contract_commands,
    order_commands,
    payment_commands,
    calendar_feed_commands,
    planned_activity_commands,
    task_commands,
    reminder_commands,
    resource_commands,
    internal_meeting_commands,
    sales_plan_commands,
    forecast_commands,
    bonus_commands,
    counterparty_merge_commands,
)


def command_registry() -> dict[type[Command], Registration]:
    registry: dict[type[Command], Registration] = {}
    names: set[str] = set()
    for module in MODULES:
        for registration in module.handlers.registrations:
            if registration.command in registry or registration.name in names:
                raise ValueError(f"{registration.name} ({registration.command.__name__}) is registered twice")
            registry[registration.command] = registration
            names.add(registration.name)
    return registry
