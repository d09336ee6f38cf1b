"""The ИНН claims a card's registration or change appends beside it (see aggregates.tax_id_claim)."""

from typing import Any

from aggregates.counterparty import Counterparty
from aggregates.new_record import NewRecord
from aggregates.requisites import kpp_of
from aggregates.tax_id_claim import TaxIdClaim, check_free_for, tax_id_claim_id, tax_id_claim_keys
from commands.context import Context

NewCard = tuple[str, str, list[str]]
"""A card registered with its claims: its id, its name and the keys it claims."""


def claim_keys(card: Counterparty, *, branch: bool) -> list[str]:
    return profile_claim_keys(card.profile, branch=branch)


def profile_claim_keys(profile: dict[str, Any], *, branch: bool) -> list[str]:
    return tax_id_claim_keys(profile["tax_id"], kpp_of(profile["requisites"]), branch=branch)


def taken_by_another(ctx: Context, key: str, counterparty_id: str) -> None:
    """Refuses (409, naming the card) a key another card holds."""
    claim_id = tax_id_claim_id(key)
    if ctx.exists(claim_id):
        ctx.load(TaxIdClaim, claim_id, "tax_id").check_free_for(counterparty_id)


def claims_of_new_card(ctx: Context, card: Counterparty, *, branch: bool) -> list[TaxIdClaim | NewRecord]:
    return claims_of_new_cards(ctx, [(str(card.id), card.name, claim_keys(card, branch=branch))])


def claims_of_new_cards(ctx: Context, cards: list[NewCard]) -> list[TaxIdClaim | NewRecord]:
    """The claims of cards registered together (an import): which claims exist is asked once
    for all; two cards of the batch claiming one key are refused."""
    made = ctx.existing([tax_id_claim_id(key) for _id, _name, keys in cards for key in keys])
    claims: dict[str, TaxIdClaim | NewRecord] = {}
    holders: dict[str, tuple[str, str]] = {}
    for card_id, name, keys in cards:
        for key in keys:
            if key in holders:
                check_free_for(key, *holders[key], card_id)
            holders[key] = card_id, name
            claims[key] = _claim(ctx, key, card_id, name, made=tax_id_claim_id(key) in made)
    return list(claims.values())


def _claim(ctx: Context, key: str, card_id: str, name: str, *, made: bool) -> TaxIdClaim | NewRecord:
    """The key claimed for the card. A claim nobody has made yet (``made``) is created; two
    cards racing to create it collide on the append, and the loser, decided again, finds it
    taken."""
    if not made:
        return TaxIdClaim.claimed(ctx.stamp, key, card_id, name)
    claim = ctx.load(TaxIdClaim, tax_id_claim_id(key), "tax_id")
    claim.take(ctx.stamp, card_id, name)
    return claim


def moved_claims(
    ctx: Context, card: Counterparty, tax_id_before: str | None, kpp_before: str | None
) -> list[TaxIdClaim | NewRecord]:
    """After a change of the card's ИНН or КПП: its old claims released, the new ones taken.
    A card keeps being a branch (holding only the ИНН/КПП pair) or a head office."""
    if (card.profile["tax_id"], kpp_of(card.profile["requisites"])) == (tax_id_before, kpp_before):
        return []
    card_id = str(card.id)
    held: list[TaxIdClaim] = []
    for key in (tax_id_before, f"{tax_id_before}/{kpp_before}") if tax_id_before else ():
        if ctx.exists(tax_id_claim_id(key)):
            claim = ctx.load(TaxIdClaim, tax_id_claim_id(key), "tax_id")
            if claim.counterparty_id == card_id:
                held.append(claim)
    branch = bool(held) and all("/" in claim.key for claim in held)
    new_keys = claim_keys(card, branch=branch)
    for claim in held:
        if claim.key not in new_keys:
            claim.release(ctx.stamp, card_id)
    taken = [_claim(ctx, key, card_id, card.name, made=ctx.exists(tax_id_claim_id(key))) for key in new_keys]
    return [*held, *(claim for claim in taken if claim not in held)]
