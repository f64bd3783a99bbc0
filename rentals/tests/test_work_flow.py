"""How the rental work flows from one person to the next (issue 8): notifications and the
"To do" panel, one open ticket per appliance, the resident page, consent before a contract,
the household page as the hub, confirmations, and the guards (billing, savings, visits)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.models import Notification, Role
from core.notifications import unread_count
from core.tokens import api_token_create
from households.models import Consent
from rentals import services
from rentals.models import Application, Charge, Contract, Ticket
from rentals.services.resident import resident_access_issue
from rentals.tests.cast import RentalTestCase
from wijk.testing import clock_at


def consent(household, on=date(2026, 1, 2)):
    return Consent.objects.create(household=household, purpose="programme", given_on=on)


@clock_at(date(2026, 3, 20))
class FlowTestCase(RentalTestCase):
    sara: Any  # a planner (coordinator) of the supplier

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        User = get_user_model()
        cls.sara = User.objects.create_user(username="sara", password="x", email="s@desmet.be")
        cls.sara.memberships.create(organisation=cls.supplier, role=Role.COORDINATOR)

    def kinds(self, user) -> list[str]:
        return list(
            Notification.objects.filter(recipient=user)
            .order_by("pk")
            .values_list("kind", flat=True)
        )

    def signed_contract(self, household=None, category="washing_machine") -> Contract:
        ines = self.acting("ines")
        application = services.application_create(
            acting=ines,
            household=household or self.jansens,
            programme=self.rental,
            category=category,
            old_age_band=">15",
        )
        contract = services.contract_draft(acting=ines, application=application)
        return services.contract_sign(
            acting=ines,
            contract=contract,
            payment_method="transfer",
            installation_on=date(2026, 3, 25),
        )


class TicketTests(FlowTestCase):
    def test_a_report_notifies_the_lead_and_the_supplier_planners(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 3, 10))
        Notification.objects.all().delete()
        ticket = services.ticket_open(
            acting=self.acting("ines"), contract=contract, channel="phone", description="Leaks"
        )
        self.assertEqual(self.kinds(self.cora), ["rentals.ticket_opened"])
        self.assertEqual(self.kinds(self.sara), ["rentals.ticket_opened"])
        self.assertEqual(self.kinds(self.ines), [])
        self.assertEqual(
            Notification.objects.get(recipient=self.cora).url, f"/rentals/tickets/{ticket.pk}/"
        )

    def test_a_repeated_report_adds_to_the_open_ticket(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 3, 10))
        first = services.ticket_open(
            acting=self.acting("ines"), contract=contract, channel="phone", description="Leaks"
        )
        again = services.ticket_open_by_resident(
            household=self.jansens, contract=contract, description="Still leaking"
        )
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(Ticket.objects.filter(contract=contract).count(), 1)
        again.refresh_from_db()
        self.assertEqual(again.reports, 2)
        self.assertIn("Leaks", again.description)
        self.assertIn("Still leaking", again.description)
        self.assertIn("rentals.ticket_reported_again", self.kinds(self.cora))

    def test_the_database_holds_one_open_ticket_per_contract(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 3, 10))
        Ticket.objects.create(contract=contract, channel="phone", description="a")
        with self.assertRaises(IntegrityError), transaction.atomic():
            Ticket.objects.create(contract=contract, channel="desk", description="b")

    def test_after_the_repair_a_new_report_is_a_new_ticket(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 3, 10))
        ines = self.acting("ines")
        first = services.ticket_open(
            acting=ines, contract=contract, channel="phone", description="a"
        )
        visit = services.visit_plan(
            acting=ines,
            contract=contract,
            kind="repair",
            planned_on=date(2026, 3, 20),
            technician=self.tom,
            ticket=first,
        )
        services.visit_complete(acting=self.acting("tom"), visit=visit, report="Fixed")
        second = services.ticket_open(
            acting=ines, contract=contract, channel="phone", description="b"
        )
        self.assertNotEqual(second.pk, first.pk)

    def test_the_resident_page_shows_the_open_report_and_the_planned_visit(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 3, 10))
        ines = self.acting("ines")
        key, pin = resident_access_issue(acting=ines, household=self.jansens)
        self.client.post(f"/r/{key}/", {"pin": pin})
        self.client.post(f"/r/{key}/breakdown/", {"contract": contract.pk, "description": "Kapot"})
        # The household speaks Dutch: the resident chooses English (kept for the later visits).
        page = self.client.get(f"/r/{key}/home/?lang=en")
        self.assertContains(page, "Your breakdown report")
        self.assertContains(page, "We will call or write to you to plan the visit.")
        ticket = Ticket.objects.get(contract=contract)
        services.visit_plan(
            acting=ines,
            contract=contract,
            kind="repair",
            planned_on=date(2026, 3, 24),
            ticket=ticket,
        )
        page = self.client.get(f"/r/{key}/home/")
        self.assertContains(page, "A technician comes on")
        self.assertContains(page, "24")
        self.assertNotContains(page, "No visit is planned.")


class VisitTests(FlowTestCase):
    def test_signing_flags_the_installation_nobody_is_assigned_to(self) -> None:
        contract = self.signed_contract()
        visit = contract.visits.get(kind="installation")
        self.assertEqual(self.kinds(self.cora), ["rentals.visit_unassigned"])
        self.assertEqual(self.kinds(self.sara), ["rentals.visit_unassigned"])
        self.login("cora")
        home = self.client.get("/", headers={"accept-language": "en"})
        self.assertContains(home, "1 visit has no technician")
        services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        self.assertEqual(unread_count(self.acting("sara")), 0)  # someone took care of it
        self.assertEqual(self.kinds(self.tom), ["rentals.visit_assigned"])
        home = self.client.get("/", headers={"accept-language": "en"})
        self.assertNotContains(home, "has no technician")

    def test_overdue_visits_are_announced_once(self) -> None:
        from rentals.services.notices import visits_overdue_notify

        self.signed_contract()
        with clock_at(date(2026, 3, 27)):
            self.assertEqual(visits_overdue_notify(programme=self.rental), 2)
            self.assertEqual(visits_overdue_notify(programme=self.rental), 0)
        self.assertIn("rentals.visit_overdue", self.kinds(self.cora))

    def test_a_visit_done_before_its_day_needs_a_confirmation(self) -> None:
        contract = self.signed_contract()
        visit = contract.visits.get(kind="installation")
        services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        tom = self.acting("tom")
        with self.assertRaises(ValidationError) as refused:
            services.visit_complete(acting=tom, visit=visit, disposal="recycled")
        self.assertIn("planned for", str(refused.exception))
        services.visit_complete(acting=tom, visit=visit, disposal="recycled", early_confirmed=True)
        visit.refresh_from_db()
        self.assertEqual(visit.status, "done")

    def test_no_old_appliance_is_refused_with_the_reason(self) -> None:
        contract = self.signed_contract()
        visit = contract.visits.get(kind="installation")
        services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        with self.assertRaises(ValidationError) as refused:
            services.visit_complete(
                acting=self.acting("tom"), visit=visit, disposal="", early_confirmed=True
            )
        self.assertIn("had an old appliance", str(refused.exception))


class ServableAndBankTests(FlowTestCase):
    def test_a_unit_in_stock_announces_the_application_it_can_serve(self) -> None:
        ines = self.acting("ines")
        services.application_create(
            acting=ines, household=self.jansens, programme=self.rental, category="fridge"
        )
        peeters = self.peeters
        from households.models import Enrolment

        Enrolment.objects.create(household=peeters, programme=self.rental, status="enrolled")
        services.application_create(
            acting=ines, household=peeters, programme=self.rental, category="fridge"
        )
        Notification.objects.all().delete()
        services.unit_create(
            acting=self.acting("cora"),
            appliance_model=self.fridge,
            serial="F-002",
            status="in_stock",
        )
        # Two fridges in stock: both waiting applications can be served.
        self.assertEqual(self.kinds(self.cora), ["rentals.application_servable"] * 2)
        self.assertEqual(self.kinds(self.ines), ["rentals.application_servable"] * 2)
        self.login("cora")
        home = self.client.get("/", headers={"accept-language": "en"})
        self.assertContains(home, "2 waiting applications can get a unit now")

    def test_unmatched_bank_lines_are_announced_to_the_collectors_desk(self) -> None:
        csv = (
            b"date;amount;counterparty;iban;communication\n"
            b"2026-03-04;7,50;X;BE71096123456769;nothing\n"
        )
        services.bank_statement_import(acting=self.acting("ines"), filename="bank.csv", data=csv)
        self.assertEqual(self.kinds(self.ines), ["rentals.bank_lines_unmatched"])
        self.login("ines")
        home = self.client.get("/", headers={"accept-language": "en"})
        self.assertContains(home, "1 bank line needs a person to match it")


class ConsentTests(FlowTestCase):
    def setUp(self) -> None:
        super().setUp()
        from households.models import Enrolment

        Enrolment.objects.create(household=self.peeters, programme=self.rental, status="enrolled")
        self.peeters.consents.all().delete()
        self.application = services.application_create(
            acting=self.acting("ines"),
            household=self.peeters,
            programme=self.rental,
            category="fridge",
        )

    def test_no_contract_without_consent_in_the_service(self) -> None:
        with self.assertRaises(ValidationError) as refused:
            services.contract_draft(acting=self.acting("ines"), application=self.application)
        self.assertIn("consent", str(refused.exception))
        consent(self.peeters)
        services.contract_draft(acting=self.acting("ines"), application=self.application)

    def test_a_withdrawn_consent_does_not_count(self) -> None:
        Consent.objects.create(
            household=self.peeters,
            purpose="programme",
            given_on=date(2026, 1, 2),
            withdrawn_on=date(2026, 2, 1),
        )
        with self.assertRaises(ValidationError):
            services.contract_draft(acting=self.acting("ines"), application=self.application)

    def test_no_contract_without_consent_on_the_page(self) -> None:
        self.login("ines")
        response = self.client.post(
            f"/rentals/applications/{self.application.pk}/contract/",
            follow=True,
            headers={"accept-language": "en"},
        )
        self.assertContains(response, "consent")
        self.assertFalse(Contract.objects.filter(application=self.application).exists())

    def test_no_contract_without_consent_in_the_api(self) -> None:
        token = api_token_create(user=self.ines)
        response = self.client.post(
            f"/api/v1/rentals/applications/{self.application.pk}/contract",
            {},
            content_type="application/json",
            headers={"authorization": f"Bearer {token}", "accept-language": "en"},
        )
        self.assertIn(response.status_code, (400, 409, 422))
        self.assertIn("consent", response.json()["message"])

    def test_the_household_page_says_the_consent_is_missing(self) -> None:
        self.login("ines")
        page = self.client.get(f"/households/{self.peeters.pk}/", headers={"accept-language": "en"})
        self.assertContains(page, "consent to take part")
        self.assertContains(page, "Record the consent")


class HubTests(FlowTestCase):
    def test_from_the_household_page_apply_contract_sign_and_see_the_balance(self) -> None:
        self.login("ines")
        url = f"/households/{self.jansens.pk}/"
        services.application_create(
            acting=self.acting("ines"),
            household=self.jansens,
            programme=self.rental,
            category="fridge",
        )
        page = self.client.get(url, headers={"accept-language": "en"})
        self.assertContains(page, "Apply for an appliance")
        self.assertContains(page, "Make the contract")
        application = Application.objects.get(household=self.jansens)
        self.client.post(f"/rentals/applications/{application.pk}/contract/", {"next": url})
        contract = Contract.objects.get(application=application)
        page = self.client.get(url, headers={"accept-language": "en"})
        self.assertContains(page, "Sign the contract")
        self.assertContains(page, f"/rentals/contracts/{contract.pk}/#sign")

    def test_cancelling_an_application_asks_first_and_works_without_javascript(self) -> None:
        application = services.application_create(
            acting=self.acting("ines"),
            household=self.jansens,
            programme=self.rental,
            category="fridge",
        )
        self.login("ines")
        url = f"/rentals/applications/{application.pk}/cancel/"
        asked = self.client.get(url, headers={"accept-language": "en"})
        self.assertContains(asked, "Are you sure")
        application.refresh_from_db()
        self.assertEqual(application.status, "waiting")
        self.client.post(url, {"confirm": "yes"})
        application.refresh_from_db()
        self.assertEqual(application.status, "cancelled")

    def test_ending_a_contract_asks_first(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 3, 10))
        self.login("ines")
        url = f"/rentals/contracts/{contract.pk}/end/"
        asked = self.client.post(
            url, {"reason": "moved", "on": "2026-06-30"}, headers={"accept-language": "en"}
        )
        self.assertContains(asked, "Are you sure")
        contract.refresh_from_db()
        self.assertEqual(contract.status, "active")
        self.client.post(url, {"reason": "moved", "on": "2026-06-30", "confirm": "yes"})
        contract.refresh_from_db()
        self.assertEqual(contract.status, "ended")


class BillingGuardTests(FlowTestCase):
    def test_a_skipped_month_must_be_confirmed(self) -> None:
        self.active_contract(installed_on=date(2026, 1, 10))
        cora = self.acting("cora")
        services.billing_run(programme=self.rental, month=date(2026, 1, 1), acting=cora)
        with self.assertRaises(ValidationError) as refused:
            services.billing_run(programme=self.rental, month=date(2026, 3, 1), acting=cora)
        self.assertIn("February 2026", str(refused.exception))
        result = services.billing_run(
            programme=self.rental, month=date(2026, 3, 1), acting=cora, confirm=True
        )
        self.assertGreater(result.created, 0)

    def test_the_next_month_needs_no_confirmation(self) -> None:
        self.active_contract(installed_on=date(2026, 1, 10))
        cora = self.acting("cora")
        services.billing_run(programme=self.rental, month=date(2026, 1, 1), acting=cora)
        services.billing_run(programme=self.rental, month=date(2026, 2, 1), acting=cora)

    def test_the_api_answers_409_with_the_message(self) -> None:
        self.active_contract(installed_on=date(2026, 1, 10))
        services.billing_run(
            programme=self.rental, month=date(2026, 1, 1), acting=self.acting("cora")
        )
        token = api_token_create(user=self.cora)
        headers = {"authorization": f"Bearer {token}", "accept-language": "en"}
        url = f"/api/v1/rentals/programmes/{self.rental.pk}/billing-runs"
        refused = self.client.post(
            url, {"month": "2026-03"}, content_type="application/json", headers=headers
        )
        self.assertEqual(refused.status_code, 409)
        self.assertIn("February 2026", refused.json()["message"])
        done = self.client.post(
            url,
            {"month": "2026-03", "confirm": True},
            content_type="application/json",
            headers=headers,
        )
        self.assertLess(done.status_code, 300)

    def test_the_page_shows_a_confirm_step(self) -> None:
        self.active_contract(installed_on=date(2026, 1, 10))
        services.billing_run(
            programme=self.rental, month=date(2026, 1, 1), acting=self.acting("cora")
        )
        self.login("cora")
        url = f"/rentals/collection/programmes/{self.rental.pk}/billing/"
        asked = self.client.post(url, {"month": "2026-03"}, headers={"accept-language": "en"})
        self.assertContains(asked, "February 2026", status_code=asked.status_code)
        self.assertContains(asked, 'name="confirm"', status_code=asked.status_code)
        self.assertFalse(Contract.objects.filter(charges__month=date(2026, 3, 1)).exists())


class SavingsGuardTests(FlowTestCase):
    def test_months_before_the_first_tariff_use_the_nearest_tariff_and_say_so(self) -> None:
        from rentals.selectors import impact

        contract = self.active_contract(installed_on=date(2026, 1, 10))
        self.rental.tariffs.update(valid_from=date(2026, 3, 1))
        yearly = impact.contract_yearly(contract, until=date(2026, 2, 28))
        self.assertGreater(yearly[2026].eur, Decimal("0"))
        note = impact.tariff_note(contract)
        self.assertIn("first tariff", note)


class FirstBillingRunGuardTests(FlowTestCase):
    """A programme that never billed: its first run must be the month of its earliest
    installed contract, or be confirmed (page, API and command alike)."""

    def setUp(self) -> None:
        super().setUp()
        self.contract = self.active_contract(installed_on=date(2026, 1, 10))

    def test_a_first_run_months_after_the_first_contract_must_be_confirmed(self) -> None:
        cora = self.acting("cora")
        with clock_at(date(2026, 5, 15)):
            with self.assertRaises(services.SkippedMonth) as refused:
                services.billing_run(programme=self.rental, month=date(2026, 4, 1), acting=cora)
            self.assertIn("January 2026", str(refused.exception))
            self.assertFalse(Contract.objects.filter(charges__isnull=False).exists())
            result = services.billing_run(
                programme=self.rental, month=date(2026, 4, 1), acting=cora, confirm=True
            )
        self.assertEqual(result.created, 1)

    def test_the_first_run_in_the_month_of_the_first_contract_needs_nothing(self) -> None:
        with clock_at(date(2026, 5, 15)):
            result = services.billing_run(
                programme=self.rental, month=date(2026, 1, 1), acting=self.acting("cora")
            )
        self.assertEqual(result.created, 1)

    def test_a_first_month_that_prorates_to_nothing_does_not_count_as_skipped(self) -> None:
        # Installed on 31 January at 0.10 a month: January owes 0.00 and creates no charge;
        # February, billed after it, must not be refused as if January had been left out.
        Contract.objects.filter(pk=self.contract.pk).update(
            start_date=date(2026, 1, 31), tenant_fee=Decimal("0.10"), subsidy=Decimal("0")
        )
        cora = self.acting("cora")
        with clock_at(date(2026, 5, 15)):
            january = services.billing_run(
                programme=self.rental, month=date(2026, 1, 1), acting=cora
            )
            february = services.billing_run(
                programme=self.rental, month=date(2026, 2, 1), acting=cora
            )
            # Started with March instead: February owed, so that is refused.
            Charge.objects.all().delete()
            with self.assertRaises(services.SkippedMonth) as refused:
                services.billing_run(programme=self.rental, month=date(2026, 3, 1), acting=cora)
        self.assertEqual((january.created, february.created), (0, 1))
        self.assertIn("February 2026", str(refused.exception))

    def test_the_api_answers_409_and_the_page_asks(self) -> None:
        token = api_token_create(user=self.cora)
        headers = {"authorization": f"Bearer {token}", "accept-language": "en"}
        url = f"/api/v1/rentals/programmes/{self.rental.pk}/billing-runs"
        with clock_at(date(2026, 5, 15)):
            refused = self.client.post(
                url, {"month": "2026-04"}, content_type="application/json", headers=headers
            )
            self.assertEqual(refused.status_code, 409)
            self.assertIn("January 2026", refused.json()["message"])
            self.login("cora")
            page = f"/rentals/collection/programmes/{self.rental.pk}/billing/"
            asked = self.client.post(page, {"month": "2026-04"}, headers={"accept-language": "en"})
            self.assertContains(asked, "January 2026", status_code=asked.status_code)
            self.assertContains(asked, 'name="confirm"', status_code=asked.status_code)
        self.assertFalse(Contract.objects.filter(charges__isnull=False).exists())

    def test_the_command_refuses_and_takes_confirm(self) -> None:
        from io import StringIO

        from django.core.management import CommandError, call_command

        args = ("billing_run", "--programme", self.rental.slug, "--month", "2026-04")
        with clock_at(date(2026, 5, 15)):
            with self.assertRaises(CommandError) as refused:
                call_command(*args, stdout=StringIO())
            self.assertIn("2026", str(refused.exception))
            self.assertFalse(Contract.objects.filter(charges__isnull=False).exists())
            call_command(*args, "--confirm", stdout=StringIO())
        self.assertTrue(Contract.objects.filter(charges__month=date(2026, 4, 1)).exists())


class BillingGapGuardTests(FlowTestCase):
    """A programme billed before: the month before the one billed must have been billed when
    it owes something. A month that owes nothing (its only contract's charge prorates to 0.00,
    so billing it creates no charge) is no gap."""

    def setUp(self) -> None:
        super().setUp()
        self.contract = self.active_contract(installed_on=date(2026, 1, 10))
        # 0.10 a month, ended on 1 February: January owes 0.07, February 1/28 of 0.10 = 0.00.
        Contract.objects.filter(pk=self.contract.pk).update(
            tenant_fee=Decimal("0.10"), subsidy=Decimal("0"), end_date=date(2026, 2, 1)
        )

    def test_a_middle_month_that_owes_nothing_is_no_gap(self) -> None:
        cora = self.acting("cora")
        with clock_at(date(2026, 5, 15)):
            self.active_contract(category="fridge", installed_on=date(2026, 3, 2))
            january = services.billing_run(
                programme=self.rental, month=date(2026, 1, 1), acting=cora
            )
            february = services.billing_run(
                programme=self.rental, month=date(2026, 2, 1), acting=cora
            )
            # February was billed and owed nothing: March follows it without a question.
            march = services.billing_run(programme=self.rental, month=date(2026, 3, 1), acting=cora)
        self.assertEqual((january.created, february.created, march.created), (1, 0, 1))

    def test_a_middle_month_that_owes_is_still_a_gap(self) -> None:
        cora = self.acting("cora")
        with clock_at(date(2026, 5, 15)):
            # A fridge from 27 February at 8.00: February owes 0.57 for it, and was never billed.
            self.active_contract(category="fridge", installed_on=date(2026, 2, 27))
            services.billing_run(programme=self.rental, month=date(2026, 1, 1), acting=cora)
            with self.assertRaises(services.SkippedMonth) as refused:
                services.billing_run(programme=self.rental, month=date(2026, 3, 1), acting=cora)
            self.assertIn("February 2026", str(refused.exception))
            services.billing_run(programme=self.rental, month=date(2026, 2, 1), acting=cora)
            march = services.billing_run(programme=self.rental, month=date(2026, 3, 1), acting=cora)
        self.assertEqual(march.created, 1)
