"""Accessibility: axe-core in a real Chromium over every page of every role, at 1280 and 360 px.

The world is the route walk's (core/tests/walk.py): its route list and its records give every
page route a URL. Each role gets one browser context (its own session) and opens once each
page route the role is declared to reach (core.access, as the route matrix reads it) that
answers 200 with an HTML page. axe-core checks it against the WCAG 2.0, 2.1 and 2.2 A and AA
rules at 1280 px, then at 360 px the rules whose answer depends on the layout (contrast over
what lies behind, scroll boxes, target sizes) plus every rule on the header, the one part
whose content changes with the width (the phone menu). Any violation of impact "serious" or
"critical" fails the test, listed with the rule, the page and the elements. Each URL is first
fetched with the role's cookies outside the browser: only a 200 HTML page is opened, and a page
whose HTML is the same as one already checked, for this role or another (CSRF tokens aside), is
not opened again.

Left out: files (PDF, JSON, Excel) and Django Ninja's own API pages (Swagger UI and the
OpenAPI document, a developer tool served as Ninja ships it).

axe-core comes from the npm registry, pinned in package.json and package-lock.json at the
repository root (`npm ci` installs it into node_modules/); it is never copied into the
repository. Without node_modules the test is skipped locally and fails in CI
(WIJK_REQUIRE_BROWSER), like the other browser tests without Chromium.

The resident page (link and PIN, no account) is checked as a resident who opened it with the
PIN; the login page and the PIN page anonymously.
"""

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from core.models import Role
from core.tests.test_route_matrix import allowed
from core.tests.walk import Identity, Route, WalkTestCase, page_routes
from rentals.services.resident import resident_access_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# Rules whose answer changes with the layout, run again at 360 px on the whole page.
LAYOUT_RULES = [
    "color-contrast",
    "scrollable-region-focusable",
    "target-size",
    "link-in-text-block",
]
FAILING = {"serious", "critical"}
HEADER = re.compile(r'<header class="site-header">.*?</header>', re.S)
# One member per role, in the organisation where that role has the most to see: the lead's
# coordinator, job coach and neighbourhood worker; the welfare office that registers and
# collects for the intake worker, org admin and viewer; the supplier's technician.
ROLES = {
    Role.COORDINATOR: "lead",
    Role.JOB_COACH: "lead",
    Role.NEIGHBOURHOOD_WORKER: "lead",
    Role.INTAKE_WORKER: "ocmw",
    Role.ORG_ADMIN: "ocmw",
    Role.VIEWER: "ocmw",
    Role.TECHNICIAN: "supplier",
}
# The roles in three tests, so that pytest-xdist spreads the browser work over the cores; the
# anonymous and resident pages go with the second group.
ROLE_GROUPS = (
    (Role.COORDINATOR,),
    (Role.JOB_COACH, Role.NEIGHBOURHOOD_WORKER, Role.TECHNICIAN),
    (Role.INTAKE_WORKER, Role.ORG_ADMIN, Role.VIEWER),
)
RESIDENT = ("resident:home", "resident:breakdown", "resident:breakdown_sent")
FILE = re.compile(r"\.\w+$")  # a path ending in .pdf, .json, .xlsx: a file, not a page

AXE_RUN = """([context, options]) => !document.querySelector(context) ? [] :
axe.run(context, options).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
})))"""


class World(WalkTestCase):
    """The walk's world, built inside this transactional test (the live server must see it
    committed) instead of in a TestCase's setUpTestData."""


class Checker:
    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.found: list[str] = []
        self.checked = 0

    def run(self, page: Any, where: str, context: Any, rules: list[str] | None) -> None:
        options: dict[str, Any] = {"resultTypes": ["violations"]}
        if rules:
            options["runOnly"] = {"type": "rule", "values": rules}
        else:
            options["runOnly"] = {"type": "tag", "values": TAGS}
        for v in page.evaluate(AXE_RUN, [context, options]):
            if v["impact"] in FAILING:
                self.found.append(
                    f"{where}: {v['impact']} {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
                )

    def check(self, page: Any, url: str, label: str) -> bool:
        """Open and check the page; False when it is not a 200 HTML page for this role.

        The page is first fetched with the context's own cookies, without the browser: a file
        (a PDF shown inline, an attachment) or a refusal is never opened, and a page whose HTML
        was already checked (for this role or another) is not opened again."""
        response = page.request.get(url)
        if response.status != 200:
            return False
        if not response.headers.get("content-type", "").startswith("text/html"):
            return False
        if not self.first_time(response.text()):
            return True
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url)
        # Parts htmx loads once the page is there (hx-trigger="load"): checked when they are in.
        page.wait_for_function("!document.querySelector('.htmx-request')")
        self.run_axe(page, url, label)
        return True

    def first_time(self, html: str) -> bool:
        html = re.sub(r"[A-Za-z0-9]{64}", "", html)  # CSRF tokens differ per session
        # The header differs per role (name, menu) on every page: a page whose rest was
        # checked already, under another role's header, is not opened again. Each role's
        # header is still checked on each page of that role whose content is new.
        html = HEADER.sub("", html, count=1)
        digest = hashlib.sha256(html.encode()).hexdigest()
        if digest in self.seen:
            return False
        self.seen.add(digest)
        return True

    def check_shown(self, page: Any, url: str, label: str) -> None:
        """Check the page the browser shows now (after a form sent)."""
        if self.first_time(page.content()):
            page.set_viewport_size({"width": 1280, "height": 900})
            self.run_axe(page, url, label)

    def run_axe(self, page: Any, url: str, label: str) -> None:
        self.checked += 1
        path = url.split("/", 3)[-1]
        self.run(page, f"{label} /{path} @1280px", "html", None)
        page.set_viewport_size({"width": 360, "height": 780})
        self.run(page, f"{label} /{path} @360px", "html", LAYOUT_RULES)
        self.run(page, f"{label} /{path} @360px", ".site-header", None)


