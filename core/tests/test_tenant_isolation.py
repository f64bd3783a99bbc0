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
"""

from typing import Any

from django.test import override_settings

from core.models import Role
from core.tests.walk import WalkTestCase, api_routes, page_routes

REFUSED = {403, 404, 405}
# Pages for residents without an account: they open with a secret link and a PIN, so they
# answer everyone (a PIN form) and must show nothing before the PIN is right.
PUBLIC_PREFIXES = ("/r/",)


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

    def test_the_world_holds_the_secrets_the_walk_looks_for(self) -> None:
        # Otherwise the walk would look for strings no page could ever show.
        self.login("ines")
        page: Any = self.client.get(f"/rentals/contracts/{self.contract.pk}/")
        text = page.content.decode()
        for secret in ("Jansens", self.contract.payment_reference, "Huishoudtoestellen huren"):
            self.assertIn(secret, text)
