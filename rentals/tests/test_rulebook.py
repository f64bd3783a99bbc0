"""Issue 6: the rules of rental hold in the services, so pages, API and commands agree.

Each test names the case of the issue it guards. Requests are valid: what is refused is the
role or the relation, never the shape of the body.
"""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import AuditEvent, ProgrammePartner, Role
from core.tenancy import operator_acting
from rentals import selectors, services
from rentals.models import Charge, Contract, Payment, Ticket, Visit
from rentals.tests.test_api import R, RentalApiTestCase

NOON = datetime(2026, 5, 14, 12, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@time_machine.travel(NOON, tick=False)
class RulebookTestCase(RentalApiTestCase):
    def signed_contract(self, household=None) -> Contract:
        ines = self.acting("ines")
        application = services.application_create(
            acting=ines,
            household=household or self.jansens,
            programme=self.rental,
            category="washing_machine",
            old_age_band=">15",
        )
        contract = services.contract_draft(acting=ines, application=application)
        return services.contract_sign(
            acting=ines,
            contract=contract,
            payment_method="transfer",
            installation_on=date(2026, 5, 20),
        )

    def installation(self, contract: Contract) -> Visit:
        return contract.visits.get(kind=Visit.Kind.INSTALLATION)

    def supplier_planner(self) -> str:
        """A coordinator of the supplier: plans its technicians' visits."""
        user = get_user_model().objects.create_user(username="sam", password="x-12345678")
        user.memberships.create(organisation=self.supplier, role=Role.COORDINATOR)
        self.sam = user
        return "sam"


class VisitRulesTest(RulebookTestCase):
    def test_viewer_and_job_coach_cannot_complete_an_installation_through_the_api(self) -> None:
        contract = self.signed_contract()
        visit = self.installation(contract)
        services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        # Done before its planned day: confirmed ("early").
        body = {"disposal": "recycled", "done_on": "2026-05-14", "early": True}
        for user in ("vera", "jo", "wout", "ines", "ada"):
            with self.subTest(user=user):
                response = self.post(f"{R}/visits/{visit.pk}/complete", user, data=body)
                self.assertIn(response.status_code, (403, 404), response.content)
        contract.refresh_from_db()
        self.assertEqual((contract.status, contract.start_date), ("signed", None))
        self.ok(self.post(f"{R}/visits/{visit.pk}/complete", "tom", data=body))
        contract.refresh_from_db()
        self.assertEqual(contract.status, "active")

    def test_only_the_assigned_technician_completes_a_visit(self) -> None:
        visit = self.installation(self.signed_contract())
        with self.assertRaises(PermissionDenied):
            services.visit_complete(acting=self.acting("tom"), visit=visit, disposal="recycled")

    def test_assign_and_reschedule_only_by_lead_coordinators_and_supplier_planners(self) -> None:
        visit = self.installation(self.signed_contract())
        planner = self.supplier_planner()
        assign = {"technician": "tom"}
        reschedule = {"technician": "tom", "planned_on": "2026-05-22", "window": "morning"}
        for user in ("vera", "jo", "wout", "ines", "ada", "tom"):
            for body in (assign, reschedule):
                with self.subTest(user=user, body=body):
                    response = self.post(f"{R}/visits/{visit.pk}/assign", user, data=body)
                    self.assertIn(response.status_code, (403, 404), response.content)
        visit.refresh_from_db()
        self.assertEqual((visit.technician, visit.planned_on), (None, date(2026, 5, 20)))
        self.ok(self.post(f"{R}/visits/{visit.pk}/assign", "cora", data=assign))
        self.ok(self.post(f"{R}/visits/{visit.pk}/assign", planner, data=reschedule))
        visit.refresh_from_db()
        self.assertEqual((visit.technician, visit.planned_on), (self.tom, date(2026, 5, 22)))

    def test_assign_page_and_service_agree(self) -> None:
        visit = self.installation(self.signed_contract())
        self.login("ines")
        url = reverse("rentals:visit_assign", args=[visit.pk])
        self.assertEqual(self.client.get(url).status_code, 403)
        with self.assertRaises(PermissionDenied):
            services.visit_assign(acting=self.acting("ines"), visit=visit, technician=self.tom)

    def test_a_visit_is_not_planned_years_away_or_long_ago(self) -> None:
        contract = self.signed_contract()
        visit = self.installation(contract)
        for day in ("2031-01-01", "2019-01-01"):
            with self.subTest(day=day):
                response = self.post(
                    f"{R}/visits/{visit.pk}/assign",
                    "cora",
                    data={"technician": "tom", "planned_on": day},
                )
                self.assertError(response, 422, "planned_on")
        visit.refresh_from_db()
        self.assertEqual(visit.planned_on, date(2026, 5, 20))


class TechnicianSeesOnlyAssignedVisitsTest(RulebookTestCase):
    def test_the_api_lists_and_shows_only_the_assigned_visits(self) -> None:
        mine = self.installation(self.signed_contract())
        other = self.installation(self.signed_contract(household=self.jansens))
        services.visit_assign(acting=self.acting("cora"), visit=mine, technician=self.tom)
        listed = self.ok(self.get(f"{R}/visits", "tom"))
        self.assertEqual([v["id"] for v in listed["results"]], [mine.pk])
        self.assertError(self.get(f"{R}/visits/{other.pk}", "tom"), 404)
        self.ok(self.get(f"{R}/visits/{mine.pk}", "tom"))
        # The page answers the same.
        self.login("tom")
        self.assertEqual(
            self.client.get(reverse("rentals:today_visit", args=[other.pk])).status_code, 404
        )

    def test_the_api_hides_the_phone_of_a_household_that_wants_letters(self) -> None:
        self.jansens.phone = "+3250123456"
        self.jansens.contact_channel = "letter"
        self.jansens.save()
        visit = self.installation(self.signed_contract())
        services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        body = self.ok(self.get(f"{R}/visits/{visit.pk}", "tom"))
        self.assertEqual(body["phone"], "")
        self.assertNotIn("50123456", self.get(f"{R}/visits", "tom").content.decode())
        self.jansens.contact_channel = "phone"
        self.jansens.save()
        self.assertEqual(self.ok(self.get(f"{R}/visits/{visit.pk}", "tom"))["phone"], "+3250123456")

    def test_the_technician_gets_no_income_or_notes(self) -> None:
        visit = self.installation(self.signed_contract())
        services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        body = self.ok(self.get(f"{R}/visits/{visit.pk}", "tom"))
        self.assertNotIn("net_monthly_income", body)
        self.assertNotIn("social_tariff", body)


class BillingRulesTest(RulebookTestCase):
    def test_the_api_bills_at_most_one_month_ahead(self) -> None:
        url = self.programme_url("/billing-runs")
        self.assertError(self.post(url, "cora", data={"month": "2026-07"}), 422, "month")
        self.assertError(self.post(url, "cora", data={"month": "2030-01"}), 422, "month")
        self.ok(self.post(url, "cora", data={"month": "2026-06"}))

    def test_the_command_bills_at_most_one_month_ahead(self) -> None:
        with self.assertRaises(CommandError):
            call_command(
                "billing_run", programme=self.rental.slug, month="2026-09", stdout=StringIO()
            )
        self.assertFalse(Charge.objects.exists())
        call_command("billing_run", programme=self.rental.slug, month="2026-06", stdout=StringIO())

    def test_the_service_refuses_a_far_month_for_the_operator_too(self) -> None:
        with self.assertRaises(ValidationError):
            services.billing_run(
                acting=operator_acting(self.lead), programme=self.rental, month=date(2027, 1, 1)
            )

    def test_only_the_lead_bills(self) -> None:
        for user in ("ines", "vera", "jo", "tom"):
            with self.subTest(user=user), self.assertRaises(PermissionDenied):
                services.billing_run(
                    acting=self.acting(user), programme=self.rental, month=date(2026, 5, 1)
                )


class TicketRulesTest(RulebookTestCase):
    def test_ticket_open_checks_the_role(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 5, 4))
        for user in ("vera", "jo", "wout", "tom"):
            with self.subTest(user=user), self.assertRaises(PermissionDenied):
                services.ticket_open(
                    acting=self.acting(user), contract=contract, channel="phone", description="x"
                )
        self.assertFalse(Ticket.objects.exists())

    def test_the_resident_opens_a_ticket_for_their_own_contract(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 5, 4))
        ticket = services.ticket_open_by_resident(
            household=self.jansens, contract=contract, description="It leaks"
        )
        self.assertEqual((ticket.channel, ticket.contract), (Ticket.Channel.RESIDENT, contract))
        with self.assertRaises(PermissionDenied):
            services.ticket_open_by_resident(
                household=self.peeters, contract=contract, description="not mine"
            )


