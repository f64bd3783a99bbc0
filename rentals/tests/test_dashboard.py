"""The coordinator dashboard: its figures equal counts made independently (plain Python over
the records), the Excel export holds the same numbers, and the page's query count does not
grow with the number of contracts."""

from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.models import Programme
from households.models import Enrolment
from rentals import services
from rentals.models import Application, Charge, Contract, Ticket, Unit, UnitStatus
from rentals.selectors import dashboard
from rentals.tests.cast import RentalTestCase
from wijk.testing import clock_at, enrol, make_household

# The day every test of this module runs on (clock_at): mid-month, after three billed months.
TODAY = date(2026, 6, 17)
# clock_at starts the clock at 10:00 in Brussels; ticket ages count from then.
NOW = datetime.combine(TODAY, time(10), tzinfo=ZoneInfo("Europe/Brussels"))

EN = {"Accept-Language": "en"}


def enrolled_household(test: RentalTestCase, last_name: str):
    household = make_household(test.ocmw, first_name="Test", last_name=last_name)
    enrol(household, test.rental)
    return household


class DashboardFixture(RentalTestCase):
    """Two households with a washer, one with a fridge too, one waiting, tickets of all ages,
    three billed months and a payment."""

    def ticket_contract(self, n: int) -> Contract:
        """A contract for the n-th ticket: one open ticket per contract (a constraint), so
        beyond the first the tickets sit on earlier, ended contracts of the same washer."""
        if n == 0:
            return self.washer_jansens
        first = self.washer_jansens
        application = Application.objects.create(
            household=first.household,
            programme=self.rental,
            category=first.category,
            status="contracted",
        )
        return Contract.objects.create(
            application=application,
            household=first.household,
            programme=self.rental,
            unit=first.unit,
            collector=first.collector,
            category=first.category,
            tenant_fee=0,
            subsidy=0,
            term_months=first.term_months,
            status="ended",
            start_date=date(2025, 1, 1),
            end_date=date(2025, 1, 31),
            end_reason="moved",
            payment_reference=f"ticket-holder-{Contract.objects.count()}",
        )

    def build(self) -> None:
        cache.clear()  # the page keeps its figures in the cache for a minute
        self.today = TODAY
        self.peeters_enrolled = enrolled_household(self, "Claes")
        self.waiter = enrolled_household(self, "Wauters")
        self.washer_jansens = self.active_contract(installed_on=date(2026, 3, 10))
        self.fridge_jansens = self.active_contract(category="fridge", installed_on=date(2026, 4, 1))
        self.washer_claes = self.active_contract(
            household=self.peeters_enrolled, installed_on=date(2026, 4, 20)
        )
        # The only fridge is rented out: a fridge application waits.
        services.application_create(
            acting=self.acting("ines"),
            household=self.waiter,
            programme=self.rental,
            category="fridge",
        )
        for month in (3, 4, 5):
            services.billing_run(programme=self.rental, month=date(2026, month, 1))
        services.payment_record(
            acting=self.acting("ines"),
            household=self.jansens,
            amount=Decimal("12.00"),
            received_on=date(2026, 5, 3),
            method="cash",
        )
        now = NOW
        for n, (days, status) in enumerate(
            (
                (2, "open"),
                (10, "planned"),
                (20, "open"),
                (45, "open"),
                (60, "resolved"),
            )
        ):
            ticket = Ticket.objects.create(
                contract=self.ticket_contract(n),
                channel="phone",
                description=f"{days} dagen",
                status=status,
                resolution="repaired" if status == "resolved" else "",
                resolved_at=now - timedelta(days=1) if status == "resolved" else None,
            )
            Ticket.objects.filter(pk=ticket.pk).update(opened_at=now - timedelta(days=days))


