"""What a sales plan is of: whose it is, what it counts, and whether a group's plan is its own
or its members' sum. Apart from the plan aggregate so that the command line can offer these
without loading the event-sourcing library."""

from enum import StrEnum


class PlanTarget(StrEnum):
    EMPLOYEE = "employee"
    TEAM = "team"
    DEPARTMENT = "department"
    COMPANY = "company"


class PlanMeasure(StrEnum):
    WON_AMOUNT = "won_amount"
    """Money of the deals won in the period (bookings)."""
    WON_DEALS = "won_deals"
    """How many deals were won in the period."""
    RECEIVED_AMOUNT = "received_amount"
    """Money received from clients in the period."""

    @property
    def in_money(self) -> bool:
        return self != PlanMeasure.WON_DEALS


class PlanBasis(StrEnum):
    DIRECT = "direct"
    """The amount is set for the target itself."""
    MEMBERS = "members"
    """A team's, department's or company's plan is the sum of its members' plans."""