def _new_page(browser: Any) -> Any:
    context = browser.new_context(locale="nl-BE")
    context.add_init_script(path=str(AXE))  # in every page, before its own scripts
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _routes_of(identity: Identity, routes: list[Route], objects: dict[str, Any]) -> list[str]:
    urls = []
    for route in routes:
        name = route.record_parameter()
        record = objects.get(name) if name else None
        if name == "label_code":  # a unit named by its label
            record = objects["unit_pk"]
        if route.access is not None and allowed(route.access, identity, "GET", record) is True:
            url = route.url(objects)
            if url is not None:
                urls.append(url)
    return urls


@pytest.mark.parametrize("group", range(len(ROLE_GROUPS)))
def test_every_page_of_every_role_has_no_serious_violation(
    live_server: Any, browser: Any, group: int
) -> None:
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci` at the repository root"
        if os.environ.get("WIJK_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    World.setUpTestData()
    world = World("setUp")
    objects = world.objects()
    base = live_server.url
    routes = {
        r.key: r
        for r in page_routes()
        if "GET" in r.methods
        and not r.key.startswith(("leak_", "api:", "^api"))
        and not FILE.search(r.template)
    }
    staff = [r for r in routes.values() if r.access is not None and r.access.login]
    checker = Checker()
    pages = 0
    for role in ROLE_GROUPS[group]:
        org = ROLES[role]
        identity = next(i for i in World.identities if i.label == f"{org} {role}")
        page = _new_page(browser)
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": _session(world, identity),
                    "url": base,
                }
            ]
        )
        for url in _routes_of(identity, staff, objects):
            pages += checker.check(page, base + url, identity.label)
        page.context.close()

    assert pages > 15, pages  # the walk's staff pages were reached, not refused
    if group != 1:
        assert not checker.found, "\n".join(checker.found)
        return
    # Anonymous: the login page and the resident's PIN page; then the resident, with the PIN.
    page = _new_page(browser)
    assert checker.check(page, base + routes["login"].template, "anonymous")
    key, pin = resident_access_issue(acting=World.acting_of(World.ines), household=World.jansens)
    assert checker.check(page, f"{base}/r/{key}/", "anonymous")
    page.fill("input[name=pin]", pin)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/r/{key}/home/")
    for name in RESIDENT:
        assert checker.check(page, base + routes[name].template.replace("<key>", key), "resident")
    # The breakdown form sent empty: its error messages too.
    page.goto(f"{base}/r/{key}/breakdown/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".errorlist").count() > 0
    checker.check_shown(page, f"{base}/r/{key}/breakdown/", "resident (errors)")
    page.context.close()

    assert not checker.found, "\n".join(checker.found)


def _session(world: World, identity: Identity) -> str:
    client = world.client_for(identity)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_the_header_is_compact_on_a_phone_and_its_menu_opens_without_javascript(
    live_server: Any, browser: Any
) -> None:
    """At 360 × 780 the header takes well under 200 px before the content; "Menu" opens the
    menu with JavaScript off; at 1280 px the menu is shown without opening anything."""
    from wijk.testing import PASSWORD, build_cast

    class Cast:
        pass

    build_cast(Cast)
    base = live_server.url
    context = browser.new_context(
        locale="nl-BE", java_script_enabled=False, viewport={"width": 360, "height": 780}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", "cora")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(base + "/")
    header = page.locator(".site-header").bounding_box()
    main = page.locator("main h1").bounding_box()
    assert header is not None and main is not None
    assert header["height"] <= 130, header  # was 340-420 px before the Menu
    assert main["y"] < 200, main
    households = page.locator(".site-nav a", has_text="Huishoudens")
    assert not households.is_visible()
    page.locator(".site-menu > summary").click()
    assert households.is_visible()
    households.click()
    page.wait_for_url(base + "/households/")

    page.set_viewport_size({"width": 1280, "height": 900})
    assert not page.locator(".site-menu > summary").is_visible()
    page.goto(base + "/")
    assert page.locator(".site-nav a", has_text="Huishoudens").is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 200, header
    context.close()


def test_the_role_groups_hold_every_role_once() -> None:
    grouped = [role for group in ROLE_GROUPS for role in group]
    assert sorted(grouped) == sorted(ROLES) == sorted(Role.values)
