"""Amounts of money: parsed from a form, held as whole minor units of their currency.

The minor unit is Babel's (CLDR) precision of the currency: two digits for USD and EUR, none
for AFN. An amount with more decimals than its currency has is refused, never rounded.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision, list_currencies
from flask_babel import lazy_gettext as _l

from casework.services import CaseworkError

#: The largest amount one disbursement may hold (in major units): anything larger is a typing
#: mistake, and it keeps sums far inside a 64-bit integer.
MAX_AMOUNT = Decimal(10) ** 9


def is_currency(code: str | None) -> bool:
    """An ISO 4217 code CLDR knows."""
    return bool(code) and code in list_currencies()


def precision(currency: str) -> int:
    return int(get_currency_precision(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """Whole minor units of ``amount`` (exact: the caller checked its decimals)."""
    return int(amount.scaleb(precision(currency)))


def from_minor(minor: int | None, currency: str) -> Decimal:
    """The amount of ``minor`` units, with the currency's number of decimals."""
    digits = precision(currency)
    return Decimal(minor or 0).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def whole(units: int, currency: str) -> int:
    """Minor units of a setting given in whole units of ``currency``."""
    return units * 10 ** precision(currency)


def parse_amount(raw: object, currency: str, field: str = "amount") -> int:
    """The minor units of a typed amount; CaseworkError (with the field) when it is not a
    positive amount the currency can hold."""
    text = str(raw if raw is not None else "").strip().replace(",", "").replace(" ", "")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise CaseworkError(
            _l("Enter the amount as a number, e.g. 250 or 250.50."), field
        ) from None
    if not amount.is_finite():
        raise CaseworkError(_l("Enter the amount as a number, e.g. 250 or 250.50."), field)
    if amount <= 0:
        raise CaseworkError(_l("Enter an amount greater than zero."), field)
    if amount > MAX_AMOUNT:
        raise CaseworkError(_l("This amount is too large. Check it and enter it again."), field)
    digits = precision(currency)
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        if digits == 0:
            message = _l("%(currency)s amounts have no decimals.", currency=currency)
        else:
            message = _l(
                "%(currency)s amounts have at most %(digits)s decimals.",
                currency=currency,
                digits=digits,
            )
        raise CaseworkError(message, field)
    return to_minor(amount, currency)
