"""The role × route matrix: every page route and API operation answers as it declares.

Each route declares what it needs (core.access). This test sends a valid request to every
route, with every method it takes, as every role of each organisation of the world
(core/tests/walk.py: the lead, the registering and collecting welfare office, a referring
partner, the supplier, a stranger) and anonymously, and compares:

  declared allowed  → 2xx or 3xx (or 400/409/422 when the world's state refuses the valid
                      request on its merits, e.g. signing a contract that is already active);
  declared refused  → 403 or 404 (anonymous: 401, or a redirect to the login page) and
                      nothing written to the database.

A route that declares nothing fails. Each request runs in a transaction that is rolled back,
so every request meets the same world. Every answer to the stranger organisation (arnhem) is
also searched for the victims' secrets (the isolation walk's check, core/tests/
test_tenant_isolation.py, which sends only what this matrix does not). The routes are dealt
into PARTS tests so that pytest-xdist spreads them over the cores.
"""

from typing import Any
from unittest import mock

from django.conf import settings
from django.core.handlers import exception as exception_handling
from django.shortcuts import resolve_url
from django.test import override_settings
from django.urls import reverse

from core import permissions
from core.access import ASSIGNED, COLLECTOR, LEAD, REGISTERED, SUPPLIER, VISIBLE, Access
from core.models import Programme, ProgrammePartner
from core.tenancy import scoped
from core.tests.walk import Identity, Route, WalkTestCase, api_routes, page_routes
from households.models import Household

ON_THE_MERITS = {400, 409, 422}
# Eight parts: conftest.py deals each to a free worker on its own, heaviest first.
PARTS = 8


def _programme(record: Any) -> Programme | None:
    if isinstance(record, Programme):
        return record
    for attribute in ("programme", "contract", "application", "unit"):
        inner = getattr(record, attribute, None)
        if inner is not None and not isinstance(inner, str):
            return _programme(inner)
    return None


def _household(record: Any) -> Household | None:
    if isinstance(record, Household):
        return record
    for attribute in ("household", "contract"):
        inner = getattr(record, attribute, None)
        if inner is not None:
            return _household(inner)
    return None


def relation_holds(relation: str, identity: Identity, record: Any) -> bool:
    """Whether the identity's organisation has the relation to the route's record; for a
    route without a record: to any programme."""
    from rentals.models import Contract, RentalScheme, Visit

    org = identity.organisation
    assert org is not None
    if relation == VISIBLE:
        if record is None:
            return True
        acting = identity.acting
        assert acting is not None
        return scoped(type(record), acting).filter(pk=record.pk).exists()
    if relation == ASSIGNED:
        return isinstance(record, Visit) and record.technician_id == identity.user.pk
    if relation == REGISTERED:
        household = _household(record)
        return household is not None and household.organisation_id == org.pk
    programme = _programme(record)
    if relation == LEAD:
        if record is None:
            return Programme.objects.filter(lead_organisation=org).exists()
        return programme is not None and programme.lead_organisation_id == org.pk
    if relation == SUPPLIER:
        schemes = RentalScheme.objects.filter(supplier=org)
        if record is None:
            return schemes.exists()
        return programme is not None and schemes.filter(programme=programme).exists()
    if relation == COLLECTOR:
        household = _household(record)
        if household is not None:
            return Contract.objects.filter(household=household, collector=org).exists()
        if hasattr(record, "collector_id"):
            return bool(record.collector_id == org.pk)
        if hasattr(record, "bank_import"):
            return bool(record.bank_import.collector_id == org.pk)
        collects = RentalScheme.objects.filter(collector=org)
        partners = ProgrammePartner.objects.filter(organisation=org, role="collector")
        if programme is not None:
            collects = collects.filter(programme=programme)
            partners = partners.filter(programme=programme)
        return collects.exists() or partners.exists()
    raise AssertionError(relation)


def allowed(access: Access, identity: Identity, method: str, record: Any) -> bool | str:
    """True or False; a string when the declaration itself is wrong."""
    if not access.login:
        return True
    if identity.user is None:
        return False
    grants = [g for g in access.grants if g.covers(method)]
    if not access.grants:
        return True  # login only
    if not grants:
        return f"declares nothing for {method}"
    for grant in grants:
        roles = permissions.PERMISSIONS[grant.permission]
        if identity.role in roles and any(relation_holds(r, identity, record) for r in grant.of):
            return True
    return False


def _refused(identity: Identity, route: Route, response: Any) -> bool:
    if identity.user is None:
        if route.api:
            return response.status_code == 401
        return response.status_code == 302 and response["Location"].startswith(
            resolve_url(settings.LOGIN_URL)
        )
    return response.status_code in (403, 404)


