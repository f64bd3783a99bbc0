"""The billing and collection pages: the right people get them, others are refused, bad input
is refused with a clear message and stores nothing.

Cast (wijk/testing.py, rentals/tests/cast.py): ocmw collects for `rental` (ines intake, ada
admin, vera viewer); kortrijk's ilse refers but does not collect; cora coordinates at the lead;
tom is the supplier's technician; otto is an outsider (arnhem).
"""

import importlib.util
import re
from datetime import date, timedelta
from decimal import Decimal
from unittest import skipUnless

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import Run
from rentals import selectors, services
from rentals.models import ArrearsStep, BankImport, BankLine, Charge, Payment, Visit
from rentals.tests.cast import RentalTestCase
from wijk.testing import clock_at

HAS_BANK = importlib.util.find_spec("rentals.services.bank") is not None
HAS_DOCUMENTS = importlib.util.find_spec("rentals.documents") is not None
EN = {"Accept-Language": "en"}


def collection(name: str, **kwargs: object) -> str:
    return reverse(f"collection:{name}", kwargs=kwargs)


class CollectionTestCase(RentalTestCase):
    def get_as(self, username: str, url: str, headers: dict[str, str] | None = None):
        self.client.logout()
        self.login(username)
        return self.client.get(url, headers=headers)

    def billed_contract(self, months: tuple[int, ...] = (3, 4, 5)):
        contract = self.active_contract(installed_on=date(2026, 3, 10))
        for month in months:
            services.billing_run(programme=self.rental, month=date(2026, month, 1))
        return contract


A_DAY = date(2027, 3, 10)  # a Wednesday in the middle of a month


@clock_at(A_DAY)  # a fixed day: the dates below count from it
class AccessTest(CollectionTestCase):
    """Each page for the right role; refused for the wrong role or organisation."""

    def assert_statuses(self, url: str, expected: dict[str, int]) -> None:
        for username, status in expected.items():
            with self.subTest(url=url, user=username):
                self.assertEqual(self.get_as(username, url).status_code, status)

    def test_lead_pages(self) -> None:
        for name in ("billing", "dashboard", "dashboard_savings", "dashboard_xlsx"):
            url = collection(name, programme_pk=self.rental.pk)
            # A partner sees the programme but is not its lead: 403; an outsider: 404.
            self.assert_statuses(
                url, {"cora": 200, "ines": 403, "ilse": 403, "tom": 403, "otto": 404, "jo": 403}
            )

    def test_household_money_page(self) -> None:
        self.billed_contract()
        url = collection("household", household_pk=self.jansens.pk)
        self.assert_statuses(
            url,
            {
                "ines": 200,
                "ada": 200,
                "vera": 200,
                "cora": 403,  # the lead sees the household but does not collect
                "ilse": 404,  # kortrijk cannot see an ocmw household at all
                "tom": 403,
                "otto": 404,
            },
        )
        # kortrijk sees its own household, but collects for nobody.
        dubois = collection("household", household_pk=self.dubois.pk)
        self.assert_statuses(dubois, {"ilse": 403, "ines": 404})

    def test_a_viewer_gets_no_forms(self) -> None:
        self.billed_contract()
        url = collection("household", household_pk=self.jansens.pk)
        body = self.get_as("vera", url).content.decode()
        self.assertNotIn(collection("payment_add", household_pk=self.jansens.pk), body)
        body = self.get_as("ines", url).content.decode()
        self.assertIn(collection("payment_add", household_pk=self.jansens.pk), body)

    def test_collector_pages(self) -> None:
        year = timezone.localdate().year
        for url in (
            collection("import_list"),
            collection("import_upload"),
            collection("line_list"),
            collection("direct_debit"),
            collection("remittance", year=year),
        ):
            self.assert_statuses(
                url, {"ines": 200, "ada": 200, "ilse": 403, "cora": 403, "otto": 403, "vera": 403}
            )

    def test_records_of_another_collector_are_not_found(self) -> None:
        other = BankImport.objects.create(collector=self.kortrijk, filename="x.csv")
        line = BankLine.objects.create(
            bank_import=other,
            number=1,
            booked_on=date(2026, 3, 1),
            amount=Decimal("5"),
            counterparty="Dubois",
            status=BankLine.Status.UNMATCHED,
        )
        self.login("ines")
        self.assertEqual(
            self.client.get(collection("import_detail", bank_import_pk=other.pk)).status_code, 404
        )
        self.assertEqual(
            self.client.get(collection("line_detail", bank_line_pk=line.pk)).status_code, 404
        )
        response = self.client.post(
            collection("line_ignore", bank_line_pk=line.pk), {"reason": "not ours"}
        )
        self.assertEqual(response.status_code, 404)
        line.refresh_from_db()
        self.assertEqual(line.status, BankLine.Status.UNMATCHED)
        # And the list of lines to resolve does not show it.
        body = self.client.get(collection("line_list")).content.decode()
        self.assertNotIn("Dubois", body)

    def test_refused_writes_store_nothing(self) -> None:
        self.billed_contract()
        data = {"amount": "7,50", "received_on": "2026-05-02", "method": "cash"}
        url = collection("payment_add", household_pk=self.jansens.pk)
        for username, status in (("cora", 403), ("otto", 404), ("ilse", 404), ("vera", 403)):
            with self.subTest(user=username):
                self.client.logout()
                self.login(username)
                self.assertEqual(self.client.post(url, data).status_code, status)
        self.assertFalse(Payment.objects.exists())
        billing = collection("billing", programme_pk=self.rental.pk)
        for username in ("ines", "otto"):
            self.client.logout()
            self.login(username)
            self.assertIn(self.client.post(billing, {"month": "2026-06"}).status_code, {403, 404})
        self.assertFalse(Charge.objects.filter(month=date(2026, 6, 1)).exists())

    def test_anonymous_is_sent_to_login(self) -> None:
        response = self.client.get(collection("billing", programme_pk=self.rental.pk))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])


