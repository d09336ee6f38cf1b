"""Money: a ``Decimal`` amount with an ISO 4217 currency; never a float."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from aggregates.errors import InvalidValue

# The currencies a Russian forwarder invoices and pays in; extend as the business does.
CURRENCIES = frozenset(
    {
        "RUB",
        "USD",
        "EUR",
        "CNY",
        "KZT",
        "BYN",
        "UZS",
        "KGS",
        "AMD",
        "AZN",
        "GEL",
        "TRY",
        "AED",
        "INR",
        "GBP",
        "CHF",
        "JPY",
        "KRW",
        "HKD",
    }
)


def check_currency(code: str, field: str = "currency") -> str:
    if code not in CURRENCIES:
        raise InvalidValue(field, f"{code!r} is not a known ISO 4217 currency code")
    return code


def check_amount(amount: Decimal | int | str, field: str = "amount") -> Decimal:
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidValue(field, f"{amount!r} is not an amount") from None
    if not value.is_finite():
        raise InvalidValue(field, f"{amount!r} is not an amount")
    return value


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", check_amount(self.amount))
        check_currency(self.currency)

    def positive(self, field: str = "amount") -> "Money":
        if self.amount <= 0:
            raise InvalidValue(field, f"{field} must be greater than zero")
        return self

    def __add__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise InvalidValue(
                "currency", f"cannot combine {self.currency} with {other.currency} without a rate"
            )


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / Decimal(100)).quantize(Decimal("0.01"))


def totals_by_currency(amounts: Iterable[Money]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for money in amounts:
        totals[money.currency] += money.amount
    return dict(totals)
