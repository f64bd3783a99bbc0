"""The rental PDFs: each renders, in the reader's language, with the right figures.

pypdf is not installed, so the text checks run on the HTML the PDF is made from
(documents.*_html); the *_pdf functions are checked to give a PDF.
Word checks use an English household: Dutch and French translations come later, and the
locale-dependent parts (lang attribute, money and date formats) are checked in nl and fr.
"""

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import segno
from babel.numbers import format_currency, format_decimal
from django.utils import translation

from households.models import Household
from rentals import documents, services
from rentals.models import Application, Contract
from rentals.selectors import impact
from rentals.selectors.remittance import (
    Remittance,
    RemittanceMonth,
    RemittanceProgramme,
    RemittanceTotals,
    remittance_data,
)
from rentals.tests.cast import RentalTestCase

TODAY = date(2026, 11, 27)


def eur(amount: str | Decimal, locale: str) -> str:
    return format_currency(Decimal(amount), "EUR", locale=locale)


def speak(household: Household, language: str) -> None:
    Household.objects.filter(pk=household.pk).update(language=language)
    household.refresh_from_db()


def svgs(html: str) -> list[ET.Element]:
    """Every inline <svg> of a page, parsed as XML (so each must be well-formed)."""
    return [ET.fromstring(m) for m in re.findall(r"<svg.*?</svg>", html, flags=re.S)]


class ContractDocumentTests(RentalTestCase):
    def test_pdf_renders(self) -> None:
        pdf = documents.contract_pdf(contract=self.active_contract())
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertGreater(len(pdf), 2000)

    def test_dutch_household_gets_dutch_locale_formats(self) -> None:
        contract = self.active_contract()
        html = documents.contract_html(contract=contract)
        self.assertIn('<html lang="nl">', html)
        self.assertIn(contract.payment_reference, html)
        self.assertRegex(contract.payment_reference, r"^\+\+\+\d{3}/\d{4}/\d{5}\+\+\+$")
        for amount in ("7.50", "2.00", "9.50"):
            self.assertIn(eur(amount, "nl"), html)
        self.assertIn(contract.unit.serial, html)
        self.assertIn("Bosch WAN28", html)
        self.assertIn(self.jansens.address_line, html)
        self.assertIn(self.lead.name, html)
        self.assertIn(self.ocmw.name, html)

    def test_french_household_gets_french_locale_formats(self) -> None:
        speak(self.jansens, "fr")
        contract = self.active_contract()
        with translation.override("nl"):
            html = documents.contract_html(contract=contract)
            # The household's language is used only inside the document.
            self.assertEqual(translation.get_language(), "nl")
        self.assertIn('<html lang="fr">', html)
        self.assertIn(eur("7.50", "fr"), html)
        self.assertNotIn(eur("7.50", "nl"), html)
        self.assertIn(contract.payment_reference, html)

    def test_plain_content_in_english(self) -> None:
        speak(self.jansens, "en")
        self.ocmw.phone = "050 32 44 00"
        self.ocmw.iban = "BE71096123456769"
        self.ocmw.save()
        contract = self.active_contract()
        html = documents.contract_html(contract=contract)
        self.assertIn('<html lang="en">', html)
        self.assertIn("The contract runs for 120 months.", html)
        self.assertIn("That is 10 years.", html)
        self.assertIn("This price stays the same for the whole contract.", html)
        self.assertIn("taking away your old appliance, so it can be recycled;", html)
        self.assertIn("Call OCMW Brugge: 050 32 44 00", html)
        self.assertIn("BE71096123456769", html)
        self.assertIn("Always use this payment reference:", html)
        self.assertIn("Washing machine", html)
        # The first free unit is the refurbished W-003 (refurbished units go out first).
        self.assertEqual(contract.unit.serial, "W-003")
        self.assertIn("This appliance is refurbished.", html)
        self.assertNotIn("Draft: this contract is not signed yet.", html)
        self.assertIn("Signed on", html)
        self.assertIn("Your appliance was installed on 10 March 2026.", html)

    def test_phone_of_lead_when_collector_has_none(self) -> None:
        speak(self.jansens, "en")
        self.lead.phone = "056 11 22 33"
        self.lead.save()
        html = documents.contract_html(contract=self.active_contract())
        self.assertIn(f"Call {self.lead.name}: 056 11 22 33", html)

    def test_direct_debit_shows_the_account(self) -> None:
        speak(self.jansens, "en")
        # Signed here rather than with cast.active_contract: the cast's direct-debit IBAN
        # (BE68539007547034) does not pass stdnum's Belgian bank-code check.
        ines = self.acting("ines")
        application = services.application_create(
            acting=ines, household=self.jansens, programme=self.rental, category="fridge"
        )
        contract = services.contract_draft(acting=ines, application=application)
        contract = services.contract_sign(
            acting=ines,
            contract=contract,
            payment_method="direct_debit",
            installation_on=date(2026, 3, 10),
            debtor_iban="BE71 0961 2345 6769",
        )
        html = documents.contract_html(contract=contract)
        self.assertIn("BE71096123456769", html)
        self.assertIn(contract.mandate_id, html)
        self.assertIn(contract.payment_reference, html)
        self.assertNotIn("Always use this payment reference:", html)
        self.assertIn("We plan to bring and install the appliance on 10 March 2026.", html)

    def test_draft_is_marked(self) -> None:
        speak(self.jansens, "en")
        ines = self.acting("ines")
        application = services.application_create(
            acting=ines, household=self.jansens, programme=self.rental, category="fridge"
        )
        contract = services.contract_draft(acting=ines, application=application)
        html = documents.contract_html(contract=contract)
        self.assertIn("Draft: this contract is not signed yet.", html)
        self.assertIn("This appliance is new.", html)
        self.assertNotIn("We plan to bring and install", html)  # not signed: no visit yet
        self.assertIn("Liebherr K 3710", html)
        self.assertTrue(documents.contract_pdf(contract=contract).startswith(b"%PDF"))

    def test_page_counter_comes_from_one_translated_sentence(self) -> None:
        with translation.override("en"):
            css = documents._page_counter_css()
        self.assertEqual(css, '"Page " counter(page) " of " counter(pages)')

    def test_names_are_escaped(self) -> None:
        Household.objects.filter(pk=self.jansens.pk).update(last_name="<b>Jansens</b>")
        self.jansens.refresh_from_db()
        html = documents.contract_html(contract=self.active_contract())
        self.assertNotIn("<b>Jansens</b>", html)
        self.assertIn("&lt;b&gt;Jansens&lt;/b&gt;", html)


