"""Counts leave the organisation rounded to a multiple of 5 on the public practice page and in
the feed, live figures and typed-in results alike (docs/impact.md)."""

from datetime import date
from decimal import Decimal

from core.programmes import Figure, ProgrammeApp, registry
from core.tenancy import acting_for
from practices.tests.helpers import make_practice
from wijk.testing import WijkTestCase, clock_at


def _twelve(programme, day):
    return [Figure("workers_active", "Workers active", 12, "persons")]


TWELVE = ProgrammeApp(label="fake-twelve", impact_at=(_twelve,))


def _precise(programme, day):
    return [
        Figure("kwh_precise", "kWh precise", Decimal("1234.5678"), "kWh", about=12),
        Figure("eur_precise", "EUR precise", Decimal("987.654"), "EUR", about=12),
        Figure("rate_precise", "Rate precise", Decimal("12.3456"), "%", about=12),
    ]


PRECISE = ProgrammeApp(label="fake-precise", impact_at=(_precise,))


@clock_at(date(2026, 6, 15))
class RoundedOutsideTest(WijkTestCase):
    client_language = "en"

    def test_the_public_page_and_the_feed_round_counts(self):
        practice = make_practice(acting_for(self.cora), programme=self.rental)
        with registry.registered(TWELVE):
            page = self.client.get(f"/practices/p/{practice.pk}/")
            self.assertContains(page, "Workers active: 10 persons")
            self.assertNotContains(page, "Workers active: 12")
            # The typed-in 48 households (helpers.make_practice) go out as 50.
            self.assertContains(page, "Gezinnen met een toestel: 50 households")
            self.assertContains(page, "rounded to a multiple of 5")
            item = self.client.get("/practices/feed.json").json()["items"][0]["_wijk"]
            workers = next(f for f in item["figures"] if f["key"] == "workers_active")
            self.assertEqual((workers["value"], workers["rounded"]), ("10", True))
            typed = next(r for r in item["results"] if r["label"] == "Gezinnen met een toestel")
            self.assertEqual(typed["value"], "50")

    def test_the_public_page_and_the_feed_round_kwh_eur_and_rates(self):
        practice = make_practice(acting_for(self.cora), programme=self.rental)
        with registry.registered(PRECISE):
            page = self.client.get(f"/practices/p/{practice.pk}/")
            for text in ("kWh precise: 1235 kWh", "EUR precise: 988 EUR", "Rate precise: 12.3 %"):
                self.assertContains(page, text)
            self.assertNotContains(page, "1234.5")
            self.assertNotContains(page, "987.6")
            item = self.client.get("/practices/feed.json").json()["items"][0]["_wijk"]
            shown = {f["key"]: f["value"] for f in item["figures"]}
            self.assertEqual(
                [shown["kwh_precise"], shown["eur_precise"], shown["rate_precise"]],
                ["1235", "988", "12.3"],
            )
