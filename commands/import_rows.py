"""One row of an import file as the fields of a card or a contact, or why it cannot be."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aggregates.requisites import check_email
from commands.import_columns import (
    CONTACT_FIELDS,
    CONTACT_TITLES,
    COUNTERPARTY_FIELDS,
    COUNTERPARTY_TITLES,
    FORM_OR_KIND,
    IGNORED,
    YES,
    ColumnPlan,
    cell_values,
    name_key,
    plan_columns,
    title_key,
)
from commands.import_tables import FileRefused

LIST_FIELDS = frozenset({"phones", "emails", "loyalty_reasons", "interests", "competitor_products"})
_PREFIXES = {"attr": "attributes", "class": "classifiers", "req": "requisites"}


def plan_for(header: list[str], mapping: Mapping[str, str], *, contacts: bool) -> ColumnPlan:
    known, fields = (
        (CONTACT_TITLES, CONTACT_FIELDS) if contacts else (COUNTERPARTY_TITLES, COUNTERPARTY_FIELDS)
    )
    try:
        plan = plan_columns(header, known, fields, {title_key(k): v for k, v in mapping.items()})
    except ValueError as refused:
        raise FileRefused(1, str(refused)) from None
    targets = set(plan.targets)
    if contacts and not targets & {"full_name", "surname", "first_name"}:
        raise FileRefused(1, "the header has no column for the person's name (ФИО, or Фамилия and Имя)")
    if not contacts and not targets & {"name", "full_name"}:
        raise FileRefused(1, "the header has no 'name' column (Наименование)")
    return plan


def _cells_problem(plan: ColumnPlan, cells: list[str]) -> str | None:
    extra = cells[len(plan.targets) :]
    if len(cells) < len(plan.targets) or any(cell.strip() for cell in extra):
        return f"the row has {len(cells)} cells where the header has {len(plan.targets)}"
    return None


def counterparty_fields(
    plan: ColumnPlan, cells: list[str], managers: Mapping[str, list[str]]
) -> tuple[dict[str, Any], str | None]:
    """Blank cells are left out, so the command's defaults apply."""
    if problem := _cells_problem(plan, cells):
        return {}, problem
    fields: dict[str, Any] = {}
    full_name = None
    for target, cell in zip(plan.targets, cells, strict=False):
        value = cell.strip()
        if not value or target == IGNORED:
            continue
        prefix, colon, key = target.partition(":")
        if colon:
            fields.setdefault(_PREFIXES[prefix], {})[key] = cell_values(value) if prefix == "class" else value
        elif target in LIST_FIELDS:
            fields.setdefault(target, []).extend(cell_values(value))
        elif target == "full_name":
            full_name = value
        elif target == "tax_id":
            fields["tax_id"] = _tax_id(value)
        elif target == "email":
            for email in cell_values(value):
                if broken := check_email(email, "email"):
                    return {}, f"email: {broken.rule}"
            fields.setdefault("attributes", {})["E-mail"] = ", ".join(cell_values(value))
        elif target == "manager":
            manager_id, problem = _manager(value, managers)
            if problem:
                return {}, problem
            fields["manager_id"] = manager_id
        elif target == "form_or_kind":
            found = FORM_OR_KIND.get(title_key(value))
            if found is None:
                return (
                    {},
                    f"{value!r} is neither a legal form (юридическое лицо, ИП, физическое лицо) nor a kind",
                )
            fields[found[0]] = found[1]
        elif target == "branch":
            fields["branch"] = title_key(value) in YES
        else:
            fields[target] = value
    if full_name is not None:
        if "name" in fields:
            fields.setdefault("requisites", {})["Полное наименование"] = full_name
        else:
            fields["name"] = full_name
    return fields, None


def _tax_id(value: str) -> str:
    return "".join(value.split())


def _manager(value: str, managers: Mapping[str, list[str]]) -> tuple[str | None, str | None]:
    try:
        return str(UUID(value)), None
    except ValueError:
        pass
    found = managers.get(name_key(value), [])
    if len(found) == 1:
        return found[0], None
    if found:
        return None, f"manager: several employees are called {value!r}; give the id"
    return None, f"manager: no employee is called {value!r}"


@dataclass(frozen=True)
class ContactRow:
    details: dict[str, Any]
    organisation: str | None
    tax_id: str | None


def contact_fields(plan: ColumnPlan, cells: list[str]) -> tuple[ContactRow | None, str | None]:
    if problem := _cells_problem(plan, cells):
        return None, problem
    details: dict[str, Any] = {}
    parts: dict[str, str] = {}
    organisation = tax_id = None
    for target, cell in zip(plan.targets, cells, strict=False):
        value = cell.strip()
        if not value or target == IGNORED:
            continue
        if target in LIST_FIELDS:
            details.setdefault(target, []).extend(cell_values(value))
        elif target in ("surname", "first_name", "patronymic"):
            parts[target] = value
        elif target == "organisation":
            organisation = value
        elif target == "organisation_tax_id":
            tax_id = _tax_id(value)
        else:
            details[target] = value
    if "full_name" not in details and parts:
        details["full_name"] = " ".join(
            parts[p] for p in ("surname", "first_name", "patronymic") if p in parts
        )
    return ContactRow(details, organisation, tax_id), None