@clock_at(A_DAY)  # a fixed day: the dates below count from it
class BillingPageTest(CollectionTestCase):
    def test_running_a_month_twice_creates_nothing_the_second_time(self) -> None:
        self.active_contract(installed_on=date(2026, 3, 10))
        self.login("cora")
        url = collection("billing", programme_pk=self.rental.pk)
        # Billing is a background run (core.runs): the form leads to the run's page, which
        # says what came of it and links back here.
        first = self.client.post(
            url, {"month": "2026-04", "confirm": "yes"}, follow=True, headers=EN
        )
        self.assertEqual(first.redirect_chain[-1][0], Run.objects.get().get_absolute_url())
        self.assertContains(first, "1 charge was created for 2026-04.")
        self.assertContains(first, f'href="{url}"')
        self.assertEqual(Charge.objects.filter(month=date(2026, 4, 1)).count(), 1)
        second = self.client.post(
            url, {"month": "2026-04", "confirm": "yes"}, follow=True, headers=EN
        )
        self.assertContains(second, "0 charges created — 2026-04 was already billed.")
        self.assertEqual(Charge.objects.filter(month=date(2026, 4, 1)).count(), 1)
        # The month is listed with its count and amounts, and the runs with what came of them.
        page = self.client.get(url, headers=EN)
        self.assertContains(page, '<th scope="row">2026-04</th>', html=False)
        self.assertContains(page, "1 charge was created for 2026-04.")

    def test_month_without_contracts_says_so(self) -> None:
        self.login("cora")
        url = collection("billing", programme_pk=self.rental.pk)
        response = self.client.post(url, {"month": "2026-01"}, follow=True, headers=EN)
        self.assertContains(response, "no contract was active in 2026-01")

    def test_bad_months_are_refused(self) -> None:
        self.active_contract(installed_on=date(2026, 3, 10))
        self.login("cora")
        url = collection("billing", programme_pk=self.rental.pk)
        far = (timezone.localdate().replace(day=1) + timedelta(days=100)).strftime("%Y-%m")
        for month, message in (
            ("abc", "Enter a month as year-month"),
            ("2026-13", "Enter a month as year-month"),
            ("", "This field is required"),
            (far, "at most one month ahead"),
            ("1999-01", "too long ago"),
        ):
            with self.subTest(month=month):
                response = self.client.post(url, {"month": month}, headers=EN)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        self.assertFalse(Charge.objects.exists())


