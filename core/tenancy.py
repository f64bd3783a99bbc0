"""Tenant scoping: the one place that decides which records an acting organisation may see.

Every model with personal or organisation-owned data declares `tenant_paths`: lookups that
lead from a record to an Organisation. A record is visible to an organisation when any path
leads to it. Example: a household is visible to the organisation that registered it and to
the lead organisation of every programme it is enrolled in, so a partner welfare office never
sees another partner's households.

Views, API handlers and services get their querysets through `scoped()` and single objects
through `get_scoped()`; a model without `tenant_paths` is refused, so a new model cannot be
listed without a rule.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from core.models import Membership, Organisation
from core.permissions import PERMISSIONS

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Acting:
    """A user acting for one organisation, with the roles they hold there."""

    user: "AbstractBaseUser | AnonymousUser"
    organisation: Organisation
    roles: frozenset[str] = field(default_factory=frozenset)

    def can(self, permission: str) -> bool:
        return bool(self.roles & PERMISSIONS[permission])

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise PermissionDenied(permission)

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)


def acting_for(user: Any, organisation_id: int | None = None) -> Acting | None:
    """The user's acting identity: the given organisation if they belong to it, else their first."""
    if user is None or not user.is_authenticated:
        return None
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    if not memberships:
        return None
    org_ids = {m.organisation_id for m in memberships}
    chosen = organisation_id if organisation_id in org_ids else memberships[0].organisation_id
    organisation = next(m.organisation for m in memberships if m.organisation_id == chosen)
    roles = frozenset(m.role for m in memberships if m.organisation_id == chosen)
    return Acting(user=user, organisation=organisation, roles=roles)


TenantPath = str | tuple[str, dict[str, Any]]


def _crosses_to_many(model: type[models.Model], lookup: str) -> bool:
    for name in lookup.split("__"):
        field = model._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        if field.related_model is None:
            return False
        model = field.related_model  # type: ignore[assignment]
    return False


def _path_q(model: type[models.Model], path: TenantPath, organisation: Organisation) -> Q:
    # A path may carry conditions on the same join, e.g. only enrolments that were accepted.
    lookup, extra = (path, {}) if isinstance(path, str) else path
    if lookup == "pk":
        return Q(pk=organisation.pk)
    if _crosses_to_many(model, lookup):
        # A to-many path would repeat rows. A correlated EXISTS keeps one row per record and
        # is checked per row through the indexes (a "pk IN (all visible ids)" list would be
        # built whole on every query). One filter() call keeps the conditions on the same
        # related row as the path.
        related = model._default_manager.filter(
            pk=OuterRef("pk"), **{lookup: organisation}, **extra
        )
        return Q(Exists(related))
    return Q(**{lookup: organisation}, **extra)


def scope_q(model: type[models.Model], organisation: Organisation) -> Q:
    paths = getattr(model, "tenant_paths", None)
    if not paths:
        raise ImproperlyConfigured(f"{model.__name__} declares no tenant_paths")
    q = Q()
    for path in paths:
        q |= _path_q(model, path, organisation)
    return q


def scoped(queryset: "models.QuerySet[M] | type[M]", acting: Acting) -> "models.QuerySet[M]":
    """Only the records of `queryset` that the acting organisation may see."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    return qs.filter(scope_q(qs.model, acting.organisation))


def get_scoped(queryset: "models.QuerySet[M] | type[M]", acting: Acting, **lookup: Any) -> M:
    """One visible record, or Http404: a record of another organisation does not exist here."""
    try:
        return scoped(queryset, acting).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def require(acting: Acting | None, permission: str) -> Acting:
    if acting is None:
        raise PermissionDenied("no organisation")
    acting.require(permission)
    return acting