class UnitLabelTests(RentalTestCase):
    def test_one_label_per_unit_with_qr_and_text(self) -> None:
        units = [self.unit("W-001"), self.unit("W-003"), self.unit("F-001")]
        html = documents.unit_label_html(units=units, language="en")
        self.assertEqual(html.count('class="label"'), 3)
        qrs = svgs(html)
        self.assertEqual(len(qrs), 3)
        for unit in units:
            self.assertIn(f'data-label-code="{unit.label_code}"', html)
            self.assertIn(f"Serial number: {unit.serial}", html)
            self.assertIn(unit.appliance_model.brand, html)
            self.assertIn(unit.appliance_model.model_name, html)
        self.assertEqual(html.count("Refurbished"), 1)

    def test_qr_encodes_the_scan_path(self) -> None:
        unit = self.unit("W-001")
        expected = segno.make(f"/rentals/units/scan/{unit.label_code}/", error="m")
        self.assertEqual(
            str(documents.unit_qr_svg(unit)),
            expected.svg_inline(scale=1, border=2, omitsize=True),
        )
        other = segno.make(f"/rentals/units/scan/{self.unit('W-002').label_code}/", error="m")
        self.assertNotEqual(
            str(documents.unit_qr_svg(unit)), other.svg_inline(scale=1, border=2, omitsize=True)
        )

    def test_24_labels_fill_one_sheet(self) -> None:
        # Imported here, as in rentals.documents: WeasyPrint is slow to load.
        from weasyprint import HTML

        four = [self.unit(s) for s in ("W-001", "W-002", "W-003", "F-001")]
        for count, pages in ((24, 1), (25, 2)):
            html = documents.unit_label_html(units=(four * 7)[:count], language="en")
            self.assertEqual(len(HTML(string=html).render().pages), pages, count)

    def test_pdf_renders_and_keeps_the_order_given(self) -> None:
        units = [self.unit("F-001"), self.unit("W-001"), self.unit("F-001")]
        html = documents.unit_label_html(units=units, language="en")
        codes = re.findall(r'data-label-code="(\w+)"', html)
        self.assertEqual(codes, [u.label_code for u in units])
        self.assertTrue(documents.unit_label_pdf(units=units).startswith(b"%PDF"))
        self.assertTrue(documents.unit_label_pdf(units=[]).startswith(b"%PDF"))


