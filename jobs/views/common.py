"""What the job bureau's views share."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.tenancy import Acting, request_acting
from core.validators import EARLIEST_DATE, local_today

LATEST_MONTH = date(2100, 12, 1)


def acting_of(request: HttpRequest) -> Acting:
    return request_acting(request)


def day_param(request: HttpRequest, organisation: Any) -> date:
    """?day=YYYY-MM-DD, else today; a bad day is today as well."""
    text = request.GET.get("day", "")
    try:
        return date.fromisoformat(text) if text else local_today(organisation)
    except ValueError:
        return local_today(organisation)


def month_param(text: str) -> date:
    """YYYY-MM, from 2000 up to 2100 (9999-12 has no month after it: the statement's
    bounds failed with a 500)."""
    try:
        year, month = (int(p) for p in text.split("-"))
        first = date(year, month, 1)
    except ValueError as exc:
        raise ValidationError("month") from exc
    if not EARLIEST_DATE <= first <= LATEST_MONTH:
        raise ValidationError("month")
    return first
