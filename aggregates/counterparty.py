"""The counterparty: an organisation or private person the company deals with. Its card's
fields and their rules are in ``aggregates.counterparty_profile``, the rules of merging
duplicates in ``aggregates.counterparty_merge``."""

from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.counterparty_merge import check_mergeable, check_reason, merged_profile
from aggregates.counterparty_profile import PROFILE_FIELDS, checked_profile, new_profile
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.new_record import NewRecord
from aggregates.stamp import Fact, Stamp, changed_fields


class Admission(StrEnum):
    """Admission to business (seed 001): may the company work with this party?"""

    POTENTIAL = "potential"
    ACTIVE = "active"
    PASSIVE = "passive"
    TEMPORARILY_FORBIDDEN = "temporarily_forbidden"
    FORBIDDEN = "forbidden"


BARRED = frozenset({Admission.FORBIDDEN, Admission.TEMPORARILY_FORBIDDEN})


def check_rating(rating: int) -> int:
    if not 0 <= rating <= 5:
        raise InvalidValue("rating", "rating is a whole number from 0 to 5")
    return rating


def check_admission_decision(current: Admission, decided: Admission, reason: str) -> None:
    if decided == current:
        raise RuleViolated(f"the counterparty is already {current.value}")
    if decided == Admission.POTENTIAL:
        raise RuleViolated("a counterparty cannot be made potential again")
    if not reason.strip():
        raise InvalidValue("reason", "an admission decision needs a reason")