class SavingsStatementTests(RentalTestCase):
    def test_figures_are_those_of_rentals_impact(self) -> None:
        contract = self.active_contract()
        data = documents.savings_statement_data(household=self.jansens, year=2026, today=TODAY)
        yearly = impact.contract_yearly(contract, TODAY)
        (row,) = data.rows
        self.assertEqual(row.contract, contract)
        self.assertEqual(row.year, yearly[2026])
        self.assertEqual(row.since, impact.total(yearly))
        self.assertEqual(data.year_total, impact.household_yearly(self.jansens, TODAY)[2026])
        self.assertGreater(row.year.kwh, 0)
        self.assertFalse(row.negative)

    def test_html_shows_the_figures_in_the_household_locale(self) -> None:
        contract = self.active_contract()
        year = impact.contract_yearly(contract, TODAY)[2026]
        html = documents.savings_statement_html(household=self.jansens, year=2026, today=TODAY)
        self.assertIn('<html lang="nl">', html)
        self.assertIn(eur(year.eur, "nl"), html)
        self.assertIn(eur(year.water_eur, "nl"), html)
        self.assertIn(format_decimal(year.kwh, format="#,##0", locale="nl") + " kWh", html)
        self.assertIn(format_decimal(year.co2_kg, format="#,##0", locale="nl") + " kg", html)
        (chart,) = svgs(html)
        self.assertEqual(chart.get("role"), "img")
        self.assertIn(
            eur(year.eur + year.water_eur, "nl"),
            chart.findtext("{http://www.w3.org/2000/svg}desc") or "",
        )

    def test_plain_words_in_english(self) -> None:
        speak(self.jansens, "en")
        self.active_contract()
        html = documents.savings_statement_html(household=self.jansens, year=2026, today=TODAY)
        self.assertIn("What you saved in 2026", html)
        # Old appliance described by its age only: the sentence says so.
        self.assertIn("appliance of the same kind and age (more than 15 years)", html)
        self.assertNotIn("negative", html.split("<body>")[1].replace('class="negative"', ""))

    def test_measured_old_appliance_is_explained(self) -> None:
        speak(self.jansens, "en")
        contract = self.active_contract()
        Application.objects.filter(pk=contract.application_id).update(
            old_measured_kwh=Decimal("300")
        )
        html = documents.savings_statement_html(household=self.jansens, year=2026, today=TODAY)
        self.assertIn("with a meter on the plug", html)

    def test_negative_saving_is_told_honestly_and_drawn_below_zero(self) -> None:
        speak(self.jansens, "en")
        # A fridge (no water): a plug meter showed the old one used less than the new one
        # (101 kWh a year), so electricity and money saved are both negative.
        contract = self.active_contract(category="fridge")
        Application.objects.filter(pk=contract.application_id).update(
            old_measured_kwh=Decimal("50")
        )
        data = documents.savings_statement_data(household=self.jansens, year=2026, today=TODAY)
        (row,) = data.rows
        self.assertLess(row.year.kwh, 0)
        self.assertTrue(row.negative)
        html = documents.savings_statement_html(household=self.jansens, year=2026, today=TODAY)
        self.assertIn("So the saving is negative.", html)
        self.assertIn(eur(row.year.eur, "en"), html)
        (chart,) = svgs(html)
        (bar,) = [el for el in chart.iter() if el.get("class") == "bar"]
        (zero,) = [el for el in chart.iter() if el.get("class") == "zero"]
        self.assertAlmostEqual(float(bar.get("y", "nan")), float(zero.get("y1", "nan")), 1)
        self.assertEqual(Decimal(bar.get("data-value", "nan")), row.year.eur)
        self.assertLess(row.year.eur, 0)
        self.assertIn("your appliances used", html)  # the total told as a cost, not a saving

    def test_chart_has_a_bar_per_year(self) -> None:
        contract = self.active_contract()
        later = date(2027, 6, 30)
        html = documents.savings_statement_html(household=self.jansens, year=2027, today=later)
        (chart,) = svgs(html)
        self.assertEqual(len([el for el in chart.iter() if el.get("class") == "bar"]), 2)
        data = documents.savings_statement_data(household=self.jansens, year=2027, today=later)
        self.assertEqual(list(data.per_year), [2026, 2027])
        self.assertEqual(data.since_total, impact.total(impact.contract_yearly(contract, later)))

    def test_ended_contract_before_the_year_is_left_out(self) -> None:
        speak(self.jansens, "en")
        contract = self.active_contract()
        services.contract_end(
            acting=self.acting("ines"), contract=contract, reason="moved", on=date(2026, 6, 30)
        )
        data = documents.savings_statement_data(
            household=self.jansens, year=2027, today=date(2027, 3, 1)
        )
        self.assertEqual(data.rows, ())
        html = documents.savings_statement_html(
            household=self.jansens, year=2027, today=date(2027, 3, 1)
        )
        self.assertIn("You had no rented appliance in 2027.", html)

    def test_savings_that_cannot_be_computed_do_not_break_the_statement(self) -> None:
        speak(self.jansens, "en")
        contract = self.active_contract()
        # An old label without its scale: the savings model refuses it.
        Application.objects.filter(pk=contract.application_id).update(
            old_label="E", old_label_scale=""
        )
        data = documents.savings_statement_data(household=self.jansens, year=2026, today=TODAY)
        (row,) = data.rows
        self.assertTrue(row.unknown)
        self.assertEqual(data.year_total, impact.PeriodSavings())
        html = documents.savings_statement_html(household=self.jansens, year=2026, today=TODAY)
        self.assertIn("We cannot calculate the saving of this appliance yet", html)
        pdf = documents.savings_statement_pdf(household=self.jansens, year=2026, today=TODAY)
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_pdf_renders(self) -> None:
        self.active_contract()
        pdf = documents.savings_statement_pdf(household=self.jansens, year=2026, today=TODAY)
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_pdf_for_a_household_without_contracts(self) -> None:
        pdf = documents.savings_statement_pdf(household=self.peeters, year=2026, today=TODAY)
        self.assertTrue(pdf.startswith(b"%PDF"))


