"""Walks every route of the site — pages and API, every method — as every role of a stranger
organisation (arnhem), with valid requests, looking for the victims' data.

The victims are ocmw (which registered jansens and collects for it) and the lead (whose
programme jansens is enrolled in); the world is core/tests/walk.py. Each request carries a
valid body (core/tests/walk.py: PAGE_REQUESTS, API_BODIES), so a write route that fetches
another organisation's record without scoping cannot hide behind a form error. Then:

- a route with a record in its path must refuse (403, 404 or 405) and write nothing;
- no answer, whatever its status (a 400 page too), may show a victim's secret;
- no answer is a 5xx.

A route whose path names a parameter the walk has no record for fails the test, so no route
escapes it.

A second pass asks about claes instead (core/tests/walk.py): a household of ocmw enrolled in
the lead's rental programme (contract, charge, payment, arrears step) and in arnhem's job
bureau. arnhem may see claes, so these routes may answer; no answer may show claes's rental
money (or any other secret), be a 5xx or write to a money table. Each route with one of
claes's records in its path is sent once per alternative of its declaration, as the first
arnhem role that holds the permission (a role that holds none is refused on its role, which
the role matrix checks), with its declared methods and valid bodies: about a hundred requests.
"""

from typing import Any

from django.test import override_settings

from core.models import Role
from core.permissions import PERMISSIONS
from core.tests.walk import (
    CLAES_ARREARS,
    CLAES_PAYMENT,
    Identity,
    Route,
    WalkTestCase,
    api_routes,
    page_routes,
)

REFUSED = {403, 404, 405}
# Pages for residents without an account: they open with a secret link and a PIN, so they
# answer everyone (a PIN form) and must show nothing before the PIN is right.
PUBLIC_PREFIXES = ("/r/",)
# The tables of a household's rental money: the lead of another programme never writes them.
MONEY_TABLES = frozenset(
    {
        "rentals_payment",
        "rentals_allocation",
        "rentals_arrearsstep",
        "rentals_charge",
        "rentals_contract",
        "rentals_residentaccess",
        "rentals_monthtotal",
        "rentals_openhousehold",
    }
)
# The order in which the second pass picks the arnhem role that holds a route's permission.
ROLE_ORDER = (
    Role.COORDINATOR,
    Role.ORG_ADMIN,
    Role.INTAKE_WORKER,
    Role.VIEWER,
    Role.JOB_COACH,
    Role.TECHNICIAN,
    Role.NEIGHBOURHOOD_WORKER,
)