class BalancePerCollectorTest(RulebookTestCase):
    def setUp(self) -> None:
        super().setUp()
        ProgrammePartner.objects.create(
            programme=self.rental, organisation=self.kortrijk, role="collector"
        )
        self.first = self.active_contract(installed_on=date(2026, 3, 1))
        self.second = self.active_contract(category="fridge", installed_on=date(2026, 3, 1))
        # One household, two collectors: the second contract is collected by Kortrijk.
        Contract.objects.filter(pk=self.second.pk).update(collector=self.kortrijk)
        services.billing_run(  # March (installed on the 1st) is left out: confirmed
            acting=self.acting("cora"), programme=self.rental, month=date(2026, 4, 1), confirm=True
        )

    def test_the_balance_is_per_collector_on_page_and_api(self) -> None:
        ocmw = selectors.household_balance(self.jansens, collector=self.ocmw)
        self.assertEqual(ocmw.charged, Decimal("7.50"))
        body = self.ok(self.get(f"{R}/households/{self.jansens.pk}/balance", "ines"))
        self.assertEqual(Decimal(body["charged"]), Decimal("7.50"))
        self.assertEqual(Decimal(body["arrears"]), Decimal("7.50"))

    def test_the_balance_api_is_for_the_collector(self) -> None:
        self.assertError(self.get(f"{R}/households/{self.jansens.pk}/balance", "cora"), 403)


