"""Regenerate the screenshots in docs/img/ from a running demo instance.

The pictures show the synthetic demo data only. Start a throw-away instance first:

    export WIJK_VAR_DIR=/tmp/wijk-docs WIJK_DEBUG=1
    .venv/bin/pybabel compile -d locale -D django
    .venv/bin/python manage.py migrate -v0
    .venv/bin/python manage.py demo_data            # prints the resident link /r/<key>/
    .venv/bin/python manage.py runserver 127.0.0.1:8123 --noreload &

then run, from the repository root:

    .venv/bin/python docs/screenshots.py [BASE_URL] [--resident /r/<key>/]

BASE_URL defaults to http://127.0.0.1:8123. Without --resident the script reads the demo
household's link from the database of WIJK_VAR_DIR (the PIN of the demo is always 123456).
Pages are opened as a Dutch-speaking user (browser locale nl-BE), so the pictures show the
default language. Records are found by the demo's fixed names, not by database ids.
"""

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, FloatRect, Page, ViewportSize, sync_playwright

HERE = Path(__file__).resolve().parent
IMG = HERE / "img"
CHROMIUM = os.environ.get("WIJK_CHROMIUM", "/usr/bin/chromium")
# The same flags as the end-to-end tests (conftest.py): root user, closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "wijk-demo"
RESIDENT_PIN = "123456"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
MAX_BYTES = 300_000

# Demo records, by the names the demo data always gives them.
RENTAL_PROGRAMME = "Huishoudtoestellen huren West-Vlaanderen"
HOUSEHOLD_QUERY, HOUSEHOLD_ROW = "Peeters", "Peeters, Johannes"
SEARCH_QUERY = "Vlaanderenstraat"


