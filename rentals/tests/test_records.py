"""Documents fit for records: tagged accessible PDFs (PDF/UA-1), the SEPA mandate with the
creditor identifier on direct-debit contracts, dates in the letter's language."""

from datetime import date

from rentals import documents
from rentals.tests.cast import RentalTestCase
from wijk.testing import pdf_text


class RecordsTest(RentalTestCase):
    def test_the_contract_pdf_is_tagged_pdf_ua(self) -> None:
        contract = self.active_contract()
        body = pdf_text(documents.contract_pdf(contract=contract))
        self.assertIn(b"/StructTreeRoot", body)  # tagged: headings, paragraphs, tables
        self.assertIn(b"/Marked true", body)
        self.assertIn(b"pdfuaid:part", body)  # declares PDF/UA-1
        self.assertIn(b"/Lang", body)

    def test_a_direct_debit_contract_carries_the_sepa_mandate(self) -> None:
        self.ocmw.sepa_creditor_id = "BE69ZZZ050D000000008"
        self.ocmw.save()
        contract = self.active_contract(payment_method="direct_debit")
        self.jansens.language = "en"
        self.jansens.save()
        html = documents.contract_html(contract=contract)
        self.assertIn("SEPA direct debit mandate", html)
        self.assertIn("By signing this mandate form, you authorise (A) OCMW Brugge", html)
        self.assertIn("A refund must be claimed within 8 weeks", html)
        self.assertIn("BE69ZZZ050D000000008", html)
        self.assertIn("BE71096123456769", html)
        self.assertIn("Recurrent payment", html)
        # A transfer contract has no mandate.
        other = self.active_contract(category="fridge", payment_method="transfer")
        self.assertNotIn("SEPA direct debit mandate", documents.contract_html(contract=other))

    def test_english_dates_are_written_out(self) -> None:
        self.jansens.language = "en"
        self.jansens.save()
        contract = self.active_contract(installed_on=date(2026, 9, 21))
        html = documents.contract_html(contract=contract)
        self.assertIn("21 September 2026", html)
        self.assertNotIn("Sept. 21, 2026", html)