@clock_at(A_DAY)  # a fixed day: the dates below count from it
class HouseholdMoneyTest(CollectionTestCase):
    def test_page_shows_balance_charges_and_payments(self) -> None:
        contract = self.billed_contract()
        services.payment_record(
            acting=self.acting("ines"),
            household=self.jansens,
            amount=Decimal("10.00"),
            received_on=date(2026, 5, 3),
            method="cash",
            reference="kassa 12",
        )
        self.login("ines")
        response = self.client.get(
            collection("household", household_pk=self.jansens.pk), headers=EN
        )
        self.assertContains(response, contract.payment_reference)
        self.assertContains(response, "kassa 12")
        body = response.content.decode()
        balance = selectors.household_balance(self.jansens, collector=self.ocmw)
        self.assertEqual(response.context["balance"], balance)
        self.assertEqual(len(re.findall(r'<th scope="row">2026-0[345]</th>', body)), 3)

    def test_record_a_payment_with_a_decimal_comma(self) -> None:
        self.billed_contract()
        self.login("ines")
        url = collection("payment_add", household_pk=self.jansens.pk)
        response = self.client.post(
            url,
            {"amount": "7,50", "received_on": "2026-05-02", "method": "cash"},
            headers={"Accept-Language": "nl"},
        )
        self.assertEqual(response.status_code, 302)
        payment = Payment.objects.get()
        self.assertEqual(payment.amount, Decimal("7.50"))
        self.assertEqual(payment.collector, self.ocmw)
        self.assertEqual(payment.recorded_by, self.ines)
        # It settled the oldest month first.
        self.assertEqual(
            Charge.objects.get(month=date(2026, 3, 1)).settled,
            Charge.objects.get(month=date(2026, 3, 1)).tenant_amount,
        )

    def test_bad_amounts_store_nothing(self) -> None:
        self.billed_contract()
        self.login("ines")
        url = collection("payment_add", household_pk=self.jansens.pk)
        tomorrow_plus = (timezone.localdate() + timedelta(days=5)).isoformat()
        cases = (
            ({"amount": "-5"}, "The amount must be more than zero."),
            ({"amount": "0"}, "The amount must be more than zero."),
            ({"amount": "abc"}, "Enter an amount in euro"),
            ({"amount": "1000000000"}, "not plausible for a rental fee"),
            ({"amount": "7.555"}, "at most two digits for the cents"),
            ({"amount": ""}, "This field is required"),
            ({"received_on": "31-02-2026"}, "Enter a valid date"),
            ({"received_on": tomorrow_plus}, "cannot be received in the future"),
            ({"method": "bitcoin"}, "Select a valid choice"),
        )
        for change, message in cases:
            data = {"amount": "7.50", "received_on": "2026-05-02", "method": "cash", **change}
            with self.subTest(data=data):
                response = self.client.post(url, data, headers=EN)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "Nothing was saved", status_code=400)
        self.assertFalse(Payment.objects.exists())
        self.assertFalse(Charge.objects.filter(settled__gt=0).exists())


