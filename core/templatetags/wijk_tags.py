"""Template helpers shared by every app: permission checks and locale-aware numbers.

Load with `{% load wijk_tags %}`:
  {% if acting|can:"household.view" %}  — the acting user's permission (False without acting)
  {{ amount|money }}                     — "€ 1.600,00" in Dutch, "1 600,00 €" in French
  {{ value|decimal:4 }}                  — a number with exactly that many decimals
  {% if acting|collects %}               — the acting organisation collects rental fees
  {{ household|street_line }}            — "Kerkstraat 12 box 3", the box labelled
  {{ household|address_line }}           — the same, then ", 8000 Brugge"
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency, format_decimal
from django import template
from django.utils.translation import get_language, to_locale

register = template.Library()


def _locale() -> str:
    # Babel knows "nl", "fr" and "en"; Belgian conventions are close enough for both countries.
    return to_locale(get_language() or "nl")


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def can(acting: Any, permission: str) -> bool:
    """Whether the acting user may do `permission`; False when nobody is acting."""
    if acting is None or not hasattr(acting, "can"):
        return False
    try:
        return bool(acting.can(permission))
    except KeyError:  # an unknown permission name is a refusal, not a 500
        return False


@register.filter
def money(value: Any, currency: str = "EUR") -> str:
    amount = _as_decimal(value)
    if amount is None:
        return ""
    return format_currency(amount, currency, locale=_locale())


@register.filter
def decimal(value: Any, places: int = 2) -> str:
    amount = _as_decimal(value)
    if amount is None:
        return ""
    places = int(places)
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    return format_decimal(amount, format=pattern, locale=_locale())


@register.filter
def startswith(value: Any, prefix: Any) -> bool:
    """For marking the current section in the navigation: request.path|startswith:url."""
    return bool(prefix) and str(value or "").startswith(str(prefix))


@register.filter
def collects(acting: Any) -> bool:
    """Whether the acting organisation collects the fees of a rental programme."""
    if acting is None or getattr(acting, "organisation", None) is None:
        return False
    # Imported here: core is loaded before the rental app, which depends on it.
    from rentals.services import collected_programmes

    return bool(collected_programmes(acting.organisation).exists())


@register.filter
def street_line(household: Any) -> str:
    """Street, number and box (see Household.street_line)."""
    return str(getattr(household, "street_line", ""))


@register.filter
def address_line(household: Any) -> str:
    """The address on one line (see Household.address_line)."""
    return str(getattr(household, "address_line", ""))
