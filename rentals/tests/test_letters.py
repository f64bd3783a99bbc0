"""Letters that do the work: taking the reminder step makes the reminder letter (a PDF in the
household's language, plain words, the amount, the reference, whom to call, a payment QR
code), kept on the step and ready to print from the household's money page."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from rentals import letters
from rentals.models import ArrearsStep
from rentals.tests.cast import RentalTestCase
from wijk.testing import clock_at


class ReminderLetterTest(RentalTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ocmw.phone = "050 32 44 00"
        self.ocmw.iban = "BE71096123456769"
        self.ocmw.save()
        with clock_at(date(2026, 7, 1)):
            self.contract = self.active_contract(installed_on=date(2026, 3, 10))
            from rentals import services

            for month in (3, 4, 5):
                services.billing_run(programme=self.rental, month=date(2026, month, 1))

    def take_step(self, language: str = "nl") -> ArrearsStep:
        self.jansens.language = language
        self.jansens.save()
        self.login("ines")
        with clock_at(date(2026, 9, 21)):
            response = self.client.post(
                reverse("collection:arrears_step", kwargs={"household_pk": self.jansens.pk}),
                {"level": "1", "note": ""},
            )
        self.assertEqual(response.status_code, 302)
        return ArrearsStep.objects.get()

    def test_the_reminder_step_keeps_its_letter_ready_to_print(self) -> None:
        step = self.take_step()
        self.assertTrue(bytes(step.letter).startswith(b"%PDF"))
        page = self.client.get(
            reverse("collection:household", kwargs={"household_pk": self.jansens.pk})
        )
        url = reverse("collection:arrears_letter", kwargs={"household_pk": self.jansens.pk})
        self.assertContains(page, f"{url}?step={step.pk}")
        response = self.client.get(url, {"step": step.pk})
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response.content, bytes(step.letter))
        # Another organisation cannot read it; nor can one that does not collect.
        self.client.logout()
        self.login("ilse")
        self.assertIn(self.client.get(url).status_code, (403, 404))

    def test_the_letter_in_plain_english_with_what_to_pay_and_whom_to_call(self) -> None:
        step = self.take_step("en")
        html = letters.reminder_html(step=step, collector=self.ocmw)
        self.assertIn('<html lang="en">', html)
        self.assertIn("21 September 2026", html)
        self.assertNotIn("Sept.", html)
        self.assertIn("A reminder about your rent", html)
        self.assertIn(f"We have not yet received €{step.arrears:.2f}", html)
        self.assertIn(self.contract.payment_reference, html)
        self.assertIn("BE71096123456769", html)
        self.assertIn("Call OCMW Brugge: 050 32 44 00", html)
        self.assertIn("Structured communication", html)  # a Belgian lead
        self.assertIn("<svg", html)  # the payment QR code
        self.assertIn("Scan this code with your banking app", html)

    def test_the_letter_in_the_households_language(self) -> None:
        step = self.take_step("fr")
        html = letters.reminder_html(step=step, collector=self.ocmw)
        self.assertIn('<html lang="fr">', html)
        self.assertIn("21 septembre 2026", html)

    def test_other_steps_make_no_letter(self) -> None:
        self.login("ines")
        self.client.post(
            reverse("collection:arrears_step", kwargs={"household_pk": self.jansens.pk}),
            {"level": "2", "note": "Called."},
        )
        self.assertEqual(bytes(ArrearsStep.objects.get().letter), b"")

    def test_the_qr_code_pays_the_amount_with_the_reference(self) -> None:
        from money.epc import epc_payload

        payload = epc_payload(
            name="OCMW Brugge",
            iban=self.ocmw.iban,
            amount=Decimal("15.00"),
            reference=self.contract.payment_reference,
        )
        digits = "".join(c for c in self.contract.payment_reference if c.isdigit())
        self.assertEqual(payload.split("\n")[-1], digits)
        svg = letters.payment_qr(
            collector=self.ocmw, amount=Decimal("15.00"), reference=self.contract.payment_reference
        )
        self.assertIsNotNone(svg)
        self.ocmw.iban = ""
        self.assertIsNone(
            letters.payment_qr(collector=self.ocmw, amount=Decimal("15.00"), reference="x")
        )


class ResidentPagePaysWithAPhoneTest(RentalTestCase):
    def test_the_resident_page_carries_the_payment_qr_when_something_is_due(self) -> None:
        from rentals import services
        from rentals.services.resident import resident_access_issue

        self.ocmw.iban = "BE71096123456769"
        self.ocmw.save()
        with clock_at(date(2026, 7, 1)):
            contract = self.active_contract(installed_on=date(2026, 3, 10))
            services.billing_run(programme=self.rental, month=date(2026, 4, 1), confirm=True)
        key, pin = resident_access_issue(acting=self.acting("ines"), household=self.jansens)
        self.client.post(f"/r/{key}/", {"pin": pin})
        with clock_at(date(2026, 7, 1)):
            page = self.client.get(f"/r/{key}/home/?lang=en")  # the resident's choice: English
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Scan with your banking app to pay")  # the QR code's title
        self.assertContains(page, contract.payment_reference)
        self.assertContains(page, "BE71096123456769")
