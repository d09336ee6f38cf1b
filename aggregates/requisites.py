"""Russian requisites and their control digits: pure checks shared by the card and the import.

Each check returns nothing for a good value and a ``Broken`` naming the field and the rule
otherwise, so a caller may refuse (the default) or only warn (a legacy import). The rules are
those of the tax service (ИНН, ОГРН, ОГРНИП) and of the Bank of Russia (a settlement account's
control key is computed over the last three digits of the БИК and the account).
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_ACCOUNT_WEIGHTS = (7, 1, 3) * 7 + (7, 1)
_KPP = re.compile(r"\d{4}[\dA-Z]{2}\d{3}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")

# The names a card's requisites are filed under, as people write them (casefolded, ё → е).
KPP_KEYS = ("кпп",)
OGRN_KEYS = ("огрн",)
OGRNIP_KEYS = ("огрнип",)
BIK_KEYS = ("бик",)
ACCOUNT_KEYS = ("расчетный счет", "р/с", "р/счет", "расч. счет")
CORRESPONDENT_KEYS = ("корреспондентский счет", "корр. счет", "к/с", "кор. счет")


@dataclass(frozen=True)
class Broken:
    """A value that breaks a rule: where it is and which rule, in words."""

    field: str
    rule: str


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_check_digits(first: str) -> str:
    """The check digits that complete the first 9 (organisation) or 10 (person) digits of an ИНН."""
    if len(first) == 9:
        return str(_check_digit(first, _INN10_WEIGHTS))
    eleventh = str(_check_digit(first, _INN11_WEIGHTS))
    return eleventh + str(_check_digit(first + eleventh, _INN12_WEIGHTS))


def check_inn(inn: str, field: str = "tax_id") -> Broken | None:
    if not inn.isdigit() or len(inn) not in (10, 12):
        return Broken(field, f"ИНН {inn!r} must have 10 digits (organisation) or 12 (person)")
    body = inn[:9] if len(inn) == 10 else inn[:10]
    expected = inn_check_digits(body)
    if inn[len(body) :] != expected:
        return Broken(field, f"ИНН {inn} fails its check digits (expected …{expected})")
    return None


def check_kpp(kpp: str, field: str = "КПП") -> Broken | None:
    if not _KPP.fullmatch(kpp):
        return Broken(
            field, f"КПП {kpp!r} must have 9 characters: 4 digits, 2 digits or capital letters, 3 digits"
        )
    return None


def ogrn_control_digit(first: str) -> str:
    """The last digit of an ОГРН (12 digits before it) or ОГРНИП (14 digits before it)."""
    return str(int(first) % (11 if len(first) == 12 else 13) % 10)


def _registration_number(value: str, label: str, length: int, field: str) -> Broken | None:
    if not value.isdigit() or len(value) != length:
        return Broken(field, f"{label} {value!r} must have {length} digits")
    if value[-1] != ogrn_control_digit(value[:-1]):
        return Broken(field, f"{label} {value} fails its control digit")
    return None


def check_ogrn(ogrn: str, field: str = "ОГРН") -> Broken | None:
    return _registration_number(ogrn, "ОГРН", 13, field)


def check_ogrnip(ogrnip: str, field: str = "ОГРНИП") -> Broken | None:
    return _registration_number(ogrnip, "ОГРНИП", 15, field)


def check_bik(bik: str, field: str = "БИК") -> Broken | None:
    if not bik.isdigit() or len(bik) != 9:
        return Broken(field, f"БИК {bik!r} must have 9 digits")
    return None


def account_key_ok(account: str, bik: str, *, correspondent: bool = False) -> bool:
    """The Bank of Russia's control key: a settlement account is weighed after the last three
    digits of its bank's БИК; a correspondent account after "0" and the БИК's 5th and 6th."""
    prefix = "0" + bik[4:6] if correspondent else bik[-3:]
    return sum(int(d) * w for d, w in zip(prefix + account, _ACCOUNT_WEIGHTS, strict=True)) % 10 == 0


def account_control_key(account: str, bik: str, *, correspondent: bool = False) -> str:
    """The 9th digit that makes the account pass its key (the digit there is ignored)."""
    for key in "0123456789":
        candidate = account[:8] + key + account[9:]
        if account_key_ok(candidate, bik, correspondent=correspondent):
            return key
    raise AssertionError("weight 1 at the key's place always finds a digit")


def check_account(account: str, bik: str | None, field: str, *, correspondent: bool = False) -> Broken | None:
    if not account.isdigit() or len(account) != 20:
        return Broken(field, f"account {account!r} must have 20 digits")
    if bik is None or check_bik(bik):
        return Broken(field, "an account is checked against its bank's БИК: give a valid БИК beside it")
    if not account_key_ok(account, bik, correspondent=correspondent):
        return Broken(field, f"account {account} does not match БИК {bik} (control key)")
    return None


def check_email(email: str, field: str = "email") -> Broken | None:
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        return Broken(field, f"{email!r} is not an e-mail address")
    return None


def requisite_key(name: str) -> str:
    return " ".join(name.casefold().replace("ё", "е").split())


def _found(requisites: Mapping[str, str], keys: tuple[str, ...]) -> tuple[str, str] | None:
    for name, value in requisites.items():
        if requisite_key(name) in keys and value.strip():
            return name, value.strip()
    return None


def _index(requisites: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """The requisites by their key, each with the name it was given under: one pass for all."""
    index: dict[str, tuple[str, str]] = {}
    for name, value in requisites.items():
        if value.strip():
            index.setdefault(requisite_key(name), (name, value.strip()))
    return index


def _first(index: dict[str, tuple[str, str]], keys: tuple[str, ...]) -> tuple[str, str] | None:
    return next((index[key] for key in keys if key in index), None)


def kpp_of(requisites: Mapping[str, str]) -> str | None:
    found = _found(requisites, KPP_KEYS)
    return found[1] if found else None


def broken_requisites(tax_id: str | None, requisites: Mapping[str, str]) -> list[Broken]:
    """Every rule the card's ИНН and known requisites break; requisites under other names
    (a bank's name, a director) are free text."""
    broken: list[Broken | None] = []
    if tax_id is not None and tax_id.isdigit():
        # Foreign tax ids are free text; a Russian one is all digits.
        broken.append(check_inn(tax_id))
    if not requisites:
        return [problem for problem in broken if problem is not None]
    index = _index(requisites)
    for keys, check in _SIMPLE_CHECKS:
        if found := _first(index, keys):
            broken.append(check(found[1], f"requisites.{found[0]}"))
    bik = _first(index, BIK_KEYS)
    for keys, correspondent in ((ACCOUNT_KEYS, False), (CORRESPONDENT_KEYS, True)):
        if found := _first(index, keys):
            broken.append(
                check_account(
                    found[1], bik[1] if bik else None, f"requisites.{found[0]}", correspondent=correspondent
                )
            )
    return [problem for problem in broken if problem is not None]


_SIMPLE_CHECKS: tuple[tuple[tuple[str, ...], Callable[[str, str], Broken | None]], ...] = (
    (KPP_KEYS, check_kpp),
    (OGRN_KEYS, check_ogrn),
    (OGRNIP_KEYS, check_ogrnip),
    (BIK_KEYS, check_bik),
)