class AuditOfRentalsTest(RulebookTestCase):
    def test_payment_record_is_audited_with_its_channel(self) -> None:
        self.active_contract(installed_on=date(2026, 4, 1))
        services.payment_record(
            acting=self.acting("ines"),
            household=self.jansens,
            amount=Decimal("7.50"),
            received_on=date(2026, 5, 2),
            method="cash",
        )
        event = AuditEvent.objects.filter(household=self.jansens, subject__contains="payment")
        self.assertEqual(list(event.values_list("via", "action")), [("web", "change")])
        self.ok(
            self.post(
                f"{R}/households/{self.jansens.pk}/payments",
                "ines",
                data={"amount": "1.00", "received_on": "2026-05-03", "method": "cash"},
            ),
            201,
        )
        self.assertEqual(
            sorted(event.values_list("via", flat=True)), ["api", "web"], list(event.values())
        )

    def test_the_visit_list_page_audits_the_households_it_shows(self) -> None:
        self.installation(self.signed_contract())
        AuditEvent.objects.all().delete()
        self.login("cora")
        response = self.client.get(reverse("rentals:visits", args=[self.rental.pk]))
        self.assertContains(response, self.jansens.last_name)
        events = AuditEvent.objects.filter(household=self.jansens, action="view")
        self.assertEqual(
            list(events.values_list("via", "subject")),
            [("web", f"household {self.jansens.reference}: visits")],
        )

    def test_rentals_api_actions_are_audited_as_api(self) -> None:
        contract = self.signed_contract()
        visit = self.installation(contract)
        AuditEvent.objects.all().delete()
        self.ok(self.post(f"{R}/visits/{visit.pk}/assign", "cora", data={"technician": "tom"}))
        application = self.ok(
            self.post(
                self.programme_url("/applications"),
                "ines",
                data={"household": self.jansens.pk, "category": "fridge"},
            ),
            201,
        )
        self.assertTrue(application)
        vias = set(AuditEvent.objects.values_list("via", flat=True))
        self.assertEqual(vias, {"api"})

    def test_rentals_api_reads_of_a_household_are_audited(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 4, 1))
        reads = [
            f"{R}/contracts/{contract.pk}",
            f"{R}/contracts/{contract.pk}/charges",
            f"{R}/households/{self.jansens.pk}/balance",
            f"{R}/households/{self.jansens.pk}/payments",
            f"{R}/households/{self.jansens.pk}/savings",
        ]
        for path in reads:
            with self.subTest(path=path):
                AuditEvent.objects.all().delete()
                self.ok(self.get(path, "ines"))
                event = AuditEvent.objects.get()
                self.assertEqual(
                    (event.action, event.via, event.household, event.user),
                    ("view", "api", self.jansens, self.ines),
                )

    def test_a_technician_reading_a_visit_is_audited(self) -> None:
        visit = self.installation(self.signed_contract())
        services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        AuditEvent.objects.all().delete()
        self.ok(self.get(f"{R}/visits/{visit.pk}", "tom"))
        event = AuditEvent.objects.get()
        self.assertEqual((event.via, event.user, event.household), ("api", self.tom, self.jansens))

    def test_the_billing_command_is_audited_as_command(self) -> None:
        self.active_contract(installed_on=date(2026, 4, 1))
        call_command(
            "billing_run",
            programme=self.rental.slug,
            month="2026-05",
            confirm=True,  # April (the installation month) is left out
            stdout=StringIO(),
        )
        event = AuditEvent.objects.get(subject__contains="billed")
        self.assertEqual((event.via, event.user, event.organisation), ("command", None, self.lead))


