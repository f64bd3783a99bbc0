"""What the job bureau's views share."""

from datetime import date
from typing import Any

from django.http import HttpRequest

from core.tenancy import Acting, request_acting
from core.validators import local_today


def acting_of(request: HttpRequest) -> Acting:
    return request_acting(request)


def day_param(request: HttpRequest, organisation: Any) -> date:
    """?day=YYYY-MM-DD, else today; a bad day is today as well."""
    text = request.GET.get("day", "")
    try:
        return date.fromisoformat(text) if text else local_today(organisation)
    except ValueError:
        return local_today(organisation)
