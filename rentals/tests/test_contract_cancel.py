"""Cancelling a draft or signed contract that was never installed (services.contract_cancel):
the unit goes back in stock, planned visits are cancelled, the record stays with the reason;
an installed contract is refused (it is ended instead). Service, page and API, per role."""

from datetime import date
from typing import Any

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import AuditEvent, Notification
from core.tests.test_api import ApiTestCase
from households.models import Enrolment
from rentals import services
from rentals.models import Application, Contract, UnitStatus, Visit
from rentals.tests.cast import RentalTestCase

REASON = "Household moved to another city"


class CancelMixin(RentalTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.travel = time_machine.travel(date(2026, 2, 20))
        self.travel.start()
        self.addCleanup(self.travel.stop)
        Enrolment.objects.create(household=self.peeters, programme=self.rental, status="enrolled")

    def draft(self) -> Contract:
        application = services.application_create(
            acting=self.acting("ines"),
            household=self.jansens,
            programme=self.rental,
            category="washing_machine",
        )
        return services.contract_draft(acting=self.acting("ines"), application=application)

    def signed(self) -> Contract:
        contract = services.contract_sign(
            acting=self.acting("ines"),
            contract=self.draft(),
            payment_method="transfer",
            installation_on=date(2026, 3, 2),
        )
        visit = contract.visits.get(kind=Visit.Kind.INSTALLATION)
        services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        return contract


class CancelServiceTest(CancelMixin):
    def test_a_signed_contract_is_cancelled_and_kept(self) -> None:
        contract = self.signed()
        unit = contract.unit
        self.assertEqual(unit.status, UnitStatus.RESERVED)
        cancelled = services.contract_cancel(
            acting=self.acting("ines"), contract=contract, reason=f"  {REASON} "
        )
        self.assertEqual(cancelled.status, Contract.Status.CANCELLED)
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.CANCELLED)
        self.assertEqual(contract.cancel_reason, REASON)
        self.assertIsNotNone(contract.cancelled_at)
        unit.refresh_from_db()
        self.assertEqual(unit.status, UnitStatus.IN_STOCK)
        self.assertEqual(
            set(contract.visits.values_list("status", flat=True)), {Visit.Status.CANCELLED}
        )
        self.assertEqual(contract.application.status, Application.Status.CANCELLED)
        # The technician it was given to hears it; the audit log says who, via which channel.
        self.assertTrue(
            Notification.objects.filter(recipient=self.tom, kind="rentals.visit_cancelled").exists()
        )
        event = AuditEvent.objects.filter(subject__endswith=f"contract {contract.pk} cancelled")
        self.assertEqual(list(event.values_list("via", flat=True)), ["web"])

    def test_a_draft_can_be_cancelled_and_its_unit_serves_the_next(self) -> None:
        contract = self.draft()
        services.contract_cancel(acting=self.acting("cora"), contract=contract, reason=REASON)
        # The unit is free for another application.
        application = services.application_create(
            acting=self.acting("ines"),
            household=self.peeters,
            programme=self.rental,
            category="washing_machine",
        )
        again = services.contract_draft(acting=self.acting("ines"), application=application)
        self.assertEqual(again.status, Contract.Status.DRAFT)

    def test_without_a_reason_nothing_changes(self) -> None:
        contract = self.signed()
        with self.assertRaises(ValidationError) as caught:
            services.contract_cancel(acting=self.acting("ines"), contract=contract, reason=" ")
        self.assertIn("reason", caught.exception.message_dict)
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.SIGNED)

    def test_an_installed_contract_is_refused(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 2, 10))
        with self.assertRaises(ValidationError) as caught:
            services.contract_cancel(acting=self.acting("ines"), contract=contract, reason=REASON)
        self.assertIn("end it instead", caught.exception.messages[0])
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.ACTIVE)
        self.assertEqual(contract.unit.status, UnitStatus.INSTALLED)

    def test_a_cancelled_contract_is_not_cancelled_twice(self) -> None:
        contract = self.draft()
        services.contract_cancel(acting=self.acting("ines"), contract=contract, reason=REASON)
        with self.assertRaises(ValidationError):
            services.contract_cancel(acting=self.acting("ines"), contract=contract, reason=REASON)

    def test_roles(self) -> None:
        contract = self.signed()
        for username, error in (
            ("vera", PermissionDenied),  # a viewer of the registering office
            ("tom", PermissionDenied),  # the supplier's technician
            ("ilse", PermissionDenied),  # another partner: the contract is not visible to it
            ("otto", PermissionDenied),  # a stranger
        ):
            with self.subTest(user=username), self.assertRaises(error):
                services.contract_cancel(
                    acting=self.acting(username), contract=contract, reason=REASON
                )
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.SIGNED)