class DatePlausibilityTest(RulebookTestCase):
    def test_a_payment_received_in_1900_or_next_year_is_refused(self) -> None:
        self.active_contract(installed_on=date(2026, 4, 1))
        for day in ("1900-01-01", "1999-12-31", "2027-01-01"):
            with self.subTest(day=day):
                response = self.post(
                    f"{R}/households/{self.jansens.pk}/payments",
                    "ines",
                    data={"amount": "7.50", "received_on": day, "method": "cash"},
                )
                self.assertError(response, 422, "received_on")
        self.assertFalse(Payment.objects.exists())

    def test_a_mandate_signed_in_the_future_is_refused(self) -> None:
        ines = self.acting("ines")
        application = services.application_create(
            acting=ines, household=self.jansens, programme=self.rental, category="fridge"
        )
        contract = services.contract_draft(acting=ines, application=application)
        response = self.post(
            f"{R}/contracts/{contract.pk}/sign",
            "ines",
            data={
                "payment_method": "direct_debit",
                "installation_on": "2026-05-20",
                "debtor_iban": "BE71096123456769",
                "mandate_signed_on": "2100-01-01",
            },
        )
        self.assertError(response, 422, "mandate_signed_on")
        contract.refresh_from_db()
        self.assertEqual(contract.status, "draft")

    def test_an_installation_years_away_is_refused(self) -> None:
        ines = self.acting("ines")
        application = services.application_create(
            acting=ines, household=self.jansens, programme=self.rental, category="fridge"
        )
        contract = services.contract_draft(acting=ines, application=application)
        with self.assertRaises(ValidationError):
            services.contract_sign(
                acting=ines,
                contract=contract,
                payment_method="transfer",
                installation_on=date(2036, 1, 1),
            )
