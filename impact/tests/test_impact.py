from datetime import date
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from core.programmes import Figure, ProgrammeApp, registry
from core.tokens import api_token_create
from impact import figures
from impact.pure import charts
from wijk.testing import WijkTestCase, clock_at


def _many(programme, day):
    return [Figure("kwh", "Electricity saved", 1200, "kWh", about=40)]


@clock_at(date(2026, 6, 15))
class ImpactTest(WijkTestCase):
    client_language = "en"  # the pages and the Excel file are read in English

    def test_own_page_shows_every_programme_with_marks_for_small_groups(self):
        self.login("cora")
        response = self.client.get("/impact/")
        self.assertContains(response, self.rental.name)
        self.assertContains(response, "<svg", count=None)
        # jansens alone is enrolled: the household count stays inside.
        self.assertContains(response, "fewer than 5")

    def test_figures_over_time_come_from_the_registry_hook(self):
        # A kind no real app registers (the sharing app owns energy_sharing).
        app = ProgrammeApp(label="fake", kind="fake_kind", impact_at=(_many,))
        from core.models import Programme

        energy = Programme.objects.create(
            name="Zon", slug="zon", kind="fake_kind", lead_organisation=self.lead
        )
        with registry.registered(app):
            item = figures.programme_impact(energy, date(2026, 6, 15), count=3)
        kwh = next(s for s in item.series if s.key == "kwh")
        self.assertEqual(kwh.values, [1200, 1200, 1200])
        self.assertEqual(kwh.hidden, [False, False, False])
        self.assertEqual(item.months, [date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 15)])

    def test_excel_export_and_api_suppress_small_groups(self):
        self.login("cora")
        response = self.client.get("/impact/export.xlsx")
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(BytesIO(response.content)).worksheets[0]
        rows = {row[0]: row[2:] for row in sheet.iter_rows(min_row=2, values_only=True)}
        reached = rows["Households reached"]
        self.assertEqual(reached[-1], "fewer than 5")
        token = api_token_create(user=self.cora)
        answer = self.client.get(
            "/api/v1/impact/programmes", HTTP_AUTHORIZATION=f"Bearer {token}"
        ).json()
        values = answer[0]["figures"][0]["values"]
        self.assertEqual(values[-1], {"month": "2026-06-15", "value": None, "suppressed": True})
        one = self.client.get(
            f"/api/v1/impact/programmes/{self.rental.pk}/figures",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ).json()
        self.assertTrue(all(f["value"] is None for f in one if f["suppressed"]))

    def test_another_organisation_gets_no_figures_of_our_programme(self):
        token = api_token_create(user=self.otto)
        response = self.client.get(
            f"/api/v1/impact/programmes/{self.rental.pk}/figures",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        self.assertEqual(response.status_code, 404)


def test_chart_describes_every_month_and_escapes_text():
    svg = charts.series_chart(
        title="<b>kWh</b>",
        labels=["Jan", "Feb"],
        values=[10, None],
        unit="kWh",
        hidden_text="not known",
        empty_text="none",
    )
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert "Jan: 10 kWh; Feb: not known kWh" in svg


def _twelve(programme, day):
    return [
        Figure("workers_active", "Workers active", 12, "persons"),
        Figure("kwh_twelve", "kWh of twelve", 1234, "kWh", about=12),
    ]


TWELVE = ProgrammeApp(label="fake-twelve", impact_at=(_twelve,))


@clock_at(date(2026, 6, 15))
class RoundedCountsTest(WijkTestCase):
    """Counts of households or persons leave the organisation rounded to a multiple of 5
    (docs/impact.md, "Differences between published figures"); the own page shows them as
    they are."""

    client_language = "en"

    def test_every_way_out_rounds_counts_and_the_own_page_does_not(self):
        with registry.registered(TWELVE):
            published = {f.key: f for f in figures.published_figures(self.rental)}
            self.assertEqual(
                (published["workers_active"].value, published["workers_active"].rounded), (10, True)
            )
            self.assertEqual(published["kwh_twelve"].value, 1234)  # not a count: as it is
            self.login("cora")
            sheet = load_workbook(
                BytesIO(self.client.get("/impact/export.xlsx").content)
            ).worksheets[0]
            rows = {row[0]: row[2:] for row in sheet.iter_rows(min_row=2, values_only=True)}
            self.assertEqual(rows["Workers active"][-1], 10)
            token = api_token_create(user=self.cora)
            auth = {"Authorization": f"Bearer {token}"}
            listed = self.client.get("/api/v1/impact/programmes", headers=auth).json()
            series = next(f for f in listed[0]["figures"] if f["key"] == "workers_active")
            self.assertEqual(series["values"][-1]["value"], 10)
            today = self.client.get(
                f"/api/v1/impact/programmes/{self.rental.pk}/figures", headers=auth
            )
            workers = next(f for f in today.json() if f["key"] == "workers_active")
            self.assertEqual((workers["value"], workers["rounded"]), (10, True))
            own = self.client.get("/impact/")
            self.assertContains(own, "12")
            item = figures.programme_impact(self.rental, date(2026, 6, 15), count=2)
            kept = next(s for s in item.series if s.key == "workers_active")
            self.assertEqual((kept.values, kept.outside), ([12, 12], [10, 10]))


def _precise(programme, day):
    return [
        Figure("kwh_precise", "kWh precise", Decimal("1234.5678"), "kWh", about=12),
        Figure("eur_precise", "EUR precise", Decimal("987.654"), "EUR", about=12),
        Figure("rate_precise", "Rate precise", Decimal("12.3456"), "%", about=12),
    ]


PRECISE = ProgrammeApp(label="fake-precise", impact_at=(_precise,))


@clock_at(date(2026, 6, 15))
class PublishedPrecisionTest(WijkTestCase):
    """kWh, EUR and rates leave the organisation rounded to the precision of their unit, the
    same in the Excel export and the API (docs/impact.md, "Precision of other figures"); the
    own page and the figures kept stay exact."""

    client_language = "en"

    def test_every_way_out_rounds_other_figures_alike(self):
        expected: dict[str, Decimal | int] = {
            "kwh_precise": 1235,
            "eur_precise": 988,
            "rate_precise": Decimal("12.3"),
        }
        labels = {"kWh precise": "kwh_precise", "EUR precise": "eur_precise"}
        labels["Rate precise"] = "rate_precise"
        with registry.registered(PRECISE):
            published = {f.key: f.value for f in figures.published_figures(self.rental)}
            self.assertEqual({k: published[k] for k in expected}, expected)
            self.login("cora")
            sheet = load_workbook(
                BytesIO(self.client.get("/impact/export.xlsx").content)
            ).worksheets[0]
            rows = {row[0]: row[2:] for row in sheet.iter_rows(min_row=2, values_only=True)}
            for label, key in labels.items():
                self.assertEqual(rows[label][-1], float(expected[key]), label)
            token = api_token_create(user=self.cora)
            auth = {"Authorization": f"Bearer {token}"}
            listed = self.client.get("/api/v1/impact/programmes", headers=auth).json()
            series = {f["key"]: f["values"][-1]["value"] for f in listed[0]["figures"]}
            today = self.client.get(
                f"/api/v1/impact/programmes/{self.rental.pk}/figures", headers=auth
            ).json()
            now = {f["key"]: f["value"] for f in today}
            for key, value in expected.items():
                self.assertEqual(Decimal(str(series[key])), value, key)
                self.assertEqual(Decimal(str(now[key])), value, key)
            own = figures.programme_impact(self.rental, date(2026, 6, 15), count=1)
            kept = next(s for s in own.series if s.key == "kwh_precise")
            self.assertEqual(kept.values, [Decimal("1234.5678")])
