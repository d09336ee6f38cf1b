"""One card per counterparty: a card claims its ИНН (and ИНН with КПП) in the same append as
its registration, so of two cards racing for one ИНН the second collides here, on every store.

A head office claims the ИНН alone and, when it has a КПП, the pair; a branch (a separate
subdivision, same ИНН, its own КПП) claims only the pair. When a card's ИНН or КПП changes, its
claims move with it: the old ones are released in the same append that takes the new ones, so
the old ИНН is free for another card and the new one is refused if another card holds it.
"""

from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue, RuleViolated
from aggregates.new_record import NewRecord
from aggregates.stamp import Fact, Stamp


def tax_id_claim_keys(tax_id: str | None, kpp: str | None, *, branch: bool) -> list[str]:
    """What a card claims: nothing without an ИНН; a branch needs its КПП."""
    if not tax_id:
        return []
    if branch and not kpp:
        raise InvalidValue(
            "requisites.КПП", "a branch has the head office's ИНН and its own КПП: give the КПП"
        )
    keys = [] if branch else [tax_id]
    return [*keys, f"{tax_id}/{kpp}"] if kpp else keys


@lru_cache(maxsize=1 << 18)
def tax_id_claim_id(key: str) -> UUID:
    """Remembered for as many keys as a large import claims: its checks and its command each
    ask for every key's claim, and building the id (a hash and a ``UUID``) costs more than
    checking the row's ИНН."""
    return uuid5(NAMESPACE_URL, f"letopis:counterparty-tax-id:{key.casefold()}")


def check_free_for(key: str, holder_id: str, holder_name: str, counterparty_id: str) -> None:
    """A key held by one card (``holder_id``, empty when nobody holds it) is not free for another."""
    if holder_id and holder_id != counterparty_id:
        what = "ИНН/КПП" if "/" in key else "ИНН"
        raise RuleViolated(
            f"{what} {key} already belongs to the card {holder_id} "
            f"({holder_name}); a branch is registered with branch=true and its own КПП"
        )


class TaxIdClaim(Aggregate):
    class Claimed(Aggregate.Created, Fact):
        key: str
        counterparty_id: str
        counterparty_name: str

        def apply(self, aggregate: "TaxIdClaim") -> None:
            aggregate.key = self.key
            aggregate.counterparty_id = self.counterparty_id
            aggregate.counterparty_name = self.counterparty_name

    class Released(Fact):
        def apply(self, aggregate: "TaxIdClaim") -> None:
            aggregate.counterparty_id = ""

    class Reclaimed(Fact):
        counterparty_id: str
        counterparty_name: str

        def apply(self, aggregate: "TaxIdClaim") -> None:
            aggregate.counterparty_id = self.counterparty_id
            aggregate.counterparty_name = self.counterparty_name

    def __init__(self) -> None:
        self.key = ""
        self.counterparty_id = ""
        self.counterparty_name = ""

    @classmethod
    def claim(cls, stamp: Stamp, key: str, counterparty_id: str, counterparty_name: str) -> "TaxIdClaim":
        return cls._create(
            cls.Claimed,
            id=tax_id_claim_id(key),
            key=key,
            counterparty_id=counterparty_id,
            counterparty_name=counterparty_name,
            **stamp.fields(),
        )

    @classmethod
    def claimed(cls, stamp: Stamp, key: str, counterparty_id: str, counterparty_name: str) -> NewRecord:
        """What ``claim`` records, without building the claim: for cards registered in bulk."""
        return NewRecord(
            cls,
            cls.Claimed,
            tax_id_claim_id(key),
            key=key,
            counterparty_id=counterparty_id,
            counterparty_name=counterparty_name,
            **stamp.fields(),
        )

    @property
    def held(self) -> bool:
        return bool(self.counterparty_id)

    def check_free_for(self, counterparty_id: str) -> None:
        check_free_for(self.key, self.counterparty_id, self.counterparty_name, counterparty_id)

    def take(self, stamp: Stamp, counterparty_id: str, counterparty_name: str) -> None:
        self.check_free_for(counterparty_id)
        if not self.held:
            self.trigger_event(
                self.Reclaimed,
                counterparty_id=counterparty_id,
                counterparty_name=counterparty_name,
                **stamp.fields(),
            )

    def release(self, stamp: Stamp, counterparty_id: str) -> None:
        if self.counterparty_id == counterparty_id:
            self.trigger_event(self.Released, **stamp.fields())