@clock_at(TODAY)
class SelectorTest(DashboardFixture):
    def setUp(self) -> None:
        self.build()

    def test_summary_equals_independent_counts(self) -> None:
        figures = dashboard.summary(self.rental, self.today)
        contracts = list(Contract.objects.filter(programme=self.rental))
        active = [c for c in contracts if c.status == Contract.Status.ACTIVE]
        charges = list(Charge.objects.filter(contract__programme=self.rental))
        current = self.today.replace(day=1)
        overdue = [c for c in charges if c.month < current and c.settled < c.tenant_amount]
        enrolled = Enrolment.objects.filter(programme=self.rental, status="enrolled")
        self.assertEqual(figures.households_enrolled, len(list(enrolled)))
        self.assertEqual(figures.households_enrolled, 3)
        self.assertEqual(figures.households_with_appliance, len({c.household_id for c in active}))
        self.assertEqual(figures.households_with_appliance, 2)
        self.assertEqual(figures.active_contracts, 3)
        self.assertEqual(figures.units, Unit.objects.count())
        self.assertEqual(figures.waiting, 1)
        self.assertEqual(figures.billed_total, sum(c.tenant_amount for c in charges))
        self.assertEqual(figures.collected_total, Decimal("12.00"))
        self.assertEqual(figures.arrears, sum(c.tenant_amount - c.settled for c in overdue))
        self.assertEqual(
            figures.households_in_arrears, len({c.contract.household_id for c in overdue})
        )
        self.assertEqual(figures.open_tickets, 4)
        # Reminder after 10 days: the tickets open 20 and 45 days, and the one of 10 days
        # (opened a moment more than 10 days before the figures are made).
        self.assertEqual(figures.overdue_tickets, 3)

    def test_units_by_status_and_category(self) -> None:
        by_status = {s: n for s, _label, n in dashboard.units_by_status(self.rental)}
        expected = Counter(
            Unit.objects.filter(programme=self.rental).values_list("status", flat=True)
        )
        self.assertEqual({s: n for s, n in by_status.items() if n}, dict(expected))
        self.assertEqual(len(by_status), len(UnitStatus))
        # Derived from the per-category rows, without a query, it is the same.
        categories = dashboard.by_category(self.rental)
        self.assertEqual(
            dashboard.units_by_status(self.rental, categories),
            dashboard.units_by_status(self.rental),
        )
        rows = {row.category: row for row in dashboard.by_category(self.rental)}
        self.assertEqual(set(rows), {"washing_machine", "fridge"})
        washer = rows["washing_machine"]
        self.assertEqual(washer.units, 3)
        self.assertEqual(washer.active_contracts, 2)
        self.assertEqual(washer.in_stock, 1)
        self.assertEqual(washer.status_counts[list(UnitStatus).index(UnitStatus.INSTALLED)], 2)
        fridge = rows["fridge"]
        self.assertEqual((fridge.units, fridge.waiting, fridge.in_stock), (1, 1, 0))
        waiting = Application.objects.filter(programme=self.rental, status="waiting")
        self.assertEqual(sum(r.waiting for r in rows.values()), waiting.count())

    def test_ticket_age_bands(self) -> None:
        figures = dashboard.tickets(self.rental)
        self.assertEqual(figures.bands, [("0-7", 1), ("8-14", 1), ("15-30", 1), (">30", 1)])
        self.assertEqual(figures.open, 4)
        self.assertEqual(figures.resolved_last_90_days, 1)
        self.assertEqual(figures.average_days_to_resolve, Decimal("59.0"))

    def test_band_edges(self) -> None:
        Ticket.objects.all().delete()
        now = NOW
        ages = (0, 7, 8, 14, 15, 30, 31)
        for n, age in enumerate(ages):
            ticket = Ticket.objects.create(
                contract=self.ticket_contract(n), channel="desk", description=str(age)
            )
            # Half a day into the age, so the test does not race the clock.
            opened = now - timedelta(days=age, hours=12)
            Ticket.objects.filter(pk=ticket.pk).update(opened_at=opened)
        figures = dashboard.tickets(self.rental, now=now)
        self.assertEqual(figures.bands, [("0-7", 2), ("8-14", 2), ("15-30", 2), (">30", 1)])

    def test_monthly_figures_equal_the_charges(self) -> None:
        rows = dashboard.monthly(self.rental, date(2026, 6, 15))
        self.assertEqual(len(rows), 12)
        self.assertEqual(rows[-1].month, date(2026, 6, 1))
        self.assertEqual(rows[0].month, date(2025, 7, 1))
        by_month = {row.month: row for row in rows}
        for month in (3, 4, 5):
            charges = list(Charge.objects.filter(month=date(2026, month, 1)))
            row = by_month[date(2026, month, 1)]
            self.assertEqual(row.charges, len(charges))
            self.assertEqual(row.billed, sum(c.tenant_amount for c in charges))
            self.assertEqual(row.subsidy, sum(c.subsidy_amount for c in charges))
            self.assertEqual(row.collected, sum(c.settled for c in charges))
            self.assertEqual(row.open, row.billed - row.collected)
        self.assertEqual(by_month[date(2026, 6, 1)].charges, 0)
        # The page's single pass over the charges gives the same twelve months.
        self.assertEqual(dashboard.money(self.rental, date(2026, 6, 15)).last_months(), rows)
        # The payment of 12.00 settled March (washer, 22 days) first, then April.
        self.assertEqual(sum(r.collected for r in rows), Decimal("12.00"))
        self.assertEqual(
            [m.key for m in dashboard.billing_months(self.rental)],
            ["2026-05", "2026-04", "2026-03"],
        )

    def test_another_programme_is_not_counted(self) -> None:
        other = Programme.objects.create(
            name="Andere", slug="andere", kind="appliance_rental", lead_organisation=self.lead
        )
        figures = dashboard.summary(other)
        self.assertEqual(
            (
                figures.households_enrolled,
                figures.active_contracts,
                figures.units,
                figures.open_tickets,
                figures.billed_total,
            ),
            (0, 0, 0, 0, Decimal("0.00")),
        )

    def test_add_months(self) -> None:
        self.assertEqual(dashboard.add_months(date(2026, 11, 1), 2), date(2027, 1, 1))
        self.assertEqual(dashboard.add_months(date(2026, 1, 1), -1), date(2025, 12, 1))
        self.assertEqual(dashboard.add_months(date(2026, 1, 1), -13), date(2024, 12, 1))