class RouteMatrixTest(WalkTestCase):
    def matrix(self, only: str = "", part: int | None = None) -> tuple[list[str], int]:
        """Problems found, and requests sent; `only`: routes whose path starts with it; `part`:
        every PARTS-th route from this one on, in a fixed order."""
        problems: list[str] = []
        sent = 0
        objects = self.objects()
        secrets = self.secrets()
        routes = [r for r in page_routes() + api_routes() if r.template.startswith(only)]
        if part is not None:
            routes = sorted(routes, key=lambda r: r.key)[part::PARTS]
        # Only the stranger's answers are searched for secrets; the other identities' refusals
        # are judged by their status and what they wrote (WalkTestCase.walking).
        with self.walking(reads=lambda identity: identity.organisation == self.arnhem):
            for identity in self.identities:
                self.identity = identity
                client = self.client_for(identity)
                for route in routes:
                    if route.access is None:
                        if identity is self.identities[0]:
                            problems.append(f"{route.template}: declares nothing (core.access)")
                        continue
                    if not route.access.login:
                        continue  # public: the isolation walk checks what it shows
                    unknown = [
                        g.permission
                        for g in route.access.grants
                        if g.permission not in permissions.PERMISSIONS
                    ]
                    if unknown:
                        if identity is self.identities[0]:
                            problems.append(f"{route.template}: unknown permission {unknown}")
                        continue
                    url = route.url(objects)
                    if url is None:
                        if identity is self.identities[0]:
                            problems.append(f"{route.key}: a path parameter the walk lacks")
                        continue
                    name = route.record_parameter()
                    record = objects.get(name) if name else None
                    if name == "label_code":  # a unit named by its label
                        record = objects["unit_pk"]
                    for method in route.methods:
                        expected = allowed(route.access, identity, method, record)
                        if isinstance(expected, str):
                            if identity is self.identities[0]:
                                problems.append(f"{method} {route.template}: {expected}")
                            continue
                        body = self.body_for(route, method)
                        response, written = self.send(client, route, method, url, body)
                        sent += 1
                        if route.key == "logout":
                            client = self.client_for(identity)
                        status = response.status_code
                        if expected and not (200 <= status < 400 or status in ON_THE_MERITS):
                            problems.append(
                                f"{method} {route.template} as {identity.label}: declared "
                                f"allowed, answered {status}"
                            )
                        if not expected and not _refused(identity, route, response):
                            problems.append(
                                f"{method} {route.template} as {identity.label}: declared "
                                f"refused, answered {status}"
                            )
                        if not expected and written:
                            problems.append(
                                f"{method} {route.template} as {identity.label}: refused, but "
                                f"wrote to {sorted(set(written))}"
                            )
                        if identity.organisation == self.arnhem:
                            text = response.content.decode(errors="replace")
                            problems += [
                                f"{method} {url} as {identity.label}: shows {s!r}"
                                for s in secrets
                                if s in text
                            ]
        return problems, sent

    def check_part(self, part: int) -> None:
        problems, sent = self.matrix(part=part)
        self.assertGreater(sent, 600)
        self.assertEqual(problems, [], "\n" + "\n".join(problems))

    def test_every_route_answers_every_role_as_declared_part_1(self) -> None:
        self.check_part(0)

    def test_every_route_answers_every_role_as_declared_part_2(self) -> None:
        self.check_part(1)

    def test_every_route_answers_every_role_as_declared_part_3(self) -> None:
        self.check_part(2)

    def test_every_route_answers_every_role_as_declared_part_4(self) -> None:
        self.check_part(3)

    def test_every_route_answers_every_role_as_declared_part_5(self) -> None:
        self.check_part(4)

    def test_every_route_answers_every_role_as_declared_part_6(self) -> None:
        self.check_part(5)

    def test_every_route_answers_every_role_as_declared_part_7(self) -> None:
        self.check_part(6)

    def test_every_route_answers_every_role_as_declared_part_8(self) -> None:
        self.check_part(7)

    def test_there_is_a_test_for_every_part(self) -> None:
        self.assertEqual(
            [n for n in dir(self) if n.startswith("test_every_route_answers")],
            [f"test_every_route_answers_every_role_as_declared_part_{p + 1}" for p in range(PARTS)],
        )

    def test_refusal_pages_are_copied_only_where_the_walk_does_not_read_them(self) -> None:
        """While walking, Django's 403/404 page is rendered once per identity and status and
        then copied, except for the stranger, whose every answer is searched for secrets."""
        rendered: list[int] = []
        real = exception_handling.get_exception_response

        def counted(request: Any, resolver: Any, status_code: int, exception: Any) -> Any:
            rendered.append(status_code)
            return real(request, resolver, status_code, exception)

        by_label = {identity.label: identity for identity in self.identities}
        asks = (
            ("supplier technician", reverse("programme_list"), 403, 1),
            ("arnhem coordinator", reverse("programme_detail", args=[self.rental.pk]), 404, 3),
        )
        # Counted outside, so the walk's own patch sees the counting one as the real handler.
        with (
            mock.patch.object(exception_handling, "get_exception_response", counted),
            self.walking(reads=lambda identity: identity.organisation == self.arnhem),
        ):
            for label, url, status, renders in asks:
                self.identity = by_label[label]
                client = self.client_for(self.identity)
                rendered.clear()
                answers = [client.get(url) for _ in range(3)]
                self.assertEqual([a.status_code for a in answers], [status] * 3)
                self.assertEqual(rendered, [status] * renders, label)
                self.assertTrue(all(b"<h1>" in a.content for a in answers))
                if renders == 1:  # the copies are the page rendered first
                    self.assertEqual({a.content for a in answers}, {answers[0].content})

    @override_settings(ROOT_URLCONF="core.tests.leaky_urls")
    def test_the_matrix_catches_an_undeclared_route_and_a_missing_role_check(self) -> None:
        problems, _sent = self.matrix(only="/leak")
        self.assertIn("/leak-undeclared/: declares nothing (core.access)", problems)
        # Scoped, but no role check: a technician of the registering organisation reads it.
        self.assertIn(
            "GET /leak-no-role/<household_pk>/ as ocmw technician: declared refused, answered 200",
            problems,
        )
        self.assertIn(
            "POST /leak-no-role/<household_pk>/ as ocmw viewer: declared refused, answered 302",
            problems,
        )
        self.assertTrue(
            any("refused, but wrote to ['households_household']" in p for p in problems)
        )
        # Allowed for any member, but unscoped: the stranger's answer shows the victim.
        self.assertIn("GET /leak-list/ as arnhem viewer: shows 'Jansens'", problems)
