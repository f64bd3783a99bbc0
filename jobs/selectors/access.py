"""Reads that check both halves (role and relation) before anything is shown."""

from typing import TypeVar

from django.db import models

from core.models import Programme
from core.tenancy import Acting, get_scoped
from jobs.bureau import bureau_get, require_lead

M = TypeVar("M", bound=models.Model)


def bureau_for(acting: Acting, pk: int, permission: str) -> Programme:
    """A job bureau the acting organisation leads, for a user with the permission."""
    acting.require(permission)
    programme = bureau_get(acting, pk)
    require_lead(acting, programme, permission)
    return programme


def record_for(
    acting: Acting, queryset: "models.QuerySet[M]", pk: int, permission: str, *, via: str
) -> M:
    """A visible record (else 404) whose bureau (`via`: the lookup to its programme) the
    acting organisation leads, for a user with the permission."""
    acting.require(permission)
    record = get_scoped(queryset, acting, pk=pk)
    programme = record
    for part in via.split("."):
        programme = getattr(programme, part)
    require_lead(acting, programme, permission)  # type: ignore[arg-type]
    return record
