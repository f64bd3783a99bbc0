"""What each page and API operation needs, declared on the view or handler itself.

    @needs("visit.assign", of=LEAD)       # a permission (core.permissions) and how the
    @needs("visit.assign", of=SUPPLIER)   # acting organisation relates to the record;
    def visit_assign(request, visit_pk):  # several lines: any one of them suffices

    @needs("programme.view", methods=("GET",))           # read the catalogue...
    @needs("programme.manage", of=LEAD, methods=("POST",))  # ...the lead adds to it

    @login_only   # any member of an organisation (the home page, switching organisation)
    @public       # anyone, also without an account (the resident page opens with a PIN)

The decorators only record the declaration (`func.access`) and return the function
unchanged: the rules themselves live in services and selectors. core/tests/test_route_matrix.py
walks every URL pattern and every API operation as every role of the owning, a partner and a
stranger organisation, and proves each route answers as declared; a route that declares
nothing fails that test. Views this project does not write (login, logout, language, the
OpenAPI document) are declared in ELSEWHERE by URL name.

Relations (`of=`) concern the record named in the path; a route without one acts on the
acting organisation's own data:
  VISIBLE     the record is visible to the acting organisation (core.tenancy) — the default
  REGISTERED  the organisation registered the household
  LEAD        the organisation leads the record's programme
  SUPPLIER    the organisation is the supplier of the record's programme
  COLLECTOR   the organisation collects the money of the record's household or contract
  ASSIGNED    the acting user is the technician the visit is assigned to
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

VISIBLE = "visible"
REGISTERED = "registered"
LEAD = "lead"
SUPPLIER = "supplier"
COLLECTOR = "collector"
ASSIGNED = "assigned"
RELATIONS = frozenset({VISIBLE, REGISTERED, LEAD, SUPPLIER, COLLECTOR, ASSIGNED})


@dataclass(frozen=True)
class Grant:
    permission: str
    of: frozenset[str]
    methods: frozenset[str] | None = None  # None: every method

    def covers(self, method: str) -> bool:
        return self.methods is None or method.upper() in self.methods


@dataclass(frozen=True)
class Access:
    login: bool  # False: public
    grants: tuple[Grant, ...] = ()  # none: any member of an organisation (when login)


PUBLIC = Access(login=False)
LOGIN_ONLY = Access(login=True)


def needs(
    permission: str,
    *,
    of: str | tuple[str, ...] = VISIBLE,
    methods: tuple[str, ...] | None = None,
) -> Callable[[F], F]:
    """The route needs `permission` (core.permissions) and one of the relations `of`; with
    `methods`, only for those HTTP methods (a form page read with one permission and
    saved with another)."""
    relations = frozenset((of,) if isinstance(of, str) else of)
    only = frozenset(m.upper() for m in methods) if methods else None
    if not relations <= RELATIONS:
        raise ValueError(f"unknown relation in {sorted(relations)}")

    def declare(func: F) -> F:
        before: Access | None = getattr(func, "access", None)
        if before is not None and not before.grants:
            raise TypeError(f"{func.__qualname__} is public or login only, and needs more")
        grants = (before.grants if before else ()) + (Grant(permission, relations, only),)
        func.access = Access(login=True, grants=grants)  # type: ignore[attr-defined]
        return func

    return declare


def _declare(func: F, access: Access) -> F:
    if hasattr(func, "access"):
        raise TypeError(f"{func.__qualname__} declares its access twice")
    func.access = access  # type: ignore[attr-defined]
    return func


def public(func: F) -> F:
    return _declare(func, PUBLIC)


def login_only(func: F) -> F:
    return _declare(func, LOGIN_ONLY)


# Views of Django and Ninja, by URL name.
ELSEWHERE: dict[str, Access] = {
    "login": PUBLIC,
    "logout": PUBLIC,
    "set_language": PUBLIC,
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
}


def declared(view: Any) -> Access | None:
    """The declaration of a view or API handler; Django's decorators (login_required,
    require_POST) copy the attribute onto their wrapper."""
    return getattr(view, "access", None)