@clock_at(TODAY)
class DashboardPageTest(DashboardFixture):
    def setUp(self) -> None:
        self.build()
        self.login("cora")

    def test_page_shows_the_figures_and_charts(self) -> None:
        response = self.client.get(
            reverse("collection:dashboard", kwargs={"programme_pk": self.rental.pk}), headers=EN
        )
        self.assertEqual(response.status_code, 200)
        figures = dashboard.summary(self.rental)
        body = response.content.decode()
        for name in (
            "households_enrolled",
            "households_with_appliance",
            "active_contracts",
            "waiting",
            "open_tickets",
        ):
            self.assertIn(f'data-figure="{name}">{getattr(figures, name)}<', body)
        self.assertEqual(body.count("<svg"), 3)
        self.assertIn('role="img"', body)
        # No household is named on the dashboard.
        for name in ("Jansens", "Claes", "Wauters", "Kerkstraat"):
            self.assertNotIn(name, body)
        # The savings come later: an htmx trigger and a plain link.
        savings_url = reverse(
            "collection:dashboard_savings", kwargs={"programme_pk": self.rental.pk}
        )
        self.assertIn(f'hx-get="{savings_url}"', body)
        self.assertIn(f'<a href="{savings_url}">', body)

    def test_savings_partial_and_page(self) -> None:
        url = reverse("collection:dashboard_savings", kwargs={"programme_pk": self.rental.pk})
        partial = self.client.get(url, headers={"HX-Request": "true", **EN})
        self.assertEqual(partial.status_code, 200)
        self.assertNotContains(partial, "<html")
        self.assertContains(partial, 'id="savings"')
        self.assertContains(partial, "Savings per year")
        page = self.client.get(url, headers=EN)
        self.assertContains(page, "<html")
        self.assertContains(page, "Savings per year")
        savings = page.context["savings"]
        self.assertIsNotNone(savings)
        self.assertGreater(savings.since_start.kwh, 0)
        self.assertEqual(savings.year, TODAY.year)
        self.assertContains(partial, f'<th scope="row">{savings.year}</th>')

    def test_query_count_does_not_grow_with_contracts(self) -> None:
        url = reverse("collection:dashboard", kwargs={"programme_pk": self.rental.pk})
        self.client.get(url)  # warm caches (sessions, content types)
        cache.clear()
        with CaptureQueriesContext(connection) as before:
            self.client.get(url)
        cora = self.acting("cora")
        for serial in ("W-101", "W-102", "W-103"):
            services.unit_create(
                acting=cora, appliance_model=self.washer, serial=serial, status=UnitStatus.IN_STOCK
            )
        for name in ("Aerts", "Baert", "Coene"):
            self.active_contract(household=enrolled_household(self, name))
        services.billing_run(programme=self.rental, month=date(2026, 5, 1))
        cache.clear()
        with CaptureQueriesContext(connection) as after:
            self.client.get(url)
        self.assertEqual(len(after.captured_queries), len(before.captured_queries))
        # From the cache, the figures cost only the two queries that check they are current.
        with CaptureQueriesContext(connection) as cached:
            self.client.get(url)
        self.assertLessEqual(len(cached.captured_queries), len(before.captured_queries) - 8)

    def test_a_payment_shows_at_once_despite_the_cache(self) -> None:
        url = reverse("collection:dashboard", kwargs={"programme_pk": self.rental.pk})
        before = self.client.get(url).context["summary"]
        services.payment_record(
            acting=self.acting("ines"),
            household=self.peeters_enrolled,
            amount=Decimal("5.00"),
            received_on=date(2026, 5, 20),
            method="cash",
        )
        after = self.client.get(url).context["summary"]
        self.assertEqual(after.collected_total, before.collected_total + Decimal("5.00"))
        self.assertEqual(after.arrears, before.arrears - Decimal("5.00"))

    def test_excel_export_opens_and_matches(self) -> None:
        url = reverse("collection:dashboard_xlsx", kwargs={"programme_pk": self.rental.pk})
        response = self.client.get(url, headers=EN)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn(".xlsx", response["Content-Disposition"])
        book = load_workbook(BytesIO(response.content))
        self.assertEqual(
            book.sheetnames, ["Summary", "Billing per month", "Units", "Waiting list", "Tickets"]
        )
        summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
        figures = dashboard.summary(self.rental)
        self.assertEqual(summary["Households enrolled"], figures.households_enrolled)
        self.assertEqual(summary["Households with an appliance"], figures.households_with_appliance)
        self.assertEqual(summary["Active contracts"], figures.active_contracts)
        self.assertEqual(summary["Applications waiting"], figures.waiting)
        self.assertEqual(summary["Open tickets"], figures.open_tickets)
        self.assertEqual(
            Decimal(str(summary["Billed to tenants since the start (EUR)"])),
            figures.billed_total,
        )
        self.assertEqual(Decimal(str(summary["Collected since the start (EUR)"])), Decimal("12"))
        months = list(book["Billing per month"].iter_rows(min_row=2, values_only=True))
        self.assertEqual([m[0] for m in months], ["2026-05", "2026-04", "2026-03"])
        self.assertEqual(
            sum(m[1] for m in months),
            Charge.objects.filter(contract__programme=self.rental).count(),
        )
        waiting = list(book["Waiting list"].iter_rows(min_row=2, values_only=True))
        # (appliance, waiting, with priority, units in stock)
        self.assertIn(("Fridge", 1, 0, 0), waiting)
        self.assertIn(("Washing machine", 0, 0, 1), waiting)
        # Counts only: no household data in any sheet.
        text = " ".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
        for name in ("Jansens", "Claes", "Wauters", "Kerkstraat", "+++"):
            self.assertNotIn(name, text)

    def test_partner_and_outsider_get_no_export(self) -> None:
        url = reverse("collection:dashboard_xlsx", kwargs={"programme_pk": self.rental.pk})
        self.client.logout()
        self.login("ines")
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.logout()
        self.login("otto")
        self.assertEqual(self.client.get(url).status_code, 404)