class TenantIsolationTest(WalkTestCase):
    def find_leaks(self, only: str = "", beside_matrix: bool = False) -> tuple[list[str], int]:
        """Problems found, and requests sent; `only`: routes whose path starts with it.

        beside_matrix: leave out the requests the role matrix already sends as the stranger
        (it checks those answers for the same secrets, refusals and writes): only public
        routes and the methods a page does not take are sent here."""
        problems: list[str] = []
        sent = 0
        objects = self.objects()
        secrets = self.secrets()
        routes = [r for r in page_routes() + api_routes() if r.template.startswith(only)]
        attackers = [i for i in self.identities if i.organisation == self.arnhem]
        self.assertEqual({i.role for i in attackers}, set(Role.values))
        with self.walking():
            for route in routes:
                url = route.url(objects)
                if url is None:
                    problems.append(
                        f"{route.template}: unknown path parameter; add a record of another "
                        "organisation for it to objects() in core/tests/walk.py"
                    )
                    continue
                has_record = route.record_parameter() is not None and not route.template.startswith(
                    PUBLIC_PREFIXES
                )
                methods = list(route.methods)
                if not route.api and has_record:
                    # Every method: a page that takes only GET must refuse a POST too.
                    methods += [m for m in ("GET", "POST") if m not in methods]
                if beside_matrix and route.access is not None and route.access.login:
                    methods = [m for m in methods if m not in route.methods]
                for identity in attackers:
                    self.identity = identity
                    client = self.client_for(identity)
                    for method in methods:
                        body = self.body_for(route, method)
                        response, written = self.send(client, route, method, url, body)
                        sent += 1
                        who = f"{method} {url} as {identity.role}"
                        status = response.status_code
                        if has_record and status not in REFUSED:
                            problems.append(f"{who}: answered {status}, not a refusal")
                        if status >= 500:
                            problems.append(f"{who}: answered {status}")
                        body_text = response.content.decode(errors="replace")
                        problems += [f"{who}: shows {s!r}" for s in secrets if s in body_text]
                        if has_record and written:
                            problems.append(f"{who}: wrote to {sorted(set(written))}")
        return problems, sent

    def senders(self, route: Route, method: str, attackers: list[Identity]) -> list[Identity]:
        """One arnhem identity per alternative of the route's declaration for the method: the
        first role (ROLE_ORDER) holding its permission; the coordinator when any member may."""
        by_role = {i.role: i for i in attackers}
        if route.access is None or not route.access.grants:
            return [by_role[Role.COORDINATOR]]
        chosen: list[Identity] = []
        for grant in route.access.grants:
            if not grant.covers(method):
                continue
            holders = PERMISSIONS[grant.permission]
            role = next((r for r in ROLE_ORDER if r in holders), None)
            if role is not None and by_role[role] not in chosen:
                chosen.append(by_role[role])
        return chosen

    def find_money_leaks(self, only: str = "") -> tuple[list[str], int]:
        """The second pass: routes about claes's records, as arnhem (module docstring);
        `only`: routes whose path starts with it."""
        problems: list[str] = []
        sent = 0
        objects = self.money_of_another_lead()
        changed = {k for k, v in objects.items() if self.objects().get(k) is not v}
        # ocmw registered claes: its name is on claes's household page, rightly.
        secrets = [s for s in self.secrets() if s != "OCMW Brugge"]
        attackers = [i for i in self.identities if i.organisation == self.arnhem]
        routes = [
            r
            for r in page_routes() + api_routes()
            if changed & set(r.parameters)
            and r.template.startswith(only)
            and not r.template.startswith(PUBLIC_PREFIXES)
        ]
        with self.walking():
            for route in routes:
                url = route.url(objects)
                if url is None:
                    problems.append(f"{route.template}: unknown path parameter")
                    continue
                for method in route.methods:
                    for identity in self.senders(route, method, attackers):
                        self.identity = identity
                        body = self.body_for(route, method)
                        client = self.client_for(identity)
                        response, written = self.send(client, route, method, url, body)
                        sent += 1
                        who = f"{method} {url} as {identity.role}"
                        if response.status_code >= 500:
                            problems.append(f"{who}: answered {response.status_code}")
                        text = response.content.decode(errors="replace")
                        problems += [f"{who}: shows {s!r}" for s in secrets if s in text]
                        money = sorted(set(written) & MONEY_TABLES)
                        if money:
                            problems.append(f"{who}: wrote to {money}")
        return problems, sent

    def test_the_lead_of_another_programme_gets_none_of_the_households_money(self) -> None:
        # claes is visible to arnhem: the household routes may answer, its money never shows.
        self.login("otto")
        self.assertContains(self.client.get(f"/households/{self.claes.pk}/"), "Claes")
        problems, sent = self.find_money_leaks()
        self.assertEqual(problems, [], "\n" + "\n".join(problems))
        self.assertGreater(sent, 50)

    def test_every_route_refuses_another_organisation(self) -> None:
        # With the role matrix (which sends every declared request as the stranger's roles
        # and checks the same), this covers every route with every method.
        problems, sent = self.find_leaks(beside_matrix=True)
        self.assertEqual(problems, [], "\n" + "\n".join(problems))
        self.assertGreater(sent, 300)

    @override_settings(ROOT_URLCONF="core.tests.leaky_urls")
    def test_the_walk_catches_routes_that_forget_scoping(self) -> None:
        problems, _sent = self.find_leaks(only="/leak")
        leak = f"/leak/{self.jansens.pk}/"
        write = f"/leak-write/{self.jansens.pk}/"
        role = f"/leak-role/{self.jansens.pk}/"

        def found(text: str) -> bool:
            return any(text in p for p in problems)

        self.assertTrue(found(f"GET {leak} as coordinator: answered 200, not a refusal"))
        self.assertTrue(found(f"GET {leak} as viewer: shows 'Jansens'"))
        self.assertTrue(found("GET /leak-list/ as coordinator: shows 'Jansens'"))
        self.assertTrue(any(p.startswith("/leak-unknown/") for p in problems))
        # A write that fetches unscoped: with a valid body it changes the victim's record...
        self.assertTrue(found(f"POST {write} as coordinator: answered 302, not a refusal"))
        self.assertTrue(found(f"POST {write} as coordinator: wrote to ['households_household']"))
        # ...and when the body is refused, its 400 page names the victim.
        self.assertTrue(found(f"GET {write} as coordinator: answered 400, not a refusal"))
        self.assertTrue(found(f"GET {write} as coordinator: shows 'Jansens'"))
        # A role check without tenant scoping: a coordinator is refused on role (the old walk,
        # with one coordinator attacker, saw nothing); the stranger's org admin gets through.
        self.assertFalse(found(f"{role} as coordinator"))
        self.assertTrue(found(f"GET {role} as org_admin: shows 'Kerkstraat'"))
        # leak-no-role scopes correctly: a stranger sees nothing (the matrix catches its
        # missing role check); nothing is reported about the real routes.
        self.assertFalse(found("/leak-no-role/"))
        self.assertEqual([p for p in problems if "/leak" not in p], [])

    @override_settings(ROOT_URLCONF="core.tests.leaky_urls")
    def test_the_second_pass_catches_money_shown_through_the_household(self) -> None:
        problems, _sent = self.find_money_leaks(only="/leak")
        money = f"/leak-money/{self.claes.pk}/"
        self.assertIn(f"GET {money} as coordinator: shows {CLAES_PAYMENT!r}", problems)
        # The first pass asks about jansens, whom arnhem does not see: it finds nothing there.
        first, _sent = self.find_leaks(only="/leak-money")
        self.assertEqual(first, [])

    def test_the_world_holds_the_secrets_the_walk_looks_for(self) -> None:
        # Otherwise the walk would look for strings no page could ever show.
        self.login("ines")
        page: Any = self.client.get(f"/rentals/contracts/{self.contract.pk}/")
        text = page.content.decode()
        for secret in ("Jansens", self.contract.payment_reference, "Huishoudtoestellen huren"):
            self.assertIn(secret, text)
        # claes's money as its collector sees it.
        url = f"/rentals/collection/households/{self.claes.pk}/"
        text = self.client.get(url).content.decode()
        for secret in (CLAES_PAYMENT, CLAES_ARREARS):
            self.assertIn(secret, text)
        text = self.client.get(f"/rentals/contracts/{self.claes_contract.pk}/").content.decode()
        self.assertIn(self.claes_contract.payment_reference, text)
