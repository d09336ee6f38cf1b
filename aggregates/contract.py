"""A contract with a client (FEATURES D1–D4): number, validity, amount, stages with planned
and actual dates, originals received, and every amendment, prolongation and termination
as an event. Orders are booked against it, so the remaining amount can never be overrun
by two orders racing: both book on this one aggregate, and one loses the version race."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from aggregates.counterparty import BARRED, Admission
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.money import Money
from aggregates.stamp import Fact, Stamp


class ContractStatus(StrEnum):
    ACTIVE = "active"
    TERMINATED = "terminated"


def number_claim_id(number: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"letopis:contract-number:{number.casefold()}")


def check_period(valid_from: date, valid_until: date) -> None:
    if valid_until < valid_from:
        raise InvalidValue(
            "valid_until", f"the contract ends ({valid_until}) before it starts ({valid_from})"
        )


def check_stages(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = [stage["name"] for stage in stages]
    if len(set(names)) != len(names):
        raise InvalidValue("stages", "stage names must be unique within a contract")
    for stage in stages:
        if stage["planned_end"] < stage["planned_start"]:
            raise InvalidValue("stages", f"stage {stage['name']!r} ends before it starts")
    return [
        {"name": s["name"], "planned_start": s["planned_start"], "planned_end": s["planned_end"]}
        for s in stages
    ]


class ContractNumber(Aggregate):
    """Claims a contract number: a second contract with the same number collides here."""

    class Claimed(Aggregate.Created, Fact):
        number: str
        contract_id: str

    @classmethod
    def claim(cls, stamp: Stamp, number: str, contract_id: str) -> "ContractNumber":
        return cls._create(
            cls.Claimed, id=number_claim_id(number), number=number, contract_id=contract_id, **stamp.fields()
        )


class Contract(Aggregate):
    class Signed(Aggregate.Created, Fact):
        number: str
        counterparty_id: str
        manager_id: str
        signed_on: date
        valid_from: date
        valid_until: date
        amount: Decimal
        currency: str
        stages: list[dict[str, Any]]

        def apply(self, aggregate: "Contract") -> None:
            aggregate.number = self.number
            aggregate.counterparty_id = self.counterparty_id
            aggregate.manager_id = self.manager_id
            aggregate.valid_from = self.valid_from
            aggregate.valid_until = self.valid_until
            aggregate.amount = Money(self.amount, self.currency)
            aggregate.stages = {s["name"]: {} for s in self.stages}

    class OriginalsReceived(Fact):
        counterparty_id: str
        received_on: date

        def apply(self, aggregate: "Contract") -> None:
            aggregate.originals_received = True

    class Amended(Fact):
        counterparty_id: str
        changes: dict[str, Any]
        previous: dict[str, Any]
        reason: str

        def apply(self, aggregate: "Contract") -> None:
            if "amount" in self.changes:
                aggregate.amount = Money(self.changes["amount"], aggregate.amount.currency)
            if "valid_until" in self.changes:
                aggregate.valid_until = self.changes["valid_until"]
            if "stages" in self.changes:
                aggregate.stages = {
                    s["name"]: aggregate.stages.get(s["name"], {}) for s in self.changes["stages"]
                }

    class Prolonged(Fact):
        counterparty_id: str
        valid_until: date
        previous_valid_until: date

        def apply(self, aggregate: "Contract") -> None:
            aggregate.valid_until = self.valid_until

    class Terminated(Fact):
        counterparty_id: str
        terminated_on: date
        reason: str

        def apply(self, aggregate: "Contract") -> None:
            aggregate.status = ContractStatus.TERMINATED

    class StageStarted(Fact):
        counterparty_id: str
        stage: str
        started_on: date

        def apply(self, aggregate: "Contract") -> None:
            aggregate.stages[self.stage]["started_on"] = self.started_on

    class StageCompleted(Fact):
        counterparty_id: str
        stage: str
        completed_on: date

        def apply(self, aggregate: "Contract") -> None:
            aggregate.stages[self.stage]["completed_on"] = self.completed_on

    class OrderBooked(Fact):
        counterparty_id: str
        order_id: str
        amount: Decimal
        currency: str

        def apply(self, aggregate: "Contract") -> None:
            aggregate.booked += self.amount

    def __init__(self) -> None:
        self.number = ""
        self.counterparty_id = ""
        self.manager_id = ""
        self.valid_from = date.min
        self.valid_until = date.min
        self.amount = Money(Decimal(0), "RUB")
        self.stages: dict[str, dict[str, date]] = {}
        self.originals_received = False
        self.status = ContractStatus.ACTIVE
        self.booked = Decimal(0)

    @classmethod
    def sign(
        cls,
        stamp: Stamp,
        *,
        number: str,
        counterparty_id: str,
        manager_id: str,
        signed_on: date,
        valid_from: date,
        valid_until: date,
        amount: Money,
        stages: list[dict[str, Any]],
        id: UUID | None = None,
    ) -> "Contract":
        if not number.strip():
            raise InvalidValue("number", "a contract needs a number")
        check_period(valid_from, valid_until)
        amount.positive()
        return cls._create(
            cls.Signed,
            id=id,
            number=number.strip(),
            counterparty_id=counterparty_id,
            manager_id=manager_id,
            signed_on=signed_on,
            valid_from=valid_from,
            valid_until=valid_until,
            amount=amount.amount,
            currency=amount.currency,
            stages=check_stages(stages),
            **stamp.fields(),
        )

    @property
    def remaining(self) -> Money:
        return Money(self.amount.amount - self.booked, self.amount.currency)

    def _common(self, stamp: Stamp) -> dict[str, Any]:
        return {"counterparty_id": self.counterparty_id, **stamp.fields()}

    def receive_originals(self, stamp: Stamp, received_on: date) -> None:
        if self.originals_received:
            raise RuleViolated("the signed originals are already received")
        self.trigger_event(self.OriginalsReceived, received_on=received_on, **self._common(stamp))

    def amend(
        self,
        stamp: Stamp,
        reason: str,
        *,
        amount: Decimal | None = None,
        valid_until: date | None = None,
        stages: list[dict[str, Any]] | None = None,
    ) -> None:
        self.check_active()
        if not reason.strip():
            raise InvalidValue("reason", "an amendment needs a reason")
        changes: dict[str, Any] = {}
        previous: dict[str, Any] = {}
        if amount is not None:
            Money(amount, self.amount.currency).positive()
            if amount < self.booked:
                raise RuleViolated(
                    f"orders already booked {self.booked} {self.amount.currency} under this contract"
                )
            changes["amount"], previous["amount"] = amount, self.amount.amount
        if valid_until is not None:
            check_period(self.valid_from, valid_until)
            changes["valid_until"], previous["valid_until"] = valid_until, self.valid_until
        if stages is not None:
            changes["stages"], previous["stages"] = check_stages(stages), list(self.stages)
        if not changes:
            raise InvalidValue("amendment", "an amendment must change the amount, the validity or the stages")
        self.trigger_event(
            self.Amended, changes=changes, previous=previous, reason=reason.strip(), **self._common(stamp)
        )

    def prolong(self, stamp: Stamp, valid_until: date) -> None:
        self.check_active()
        if valid_until <= self.valid_until:
            raise InvalidValue("valid_until", f"a prolongation must end after {self.valid_until}")
        self.trigger_event(
            self.Prolonged,
            valid_until=valid_until,
            previous_valid_until=self.valid_until,
            **self._common(stamp),
        )

    def terminate(self, stamp: Stamp, terminated_on: date, reason: str) -> None:
        self.check_active()
        if not reason.strip():
            raise InvalidValue("reason", "a termination needs a reason")
        self.trigger_event(
            self.Terminated, terminated_on=terminated_on, reason=reason.strip(), **self._common(stamp)
        )

    def start_stage(self, stamp: Stamp, stage: str, started_on: date) -> None:
        self._check_stage(stage, "started_on")
        self.trigger_event(self.StageStarted, stage=stage, started_on=started_on, **self._common(stamp))

    def complete_stage(self, stamp: Stamp, stage: str, completed_on: date) -> None:
        self._check_stage(stage, "completed_on")
        started = self.stages[stage].get("started_on")
        if started is None or completed_on < started:
            raise RuleViolated(f"stage {stage!r} must start before it completes")
        self.trigger_event(self.StageCompleted, stage=stage, completed_on=completed_on, **self._common(stamp))

    def book_order(self, stamp: Stamp, order_id: str, amount: Money, ordered_on: date) -> None:
        """An order under this contract: inside its validity, within what remains, not terminated."""
        self.check_active()
        if not self.valid_from <= ordered_on <= self.valid_until:
            raise RuleViolated(
                f"contract {self.number} is valid from {self.valid_from} to {self.valid_until}, "
                f"not on {ordered_on}"
            )
        if amount.currency != self.amount.currency:
            raise InvalidValue("currency", f"contract {self.number} is in {self.amount.currency}")
        if amount.amount > self.remaining.amount:
            raise RuleViolated(
                f"contract {self.number} has {self.remaining.amount} {self.amount.currency} left, "
                f"the order asks for {amount.amount}"
            )
        self.trigger_event(
            self.OrderBooked,
            order_id=order_id,
            amount=amount.amount,
            currency=amount.currency,
            **self._common(stamp),
        )

    def check_active(self) -> None:
        if self.status == ContractStatus.TERMINATED:
            raise RuleViolated(f"contract {self.number} is terminated")

    def _check_stage(self, stage: str, mark: str) -> None:
        self.check_active()
        if stage not in self.stages:
            raise InvalidValue("stage", f"contract {self.number} has no stage {stage!r}")
        if mark in self.stages[stage]:
            raise RuleViolated(f"stage {stage!r} already has {mark.replace('_', ' ')}")


def sign_with_number_claim(
    stamp: Stamp,
    *,
    admission: Admission,
    number_taken: bool,
    number: str,
    counterparty_id: str,
    manager_id: str,
    signed_on: date,
    valid_from: date,
    valid_until: date,
    amount: Money,
    stages: list[dict[str, Any]],
    id: UUID | None = None,
) -> tuple[Contract, ContractNumber]:
    """A contract signed with an admitted counterparty, and the claim of its number, to be
    appended together: of two contracts racing for one number, the second collides on the
    claim and, decided again, finds ``number_taken``."""
    if admission in BARRED:
        raise RuleViolated(f"the counterparty is {admission.value}: no contract may be signed with it")
    if number_taken:
        raise RuleViolated(f"contract number {number.strip()} is already used")
    contract = Contract.sign(
        stamp,
        number=number,
        counterparty_id=counterparty_id,
        manager_id=manager_id,
        signed_on=signed_on,
        valid_from=valid_from,
        valid_until=valid_until,
        amount=amount,
        stages=stages,
        id=id,
    )
    return contract, ContractNumber.claim(stamp, contract.number, str(contract.id))
