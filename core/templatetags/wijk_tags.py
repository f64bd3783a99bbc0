"""Template helpers shared by every app: permission checks and locale-aware numbers.

Load with `{% load wijk_tags %}`:
  {% if acting|can:"household.view" %}  — the acting user's permission (False without acting)
  {{ amount|money }}                     — "€ 1.600,00" in Dutch, "1 600,00 €" in French
  {{ value|decimal:4 }}                  — a number with exactly that many decimals
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