class CancelPageTest(CancelMixin):
    def url(self, contract: Contract) -> str:
        return reverse("rentals:contract_cancel", args=[contract.pk])

    def test_the_contract_page_offers_it_and_the_confirmation_asks_the_reason(self) -> None:
        contract = self.signed()
        self.login("cora")
        detail = self.client.get(reverse("rentals:contract", args=[contract.pk]))
        self.assertContains(detail, self.url(contract))
        page = self.client.get(self.url(contract))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, 'name="reason"')
        self.assertContains(page, 'name="confirm" value="yes"')
        # No reason: the page again, with the error, nothing changed.
        response = self.client.post(self.url(contract), {"reason": "", "confirm": "yes"})
        self.assertEqual(response.status_code, 400)
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.SIGNED)
        response = self.client.post(self.url(contract), {"reason": REASON, "confirm": "yes"})
        self.assertRedirects(response, reverse("rentals:contract", args=[contract.pk]))
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.CANCELLED)
        detail = self.client.get(reverse("rentals:contract", args=[contract.pk]))
        self.assertContains(detail, REASON)
        self.assertNotContains(detail, self.url(contract))

    def test_an_installed_contract_is_sent_back(self) -> None:
        contract = self.active_contract(installed_on=date(2026, 2, 10))
        self.login("ines")
        response = self.client.post(self.url(contract), {"reason": REASON, "confirm": "yes"})
        self.assertRedirects(response, reverse("rentals:contract", args=[contract.pk]))
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.ACTIVE)

    def test_roles(self) -> None:
        contract = self.signed()
        for username, status in (("vera", 403), ("tom", 403), ("ilse", 404), ("otto", 404)):
            self.login(username)
            for method in ("get", "post"):
                with self.subTest(user=username, method=method):
                    response: Any = getattr(self.client, method)(
                        self.url(contract), {"reason": REASON, "confirm": "yes"}
                    )
                    self.assertEqual(response.status_code, status)
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.SIGNED)


class CancelApiTest(CancelMixin, ApiTestCase):
    def path(self, contract: Contract) -> str:
        return f"/api/v1/rentals/contracts/{contract.pk}/cancel"

    def test_cancel_through_the_api(self) -> None:
        contract = self.signed()
        response = self.post(self.path(contract), "ines", data={"reason": REASON})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body["status"], body["cancel_reason"]), ("cancelled", REASON))
        self.assertEqual(
            AuditEvent.objects.filter(subject__endswith=f"contract {contract.pk} cancelled")
            .values_list("via", flat=True)
            .get(),
            "api",
        )

    def test_refusals(self) -> None:
        contract = self.signed()
        self.assertError(self.post(self.path(contract), "ines", data={"reason": ""}), 422, "reason")
        self.assertEqual(
            self.post(self.path(contract), "vera", data={"reason": REASON}).status_code, 403
        )
        self.assertEqual(
            self.post(self.path(contract), "otto", data={"reason": REASON}).status_code, 404
        )
        active = self.active_contract(self.peeters, installed_on=date(2026, 2, 10))
        response = self.post(self.path(active), "ines", data={"reason": REASON})
        self.assertIn(response.status_code, (400, 409, 422))
        contract.refresh_from_db()
        self.assertEqual(contract.status, Contract.Status.SIGNED)
