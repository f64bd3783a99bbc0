"""{{ value|kwh }} — "1.234,5" in Dutch; {{ share|percent }} — "42 %" (— when unknown)."""

from typing import Any

from babel.numbers import format_decimal, format_percent
from django import template
from django.utils import translation
from django.utils.translation import to_locale

register = template.Library()


def _locale() -> str:
    return to_locale(translation.get_language() or "nl")


@register.filter
def kwh(value: Any) -> str:
    if value is None:
        return "–"
    return format_decimal(round(float(value), 1), format="#,##0.0", locale=_locale())


@register.filter
def percent(value: Any) -> str:
    if value is None:
        return "–"
    return format_percent(float(value), locale=_locale())