class Shooter:
    def __init__(self, browser: Browser, base: str, resident: str | None) -> None:
        self.browser = browser
        self.base = base.rstrip("/")
        self.resident = resident
        self.sizes: dict[str, int] = {}

    @contextmanager
    def session(self, username: str | None, *, phone: bool = False) -> Iterator[Page]:
        """A fresh browser context, logged in as `username` (None: not logged in)."""
        context = self.browser.new_context(
            locale="nl-BE",
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            if username:
                page.goto(self.url("/accounts/login/"))
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_load_state()
                if "/accounts/login/" in page.url:
                    raise SystemExit(f"Could not log in as {username!r}: is the demo loaded?")
            yield page
        finally:
            context.close()

    def url(self, path: str) -> str:
        return self.base + path

    def go(self, page: Page, path: str) -> None:
        response = page.goto(self.url(path))
        if response is None or response.status >= 400:
            status = response.status if response else "no response"
            raise SystemExit(f"{path} answered {status}")

    def follow(self, page: Page, selector: str) -> None:
        """Click the first link that matches and wait for the page it opens."""
        page.locator(selector).first.click()
        page.wait_for_load_state()

    def shoot(self, page: Page, name: str, *, clip_height: int | None = None) -> None:
        page.wait_for_load_state("networkidle")
        path = IMG / name
        width = (page.viewport_size or DESKTOP)["width"]
        if clip_height:
            # Taller than the window: the top of the whole page, down to clip_height.
            page.screenshot(
                path=str(path),
                type="png",
                full_page=True,
                clip={"x": 0, "y": 0, "width": width, "height": clip_height},
            )
        else:
            page.screenshot(path=str(path), type="png")
        size = path.stat().st_size
        if size > MAX_BYTES:
            # A busy page: keep the top part only, so the repository stays small.
            height = (page.viewport_size or DESKTOP)["height"] * 2 // 3
            clip: FloatRect = {"x": 0, "y": 0, "width": width, "height": height}
            page.screenshot(path=str(path), type="png", clip=clip)
            size = path.stat().st_size
        self.sizes[name] = size
        print(f"{name:28} {size / 1000:6.0f} kB  {page.url}")

    # ------------------------------------------------------------------ per role

    def open_household(self, page: Page) -> None:
        self.go(page, f"/households/?q={HOUSEHOLD_QUERY}")
        self.follow(page, f"main a:text-is('{HOUSEHOLD_ROW}')")

    def coordinator(self) -> None:
        with self.session("coordinator") as page:
            self.go(page, "/")
            self.shoot(page, "home-coordinator.png")

            self.go(page, "/programmes/")
            self.follow(page, f"main a:text-is('{RENTAL_PROGRAMME}')")
            self.shoot(page, "programme.png")

            self.follow(page, "main a[href^='/rentals/programmes/']")  # the rental set-up
            self.follow(page, "main nav a[href$='/waiting/']")
            self.shoot(page, "waiting-list.png", clip_height=1250)

            self.go(page, "/rentals/collection/")
            self.follow(page, "main a[href$='/dashboard/']")
            self.shoot(page, "rental-dashboard.png")

    def intake(self) -> None:
        with self.session("intake") as page:
            self.go(page, "/households/")
            page.fill("input[name=q]", SEARCH_QUERY)
            page.press("input[name=q]", "Enter")
            page.wait_for_url(f"**q={SEARCH_QUERY}**")
            self.shoot(page, "households-search.png")

            self.open_household(page)
            # Down to the programme and its eligibility decision, rule by rule.
            self.shoot(page, "household.png", clip_height=1250)
            household_url = page.url

            self.follow(page, "main a[href^='/rentals/collection/households/']")
            self.shoot(page, "household-money.png")

            page.goto(household_url)
            self.follow(page, "main a[href^='/rentals/households/']")
            self.follow(page, "main a[href^='/rentals/contracts/']")
            self.shoot(page, "contract.png")

            self.go(page, "/rentals/collection/imports/")
            self.follow(page, "main table a[href^='/rentals/collection/imports/']")
            self.shoot(page, "bank-import.png")

    def technician(self) -> None:
        with self.session("technician", phone=True) as page:
            self.go(page, "/rentals/today/")
            self.shoot(page, "technician-today.png", clip_height=1500)

    def org_admin(self) -> None:
        with self.session("orgadmin") as page:
            # Changes only: the newest events are otherwise this script's own page views.
            self.go(page, "/audit/?action=change")
            self.shoot(page, "audit-log.png")

    def job_coach(self) -> None:
        with self.session("jobcoach") as page:
            self.go(page, "/")
            self.shoot(page, "home-jobcoach.png")

    def worker(self) -> None:
        with self.session("worker", phone=True) as page:
            self.go(page, "/")
            self.shoot(page, "home-worker.png")

    def resident_page(self) -> None:
        if not self.resident:
            print("resident.png               skipped: no resident link (use --resident)")
            return
        with self.session(None, phone=True) as page:
            self.go(page, self.resident)
            page.fill("input[name=pin]", RESIDENT_PIN)
            page.click("main button[type=submit]")
            page.wait_for_url("**/home/")
            # The demo household reads English; the guides show the Dutch page.
            page.goto(page.url.split("?")[0] + "?lang=nl")
            self.shoot(page, "resident.png", clip_height=1700)

    def api_docs(self) -> None:
        """Optional: the API docs load Swagger UI from a CDN, so offline they stay empty."""
        with self.session("coordinator") as page:
            self.go(page, "/api/v1/docs")
            try:
                page.wait_for_selector("#swagger-ui .information-container", timeout=5_000)
            except Exception:
                print("api-docs.png               skipped: Swagger UI did not load (offline?)")
                return
            self.shoot(page, "api-docs.png")


def resident_link_from_database() -> str | None:
    """The demo household's resident link, read from the local database (WIJK_VAR_DIR)."""
    sys.path.insert(0, str(HERE.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijk.settings")
    try:
        import django

        django.setup()
        from rentals.models import ResidentAccess

        access = ResidentAccess.objects.order_by("-created_at").first()
    except Exception as exc:  # no database here: the caller says how to pass the link
        print(f"Could not read the resident link from the database: {exc}")
        return None
    return f"/r/{access.key}/" if access else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8123")
    parser.add_argument("--resident", help="the demo resident link, /r/<key>/")
    parser.add_argument("--only", nargs="*", help="run only these roles (e.g. intake)")
    args = parser.parse_args(argv)

    resident = args.resident or resident_link_from_database()
    IMG.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        shooter = Shooter(browser, args.base, resident)
        steps: dict[str, Callable[[], Any]] = {
            "coordinator": shooter.coordinator,
            "intake": shooter.intake,
            "technician": shooter.technician,
            "orgadmin": shooter.org_admin,
            "jobcoach": shooter.job_coach,
            "worker": shooter.worker,
            "resident": shooter.resident_page,
            "api": shooter.api_docs,
        }
        for name, step in steps.items():
            if not args.only or name in args.only:
                step()
        browser.close()
    too_big = [name for name, size in shooter.sizes.items() if size > MAX_BYTES]
    if too_big:
        print(f"Larger than {MAX_BYTES // 1000} kB: {', '.join(too_big)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