class Counterparty(Aggregate):
    class Registered(Aggregate.Created, Fact):
        class_version = 2

        legal_form: str
        kind: str
        name: str
        tax_id: str | None
        requisites: dict[str, str]
        industry: str | None
        region: str | None
        activity: str | None
        phones: list[str]
        attributes: dict[str, str]
        classifiers: dict[str, list[str]]
        loyalty_reasons: list[str]
        lead_source: str | None
        interests: list[str]
        competitor_products: list[str]
        manager_id: str
        founding_date: str | None
        """ISO day the organisation was founded (or the person born), for its anniversaries."""

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.profile = {k: getattr(self, k) for k in PROFILE_FIELDS}
            aggregate.manager_id = self.manager_id

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["founding_date"] = None

    class ProfileChanged(Fact):
        changes: dict[str, Any]
        previous: dict[str, Any]

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.profile.update(self.changes)

    class ManagerAssigned(Fact):
        manager_id: str
        previous_manager_id: str

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.manager_id = self.manager_id

    class Rated(Fact):
        rating: int
        previous_rating: int | None

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.rating = self.rating

    class AdmissionDecided(Fact):
        admission: str
        previous_admission: str
        reason: str

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.admission = Admission(self.admission)

    class MergedInto(Fact):
        """This card was found to be a duplicate of the survivor's and merged into it: from
        now on its id leads there, and its history counts as the survivor's."""

        survivor_id: str
        reason: str

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.merged_into = self.survivor_id

    class DuplicateAbsorbed(Fact):
        """The survivor of a merge took the duplicate in. What its card gained (phones,
        classifiers, attributes …) is recorded right after as a ``ProfileChanged``, so every
        view that follows the card's fields follows a merge as it follows an edit; ``changes``
        and ``previous`` repeat it here so that a split can give it back."""

        merged_id: str
        reason: str
        changes: dict[str, Any]
        previous: dict[str, Any]

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.absorbed[self.merged_id] = (self.changes, self.previous)

    class SplitOff(Fact):
        """A merge undone: the card is its own again, with its history."""

        survivor_id: str
        reason: str

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.merged_into = None

    class DuplicateReleased(Fact):
        """The survivor gave a merged card back; the ``ProfileChanged`` after it restores what
        the merge changed, as ``changes`` here repeat."""

        merged_id: str
        reason: str
        changes: dict[str, Any]
        previous: dict[str, Any]

        def apply(self, aggregate: "Counterparty") -> None:
            del aggregate.absorbed[self.merged_id]

    def __init__(self) -> None:
        self.profile: dict[str, Any] = {}
        self.manager_id = ""
        self.rating: int | None = None
        self.admission = Admission.POTENTIAL
        self.merged_into: str | None = None
        self.absorbed: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        """Each card merged into this one, with what its merge changed and what was there before."""

    @classmethod
    def register(
        cls,
        stamp: Stamp,
        *,
        manager_id: str,
        id: UUID | None = None,
        check_requisites: bool = True,
        **profile: Any,
    ) -> "Counterparty":
        fields = new_profile(profile, check_requisites)
        return cls._create(cls.Registered, id=id, manager_id=manager_id, **fields, **stamp.fields())

    @classmethod
    def registered(cls, stamp: Stamp, id: UUID, manager_id: str, profile: dict[str, Any]) -> NewRecord:
        """A card registered in bulk, from a profile ``new_profile`` has checked: what
        ``register`` records, without building the card."""
        return NewRecord(cls, cls.Registered, id, manager_id=manager_id, **profile, **stamp.fields())

    @property
    def name(self) -> str:
        return str(self.profile["name"])

    @property
    def is_barred(self) -> bool:
        return self.admission in BARRED

    def change_profile(self, stamp: Stamp, **proposed: Any) -> None:
        unknown = set(proposed) - set(PROFILE_FIELDS)
        if unknown:
            raise InvalidValue(sorted(unknown)[0], "not a field of the counterparty card")
        changes, previous = changed_fields(self.profile, checked_profile(proposed))
        if changes:
            self.trigger_event(self.ProfileChanged, changes=changes, previous=previous, **stamp.fields())

    def assign_manager(self, stamp: Stamp, manager_id: str) -> None:
        if manager_id != self.manager_id:
            self.trigger_event(
                self.ManagerAssigned,
                manager_id=manager_id,
                previous_manager_id=self.manager_id,
                **stamp.fields(),
            )

    def rate(self, stamp: Stamp, rating: int) -> None:
        if check_rating(rating) != self.rating:
            self.trigger_event(self.Rated, rating=rating, previous_rating=self.rating, **stamp.fields())

    def decide_admission(self, stamp: Stamp, admission: Admission, reason: str) -> None:
        check_admission_decision(self.admission, admission, reason)
        self.trigger_event(
            self.AdmissionDecided,
            admission=admission.value,
            previous_admission=self.admission.value,
            reason=reason.strip(),
            **stamp.fields(),
        )

    def absorb(
        self, stamp: Stamp, duplicate: "Counterparty", reason: str, prefer_duplicate: list[str]
    ) -> None:
        """Merge ``duplicate`` into this card (see ``merged_profile`` for who wins a conflict)."""
        check_mergeable(self, duplicate, reason)
        gained = merged_profile(self.profile, duplicate.profile, prefer_duplicate)
        changes, previous = changed_fields(self.profile, gained)
        fields = {"reason": reason.strip(), **stamp.fields()}
        duplicate.trigger_event(duplicate.MergedInto, survivor_id=str(self.id), **fields)
        self.trigger_event(
            self.DuplicateAbsorbed, merged_id=str(duplicate.id), changes=changes, previous=previous, **fields
        )
        if changes:
            self.trigger_event(self.ProfileChanged, changes=changes, previous=previous, **stamp.fields())

    def release(self, stamp: Stamp, duplicate: "Counterparty", reason: str) -> None:
        """Undo the merge of ``duplicate``: each field the merge changed goes back to what it
        was, unless the card was edited since (an edit made after the merge is kept)."""
        if duplicate.merged_into != str(self.id) or str(duplicate.id) not in self.absorbed:
            raise RuleViolated(f"counterparty {duplicate.id} is not merged into {self.id}")
        check_reason(reason)
        gained, before = self.absorbed[str(duplicate.id)]
        restored = {k: v for k, v in before.items() if self.profile.get(k) == gained[k]}
        changes, previous = changed_fields(self.profile, restored)
        fields = {"reason": reason.strip(), **stamp.fields()}
        duplicate.trigger_event(duplicate.SplitOff, survivor_id=str(self.id), **fields)
        self.trigger_event(
            self.DuplicateReleased, merged_id=str(duplicate.id), changes=changes, previous=previous, **fields
        )
        if changes:
            self.trigger_event(self.ProfileChanged, changes=changes, previous=previous, **stamp.fields())