class RemittanceStatementTests(RentalTestCase):
    def data(self, totals: RemittanceTotals | None = None) -> Remittance:
        def month(day: date, charged: str, collected: str) -> RemittanceMonth:
            return RemittanceMonth(
                month=day,
                tenant_charged=Decimal(charged),
                subsidy=Decimal("0"),
                collected=Decimal(collected),
            )

        first = RemittanceProgramme(
            programme_id=1,
            programme="Huishoudtoestellen huren",
            households=2,
            contracts=3,
            tenant_charged=Decimal("1234.50"),
            subsidy=Decimal("300.00"),
            collected=Decimal("1100.25"),
            open_at_year_end=Decimal("134.25"),
            months=(
                month(date(2026, 10, 1), "600.00", "600.00"),
                month(date(2026, 11, 1), "634.50", "500.25"),
            ),
        )
        second = RemittanceProgramme(
            programme_id=2,
            programme="Tweede programma",
            households=1,
            contracts=1,
            tenant_charged=Decimal("10.00"),
            subsidy=Decimal("2.00"),
            collected=Decimal("0.00"),
            open_at_year_end=Decimal("10.00"),
            months=(month(date(2026, 11, 1), "10.00", "0.00"),),
        )
        return Remittance(
            year=2026,
            collector="OCMW Brugge",
            programmes=(first, second),
            totals=totals
            or RemittanceTotals(
                households=3,
                contracts=4,
                tenant_charged=Decimal("1244.50"),
                subsidy=Decimal("302.00"),
                collected=Decimal("1100.25"),
                open_at_year_end=Decimal("144.25"),
                received=Decimal("1100.25"),
            ),
        )

    def test_totals_and_months_in_the_organisation_locale(self) -> None:
        html = documents.remittance_statement_html(
            organisation=self.ocmw, year=2026, data=self.data()
        )
        self.assertIn('<html lang="nl">', html)
        self.assertIn("OCMW Brugge", html)
        for amount in ("1234.50", "1100.25", "134.25", "1244.50", "302.00", "144.25"):
            self.assertIn(eur(amount, "nl"), html)
        (chart,) = svgs(html)
        found = [el for el in chart.iter() if el.get("class") == "bar"]
        self.assertEqual(len(found), 4)  # two months × (charged, collected)
        # November: the two programmes summed.
        self.assertEqual([el.get("data-value") for el in found[2:]], ["644.50", "500.25"])

    def test_real_remittance_data(self) -> None:
        contract = self.active_contract()  # installed 10 March 2026
        for month in (3, 4, 5):
            services.billing_run(programme=self.rental, month=date(2026, month, 1))
        ines = self.acting("ines")
        services.payment_record(
            acting=ines,
            household=self.jansens,
            amount=Decimal("10.00"),
            received_on=date(2026, 5, 20),
            method="transfer",
            reference=contract.payment_reference,
        )
        data = remittance_data(acting=ines, year=2026)
        html = documents.remittance_statement_html(organisation=self.ocmw, year=2026, data=data)
        totals = data.totals
        self.assertIn(eur(totals.tenant_charged, "nl"), html)
        self.assertIn(eur(totals.collected, "nl"), html)
        self.assertIn(eur(totals.open_at_year_end, "nl"), html)
        self.assertIn(eur(totals.received, "nl"), html)
        self.assertEqual(totals.collected, Decimal("10.00"))
        (chart,) = svgs(html)
        found = [el for el in chart.iter() if el.get("class") == "bar"]
        self.assertEqual(len(found), 24)  # January to December, charged and collected
        may = found[8:10]
        self.assertEqual([Decimal(el.get("data-value", "")) for el in may][1], Decimal("10.00"))
        pdf = documents.remittance_statement_pdf(organisation=self.ocmw, year=2026, data=data)
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_given_totals_are_used(self) -> None:
        totals = RemittanceTotals(
            households=3,
            contracts=4,
            tenant_charged=Decimal("1299.99"),
            subsidy=Decimal("302.00"),
            collected=Decimal("1100.25"),
            open_at_year_end=Decimal("144.25"),
            received=Decimal("1200.00"),
        )
        html = documents.remittance_statement_html(
            organisation=self.ocmw, year=2026, data=self.data(totals)
        )
        self.assertIn(eur("1299.99", "nl"), html)
        self.assertIn(eur("1200.00", "nl"), html)

    def test_french_organisation(self) -> None:
        self.ocmw.language = "fr"
        self.ocmw.save()
        html = documents.remittance_statement_html(
            organisation=self.ocmw, year=2026, data=self.data()
        )
        self.assertIn('<html lang="fr">', html)
        self.assertIn(eur("1100.25", "fr"), html)

    def test_empty_year(self) -> None:
        self.ocmw.language = "en"
        self.ocmw.save()
        nothing = Decimal("0.00")
        data = Remittance(
            year=2026,
            collector="OCMW Brugge",
            programmes=(),
            totals=RemittanceTotals(
                households=0,
                contracts=0,
                tenant_charged=nothing,
                subsidy=nothing,
                collected=nothing,
                open_at_year_end=nothing,
                received=nothing,
            ),
        )
        html = documents.remittance_statement_html(organisation=self.ocmw, year=2026, data=data)
        self.assertIn("Nothing was charged in 2026.", html)
        self.assertIn(eur("0", "en"), html)
        pdf = documents.remittance_statement_pdf(organisation=self.ocmw, year=2026, data=data)
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_pdf_renders(self) -> None:
        pdf = documents.remittance_statement_pdf(
            organisation=self.ocmw, year=2026, data=self.data()
        )
        self.assertTrue(pdf.startswith(b"%PDF"))


class ContractStatusTests(RentalTestCase):
    def test_ended_contract_still_renders(self) -> None:
        contract = self.active_contract()
        services.contract_end(
            acting=self.acting("ines"), contract=contract, reason="returned", on=date(2026, 9, 1)
        )
        contract = Contract.objects.get(pk=contract.pk)
        self.assertTrue(documents.contract_pdf(contract=contract).startswith(b"%PDF"))