class ArrearsTest(CollectionTestCase):
    def test_suggests_a_gentle_step_and_never_termination(self) -> None:
        self.billed_contract()
        self.login("ines")
        url = collection("household", household_pk=self.jansens.pk)
        body = self.client.get(url, headers=EN).content.decode()
        self.assertIn("Suggested next step:", body)
        # Three months behind and no step yet: the first step, a plain reminder letter.
        self.assertEqual(selectors.arrears_next_step(self.jansens, collector=self.ocmw), 1)
        self.assertIn("Plain reminder letter", body)
        self.assertNotRegex(body.lower(), r"terminat|cancel the contract|end the contract")
        actions = re.findall(r'<form[^>]*action="([^"]*)"', body)
        self.assertTrue(actions)
        self.assertFalse([a for a in actions if "contract" in a or "/end" in a], actions)

        response = self.client.post(
            collection("arrears_step", household_pk=self.jansens.pk),
            {"level": "1", "note": "Brief in eenvoudige taal verstuurd"},
        )
        self.assertEqual(response.status_code, 302)
        step = ArrearsStep.objects.get()
        self.assertEqual((step.level, step.by), (1, self.ines))
        self.assertGreater(step.arrears, 0)
        # Next suggestion: ask the social worker to make contact.
        body = self.client.get(url, headers=EN).content.decode()
        self.assertIn("Social worker asked to make contact", body)
        self.assertNotRegex(body.lower(), r"terminat")

    def test_bad_step_is_refused(self) -> None:
        self.billed_contract()
        self.login("ines")
        response = self.client.post(
            collection("arrears_step", household_pk=self.jansens.pk), {"level": "9"}, headers=EN
        )
        self.assertContains(response, "Select a valid choice", status_code=400)
        self.assertFalse(ArrearsStep.objects.exists())

    def test_no_step_when_nothing_is_owed(self) -> None:
        self.active_contract()
        self.login("ines")
        body = self.get_as(
            "ines", collection("household", household_pk=self.jansens.pk), headers=EN
        )
        self.assertContains(body, "No step is needed")
        self.assertNotContains(body, collection("arrears_step", household_pk=self.jansens.pk))


