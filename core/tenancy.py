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

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from core.models import Membership, Organisation
from core.permissions import PERMISSIONS

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

M = TypeVar("M", bound=models.Model)


WEB, API, COMMAND = "web", "api", "command"
CHANNELS = (WEB, API, COMMAND)
# The channel of actings made without one named: web by default; a management command sets
# "command" for everything it does (see `channel`).
_default_via: ContextVar[str] = ContextVar("wijk_acting_via", default=WEB)


@contextmanager
def channel(via: str) -> Iterator[None]:
    """Actings made inside (acting_for, operator_acting) carry this channel."""
    if via not in CHANNELS:
        raise ValueError(via)
    token = _default_via.set(via)
    try:
        yield
    finally:
        _default_via.reset(token)


def current_channel() -> str:
    """The channel of actings made here without one named (see `channel`)."""
    return _default_via.get()


@dataclass(frozen=True)
class Acting:
    """A user acting for one organisation, with the roles they hold there, through a channel
    (`via`: "web", "api" or "command"), which the audit log records.

    `operator` marks the installation's operator running a management command (no user):
    shell access to the server already gives everything, so permissions are granted, but the
    domain rules of the services (which month may be billed, dates, …) still hold.
    """

    user: "AbstractBaseUser | AnonymousUser | None"
    organisation: Organisation
    roles: frozenset[str] = field(default_factory=frozenset)
    via: str = field(default_factory=lambda: _default_via.get())
    operator: bool = False
    # Every organisation the user belongs to, (id, name) by name: the organisation switcher
    # of every page reads it here instead of asking the database again.
    organisations: tuple[tuple[int, str], ...] = field(default=(), compare=False)

    def can(self, permission: str) -> bool:
        roles = PERMISSIONS[permission]  # an unknown name is a bug: KeyError
        return self.operator or bool(self.roles & roles)

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise PermissionDenied(permission)

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)

    def through(self, via: str) -> "Acting":
        """The same identity through another channel."""
        if via not in CHANNELS:
            raise ValueError(via)
        return replace(self, via=via)


def operator_acting(organisation: Organisation) -> Acting:
    """The installation's operator running a management command for an organisation."""
    return Acting(user=None, organisation=organisation, via=COMMAND, operator=True)


def acting_for(
    user: Any, organisation_id: int | None = None, *, via: str | None = None
) -> Acting | None:
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
    organisations = tuple({m.organisation_id: m.organisation.name for m in memberships}.items())
    return Acting(
        user=user,
        organisation=organisation,
        roles=roles,
        via=via or _default_via.get(),
        organisations=organisations,
    )


TenantPath = str | tuple[str, dict[str, Any]]


def _split_at_to_many(model: type[models.Model], lookup: str) -> tuple[str, Any, str, str] | None:
    """Where a path first crosses a to-many relation: (path before it, the reverse foreign key,
    its name in the path, path after it); None when the path stays to-one."""
    parts = lookup.split("__")
    current: Any = model
    for i, name in enumerate(parts):
        field = current._meta.get_field(name)
        if field.one_to_many:
            return "__".join(parts[:i]), field, name, "__".join(parts[i + 1 :])
        if field.related_model is None:
            return None
        current = field.related_model
    return None


def _path_q(model: type[models.Model], path: TenantPath, organisation: Organisation) -> Q:
    # A path may carry conditions on the same related row, e.g. only accepted enrolments.
    lookup, extra = (path, {}) if isinstance(path, str) else path
    if lookup == "pk":
        return Q(pk=organisation.pk)
    split = _split_at_to_many(model, lookup)
    if split is None:
        return Q(**{lookup: organisation}, **extra)
    # A to-many path would repeat rows: a correlated EXISTS on the related table keeps one row
    # per record and is checked through the foreign key's index (household page: one indexed
    # probe instead of a list of every visible household).
    before, relation, name, after = split
    prefix = f"{before}__{name}__" if before else f"{name}__"
    outer = OuterRef(before or "pk")
    related = relation.related_model._default_manager.filter(
        **{relation.field.name: outer, after: organisation},
        # Redundant on purpose: with only the equality, PostgreSQL turns the EXISTS into a
        # hashed list of every visible record when it expects many rows (household search:
        # 100 ms a query at national scale); with it, it probes the index per row (17 ms).
        # See bench/README.md.
        **{f"{relation.field.name}__gte": outer},
        **{key.removeprefix(prefix): value for key, value in extra.items()},
    )
    return Q(Exists(related))


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


def request_acting(request: Any, permission: str | None = None) -> Acting:
    """The page's acting identity, or 403 for a user of no organisation or without the
    permission."""
    acting: Acting | None = getattr(request, "acting", None)
    if acting is None:  # logged in, but no membership of any organisation
        raise PermissionDenied(_("Your account does not belong to an organisation."))
    if permission:
        acting.require(permission)
    return acting


def require(acting: Acting | None, permission: str) -> Acting:
    if acting is None:
        raise PermissionDenied("no organisation")
    acting.require(permission)
    return acting