@skipUnless(HAS_DOCUMENTS, "rentals.documents is not there yet")
@clock_at(A_DAY)  # a fixed day: the dates below count from it
class SavingsPdfTest(CollectionTestCase):
    def test_savings_statement_is_a_pdf(self) -> None:
        self.active_contract(installed_on=date(2026, 3, 10))
        url = collection("savings_pdf", household_pk=self.jansens.pk, year=2026)
        response = self.get_as("ines", url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertEqual(self.get_as("ilse", url).status_code, 404)
        self.assertEqual(self.get_as("otto", url).status_code, 404)

    def test_years_out_of_range_are_not_found(self) -> None:
        self.active_contract()
        self.login("ines")
        for year in (1999, timezone.localdate().year + 1):
            url = collection("savings_pdf", household_pk=self.jansens.pk, year=year)
            self.assertEqual(self.client.get(url).status_code, 404)


@clock_at(A_DAY)  # a fixed day: the dates below count from it
class StatementYearsTest(CollectionTestCase):
    """Only years that can have something in them are offered."""

    def test_savings_years_start_at_the_first_installation(self) -> None:
        self.active_contract(installed_on=date(2024, 5, 2))
        this_year = timezone.localdate().year
        response = self.get_as("ines", collection("household", household_pk=self.jansens.pk))
        self.assertEqual(response.context["years"], list(range(this_year, 2023, -1)))
        body = response.content.decode()
        self.assertIn(collection("savings_pdf", household_pk=self.jansens.pk, year=2024), body)
        self.assertNotIn(collection("savings_pdf", household_pk=self.jansens.pk, year=2023), body)

    def test_no_savings_year_before_an_installation(self) -> None:
        ines = self.acting("ines")
        application = services.application_create(
            acting=ines, household=self.jansens, programme=self.rental, category="fridge"
        )
        contract = services.contract_draft(acting=ines, application=application)
        services.contract_sign(
            acting=ines,
            contract=contract,
            payment_method="transfer",
            installation_on=timezone.localdate() + timedelta(days=7),
        )
        response = self.get_as(
            "ines", collection("household", household_pk=self.jansens.pk), headers=EN
        )
        self.assertEqual(response.context["years"], [])
        self.assertContains(response, "There is a statement once an appliance is installed.")
        self.assertNotContains(response, "/savings/")

    def test_remittance_years_start_at_the_first_contract(self) -> None:
        self.active_contract(installed_on=date(2024, 5, 2))
        this_year = timezone.localdate().year
        response = self.get_as("ines", collection("remittance", year=this_year))
        self.assertEqual(response.context["years"], list(range(this_year, 2023, -1)))
        self.assertNotContains(response, collection("remittance", year=2023))
        self.assertContains(response, collection("remittance", year=2024))

    def test_remittance_without_contracts_offers_this_year_only(self) -> None:
        this_year = timezone.localdate().year
        response = self.get_as("ines", collection("remittance", year=this_year))
        self.assertEqual(response.context["years"], [this_year])


class FindingTheMoneyPagesTest(CollectionTestCase):
    """The collection pages are reached from the menu, the home page and the household."""

    def test_menu_and_home_link_for_collectors_only(self) -> None:
        index = collection("index")
        menu_item = f'<a href="{index}">Rent and payments</a>'
        for username, shown in (
            ("ines", True),
            ("ada", True),
            ("vera", True),
            ("ilse", False),
            ("cora", False),
            ("tom", False),
            ("otto", False),
        ):
            with self.subTest(user=username):
                body = self.get_as(username, reverse("home"), headers=EN).content.decode()
                self.assertEqual(menu_item in body, shown)
                self.assertEqual(body.count(f'href="{index}"'), 2 if shown else 0)

    def test_menu_item_is_current_on_collection_pages(self) -> None:
        current = f'<a href="{collection("index")}" aria-current="page">'
        for url in (collection("index"), collection("import_list"), collection("line_list")):
            with self.subTest(url=url):
                self.assertContains(self.get_as("ines", url, headers=EN), current)
        self.assertNotContains(self.get_as("ines", reverse("home"), headers=EN), current)

    def test_household_button_has_the_words_the_overview_uses(self) -> None:
        detail = reverse("households:detail", args=[self.jansens.pk])
        money = collection("household", household_pk=self.jansens.pk)
        # No contract yet: the page would refuse, so no button.
        self.assertNotContains(self.get_as("ines", detail, headers=EN), money)
        self.active_contract()
        body = self.get_as("ines", detail, headers=EN).content.decode()
        self.assertIn(f'href="{money}">Rent and payments</a>', body)
        self.assertNotIn("Payments and balance", body)
        overview = self.get_as("ines", collection("index"), headers=EN).content.decode()
        self.assertIn("choose “Rent and payments”", overview)
        # The lead sees the household but does not collect: the page answers 403, no button.
        self.assertEqual(self.get_as("cora", money).status_code, 403)
        self.assertNotContains(self.get_as("cora", detail, headers=EN), money)


def statement_csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    """A Belgian bank's CSV export: date, amount, name, message."""
    lines = ["Rekening;Boekingsdatum;Bedrag;Munt;Naam tegenpartij;Tegenrekening;Mededeling"]
    for booked, amount, name, message in rows:
        lines.append(f"BE62510007547061;{booked};{amount};EUR;{name};BE71 0961 2345 6769;{message}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@skipUnless(HAS_BANK, "rentals.services.bank is not there yet")
@clock_at(A_DAY)  # a fixed day: the dates below count from it
class BankStatementTest(CollectionTestCase):
    def upload(self, data: bytes, name: str = "afschrift.csv"):
        return self.client.post(
            collection("import_upload"), {"file": SimpleUploadedFile(name, data)}, headers=EN
        )

    def test_good_file_matches_and_leaves_the_rest_to_resolve(self) -> None:
        contract = self.billed_contract()
        self.login("ines")
        data = statement_csv(
            [
                ("04/05/2026", "7,50", "Jansens An", contract.payment_reference),
                ("05/05/2026", "9,00", "A. Jansens", "huur wasmachine mei"),
                ("06/05/2026", "120,00", "Café De Zwaan", "factuur 118"),
            ]
        )
        response = self.upload(data)
        bank_import = BankImport.objects.get()
        self.assertRedirects(response, collection("import_detail", bank_import_pk=bank_import.pk))
        self.assertEqual(Payment.objects.count(), 1)
        lines = {line.number: line for line in bank_import.lines.all()}
        # Numbers are the file's line numbers: the header is line 1.
        self.assertEqual(lines[2].status, BankLine.Status.MATCHED)
        unmatched = [n for n, line in lines.items() if line.status == BankLine.Status.UNMATCHED]
        self.assertEqual(sorted(unmatched), [3, 4])
        lines[1], lines[2], lines[3] = lines[2], lines[3], lines[4]

        page = self.client.get(response["Location"], headers=EN)
        self.assertContains(page, collection("line_detail", bank_line_pk=lines[2].pk))
        self.assertContains(self.client.get(collection("line_list")), "Café De Zwaan")

        # Line 2: find the contract by the household's name, and book it there.
        detail = self.client.get(
            collection("line_detail", bank_line_pk=lines[2].pk), {"q": "Jansens"}, headers=EN
        )
        self.assertContains(detail, contract.payment_reference)
        self.assertEqual(list(detail.context["candidates"]), [contract])
        # With htmx only the list of contracts comes back.
        partial = self.client.get(
            collection("line_detail", bank_line_pk=lines[2].pk),
            {"q": "Jansens"},
            headers={"HX-Request": "true"},
        )
        self.assertNotContains(partial, "<html")
        self.assertContains(partial, contract.payment_reference)
        resolved = self.client.post(
            collection("line_resolve", bank_line_pk=lines[2].pk), {"contract": contract.pk}
        )
        self.assertEqual(resolved.status_code, 302)
        lines[2].refresh_from_db()
        self.assertEqual(lines[2].status, BankLine.Status.RESOLVED)
        self.assertEqual(Payment.objects.count(), 2)

        # Line 3 is not rent: a reason is required.
        url = collection("line_ignore", bank_line_pk=lines[3].pk)
        self.assertEqual(self.client.post(url, {"reason": ""}).status_code, 400)
        lines[3].refresh_from_db()
        self.assertEqual(lines[3].status, BankLine.Status.UNMATCHED)
        self.assertEqual(self.client.post(url, {"reason": "factuur"}).status_code, 302)
        lines[3].refresh_from_db()
        self.assertEqual(lines[3].status, BankLine.Status.IGNORED)
        self.assertNotContains(self.client.get(collection("line_list")), "Café De Zwaan")

    def test_resolve_needs_a_contract_of_ours(self) -> None:
        self.billed_contract()
        self.login("ines")
        self.upload(statement_csv([("05/05/2026", "9,00", "A. Jansens", "huur")]))
        line = BankLine.objects.get()
        for value in ("", "abc", "999999"):
            response = self.client.post(
                collection("line_resolve", bank_line_pk=line.pk), {"contract": value}
            )
            self.assertEqual(response.status_code, 302)
        line.refresh_from_db()
        self.assertEqual(line.status, BankLine.Status.UNMATCHED)
        self.assertFalse(Payment.objects.exists())

    def test_garbage_imports_nothing_and_says_why(self) -> None:
        self.billed_contract()
        self.login("ines")
        for name, data in (
            ("random.bin", bytes(range(256)) * 20),
            ("notes.txt", b"hello, this is not a bank statement\nat all\n"),
            ("broken.xml", b"<?xml version='1.0'?><Document><BkToCstmrStmt>"),
            ("latin1.xml", "<?xml version='1.0' encoding='UTF-8'?><x>café</x>".encode("cp1252")),
        ):
            with self.subTest(name=name):
                response = self.upload(data, name)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "Nothing was imported.", status_code=400)
        self.assertFalse(BankImport.objects.exists())
        self.assertFalse(Payment.objects.exists())

    def test_bad_lines_are_listed_with_their_number_and_nothing_is_stored(self) -> None:
        contract = self.billed_contract()
        self.login("ines")
        data = statement_csv(
            [
                ("04/05/2026", "7,50", "Jansens An", contract.payment_reference),
                ("31/13/2026", "7,50", "Jansens An", "huur"),
                ("05/05/2026", "veel", "Jansens An", "huur"),
            ]
        )
        response = self.upload(data)
        self.assertContains(response, "Nothing was imported.", status_code=400)
        # Numbers are the file's line numbers: the header is line 1.
        self.assertContains(response, 'data-line="3"', status_code=400)
        self.assertContains(response, 'data-line="4"', status_code=400)
        self.assertContains(response, "Line 3: “31/13/2026” is not a date", status_code=400)
        self.assertContains(response, "Line 4: “veel” is not an amount", status_code=400)
        self.assertFalse(BankImport.objects.exists())
        self.assertFalse(Payment.objects.exists())

    def test_empty_and_too_large_files_are_refused(self) -> None:
        self.login("ines")
        response = self.upload(b"")
        self.assertEqual(response.status_code, 400)
        big = b"x" * (5 * 1024 * 1024 + 1)
        response = self.upload(big)
        self.assertContains(response, "larger than 5 MB", status_code=400)
        self.assertFalse(BankImport.objects.exists())

    def test_direct_debit_nothing_to_collect_then_a_file(self) -> None:
        self.login("ines")
        url = collection("direct_debit")
        data = {
            "programme": self.rental.pk,
            "collection_date": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "creditor_id": "BE68ZZZ0123456789",
        }
        response = self.client.post(url, data, headers=EN)
        self.assertContains(response, "nothing to collect", status_code=400)

        type(self.ocmw).objects.filter(pk=self.ocmw.pk).update(iban="BE62510007547061")
        self.direct_debit_contract()
        services.billing_run(programme=self.rental, month=date(2026, 4, 1), confirm=True)
        response = self.client.post(url, data, headers=EN)
        self.assertEqual(response.status_code, 200, response.content[:2000])
        self.assertEqual(response["Content-Type"], "application/xml")
        self.assertIn(b"pain.008", response.content)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertEqual(response["Cache-Control"], "no-store")

    def direct_debit_contract(self) -> None:
        # Not cast.active_contract(payment_method="direct_debit"): its example IBAN fails the
        # IBAN check.
        ines = self.acting("ines")
        application = services.application_create(
            acting=ines,
            household=self.jansens,
            programme=self.rental,
            category="washing_machine",
        )
        contract = services.contract_draft(acting=ines, application=application)
        contract = services.contract_sign(
            acting=ines,
            contract=contract,
            payment_method="direct_debit",
            installation_on=date(2026, 3, 10),
            debtor_iban="BE71096123456769",
            mandate_signed_on=date(2026, 3, 1),
        )
        visit = contract.visits.get(kind=Visit.Kind.INSTALLATION)
        services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        services.visit_complete(
            acting=self.acting("tom"),
            visit=visit,
            done_on=date(2026, 3, 10),
            disposal="recycled",
        )

    def test_direct_debit_bad_input(self) -> None:
        self.login("ines")
        response = self.client.post(
            collection("direct_debit"),
            {"programme": "999", "collection_date": "morgen", "creditor_id": ""},
            headers=EN,
        )
        self.assertContains(response, "Select a valid choice", status_code=400)
        self.assertContains(response, "Enter a valid date", status_code=400)

    def test_remittance_page_and_pdf(self) -> None:
        self.billed_contract()
        services.payment_record(
            acting=self.acting("ines"),
            household=self.jansens,
            amount=Decimal("10.00"),
            received_on=date(2026, 5, 3),
            method="cash",
        )
        self.login("ines")
        response = self.client.get(collection("remittance", year=2026), headers=EN)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["data"].totals.collected, Decimal("10.00"))
        self.assertContains(response, "Huishoudtoestellen huren")
        if HAS_DOCUMENTS:
            pdf = self.client.get(collection("remittance_pdf", year=2026))
            self.assertEqual(pdf.status_code, 200)
            self.assertTrue(pdf.content.startswith(b"%PDF"))
        self.assertEqual(self.client.get(collection("remittance", year=1999)).status_code, 404)


class IndexTest(CollectionTestCase):
    def test_index_shows_what_the_organisation_does(self) -> None:
        body = self.get_as("cora", collection("index")).content.decode()
        self.assertIn(collection("dashboard", programme_pk=self.rental.pk), body)
        self.assertNotIn(collection("import_upload"), body)
        body = self.get_as("ines", collection("index")).content.decode()
        self.assertIn(collection("import_upload"), body)
        self.assertNotIn(collection("dashboard", programme_pk=self.rental.pk), body)
        body = self.get_as("otto", collection("index")).content.decode()
        self.assertNotIn("Huishoudtoestellen huren", body)
        self.assertNotIn(collection("import_upload"), body)

    def test_a_reader_of_a_collector_is_shown_the_way_to_the_payments(self) -> None:
        body = self.get_as("vera", collection("index"), headers=EN).content.decode()
        self.assertIn("choose “Rent and payments”", body)
        self.assertNotIn(collection("import_upload"), body)
        self.assertNotIn("neither leads a rental programme nor collects", body)
