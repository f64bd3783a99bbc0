"""Collection: bank statement import and matching, SEPA direct debits, remittance figures."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import translation

from core.models import AuditEvent, Organisation, Programme
from households.models import Enrolment
from money.references import be_reference_for
from money.sepa import PAIN008_NS
from rentals import selectors, services
from rentals.models import (
    Allocation,
    BankImport,
    BankLine,
    Charge,
    Contract,
    Payment,
    RentalScheme,
)
from rentals.tests.cast import RentalTestCase
from wijk.testing import clock_at

CREDITOR_ID = "BE68ZZZ0123456789"
DEBTOR_IBAN = "BE71096123456769"
UNKNOWN_REFERENCE = be_reference_for(987_654)  # valid check digits, no contract has it

CAMT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>TEST</MsgId><CreDtTm>2026-11-20T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>1</Id><Acct><Id><IBAN>BE62510007547061</IBAN></Id></Acct>"""
CAMT_TAIL = "</Stmt></BkToCstmrStmt></Document>"
CAMT_ENTRY = """<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>
<Sts>BOOK</Sts><BookgDt><Dt>{booked}</Dt></BookgDt><AcctSvcrRef>{bank_id}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn>
</BkTxCd><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>{name}</Nm></Dbtr>
<DbtrAcct><Id><IBAN>BE71096123456769</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"""


def entry(
    bank_id: str,
    amount: str,
    text: str,
    *,
    direction: str = "CRDT",
    booked: str = "2026-11-03",
    direct_debit: bool = False,
    name: str = "JANSENS AN",
) -> str:
    family, sub = ("RDDT", "ESDD") if direct_debit else ("RCDT", "ESCT")
    return CAMT_ENTRY.format(
        bank_id=bank_id,
        amount=amount,
        text=text,
        direction=direction,
        booked=booked,
        family=family,
        sub=sub,
        name=name,
    )


def camt(*entries: str) -> bytes:
    return (CAMT_HEAD + "".join(entries) + CAMT_TAIL).encode()


DAY = date(2026, 12, 1)  # the day the import and export tests run on (clock_at)


class CollectionTestCase(RentalTestCase):
    def import_file(self, data: bytes, username: str = "ines", filename: str = "stmt.xml"):
        with translation.override("en"):
            return services.bank_statement_import(
                acting=self.acting(username), filename=filename, data=data
            )

    def assert_nothing_stored(self) -> None:
        self.assertFalse(BankImport.objects.exists())
        self.assertFalse(BankLine.objects.exists())
        self.assertFalse(Payment.objects.exists())

    def direct_debit_contract(
        self,
        household=None,
        category: str = "washing_machine",
        installed_on: date = date(2026, 3, 10),
    ) -> Contract:
        """Like the cast's active_contract(payment_method="direct_debit"), whose example IBAN
        python-stdnum refuses (bank code 539 is not in its Belgian bank registry)."""
        household = household or self.jansens
        ines = self.acting("ines")
        application = services.application_create(
            acting=ines, household=household, programme=self.rental, category=category
        )
        contract = services.contract_draft(acting=ines, application=application)
        contract = services.contract_sign(
            acting=ines,
            contract=contract,
            payment_method="direct_debit",
            installation_on=installed_on,
            debtor_iban=DEBTOR_IBAN,
        )
        visit = contract.visits.get()
        services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        services.visit_complete(
            acting=self.acting("tom"),
            visit=visit,
            done_on=installed_on,
            disposal="recycled",
        )
        contract.refresh_from_db()
        return contract

    def bill(self, *months: date) -> None:
        for month in months:
            services.billing_run(programme=self.rental, month=month)


@clock_at(DAY)
class BankImportTest(CollectionTestCase):
    def setUp(self) -> None:
        self.contract = self.active_contract(installed_on=date(2026, 3, 10))
        self.bill(date(2026, 3, 1), date(2026, 4, 1))  # 5.32 + 7.50

    def test_matches_on_the_reference_lists_the_unknown_and_skips_the_debit(self) -> None:
        data = camt(
            entry("E1", "15.00", f"huur wasmachine {self.contract.payment_reference}"),
            entry("E2", "7.50", f"huur {UNKNOWN_REFERENCE}", name="ONBEKEND"),
            entry("E3", "25.00", "Kosten rekeningbeheer", direction="DBIT"),
        )
        report = self.import_file(data, filename="C:\\exports\\nov.xml")
        self.assertTrue(report.ok, report.errors)
        self.assertEqual(report.file_format, "camt053")
        self.assertEqual(report.filename, "nov.xml")
        self.assertEqual([line.number for line in report.matched], [1])
        self.assertEqual([line.number for line in report.unmatched], [2])
        self.assertEqual([m.number for m in report.skipped], [3])
        self.assertIn("outgoing payment", report.skipped[0].message)

        payment = Payment.objects.get()
        self.assertEqual(
            (payment.household, payment.amount, payment.method, payment.received_on),
            (self.jansens, Decimal("15.00"), "transfer", date(2026, 11, 3)),
        )
        self.assertEqual(payment.collector, self.ocmw)
        self.assertEqual(payment.bank_line, report.matched[0])
        self.assertEqual(report.matched[0].status, BankLine.Status.MATCHED)
        self.assertEqual(report.matched[0].reference, self.contract.payment_reference)
        unmatched = BankLine.objects.get(number=2)
        self.assertEqual(
            (unmatched.status, unmatched.reference, unmatched.counterparty),
            (BankLine.Status.UNMATCHED, UNKNOWN_REFERENCE, "ONBEKEND"),
        )
        # Oldest charge first, all settled; the rest is credit.
        self.assertEqual(
            [c.settled for c in self.contract.charges.order_by("month")],
            [Decimal("5.32"), Decimal("7.50")],
        )
        self.assertEqual(
            selectors.household_balance(self.jansens, collector=self.ocmw).credit, Decimal("2.18")
        )

        # The same file again, and an overlapping one: no entry is imported twice.
        again = self.import_file(data)
        self.assertTrue(again.ok)
        self.assertIsNone(again.bank_import)
        self.assertEqual([m.number for m in again.already_imported], [1, 2])
        self.assertIn("imported before", again.already_imported[0].message)
        overlapping = self.import_file(
            camt(
                entry("E2", "7.50", f"huur {UNKNOWN_REFERENCE}"),
                entry("E4", "7.50", self.contract.payment_reference, booked="2026-11-20"),
            )
        )
        self.assertEqual([m.number for m in overlapping.already_imported], [1])
        self.assertEqual([line.number for line in overlapping.matched], [2])
        self.assertEqual(BankImport.objects.count(), 2)
        self.assertEqual(BankLine.objects.count(), 3)
        self.assertEqual(Payment.objects.count(), 2)
        self.assertEqual(Payment.objects.aggregate(s=Sum("amount"))["s"], Decimal("22.50"))

    def test_a_direct_debit_collection_becomes_a_direct_debit_payment(self) -> None:
        report = self.import_file(
            camt(entry("DD1", "12.82", self.contract.payment_reference, direct_debit=True))
        )
        self.assertEqual(len(report.matched), 1)
        self.assertEqual(Payment.objects.get().method, "direct_debit")

    def test_garbage_is_refused_and_nothing_is_stored(self) -> None:
        for data in (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"", b"Beste, hier is mijn betaling"):
            with self.subTest(data=data):
                report = self.import_file(data)
                self.assertFalse(report.ok)
                self.assertEqual([m.number for m in report.errors], [None])
                self.assertTrue(report.errors[0].message)
        self.assert_nothing_stored()

    def test_a_wrong_encoding_is_refused(self) -> None:
        csv = f"Datum;Bedrag;Mededeling\n03/11/2026;8,50;{self.contract.payment_reference}\n"
        report = self.import_file(csv.encode("utf-16"), filename="export.csv")
        self.assertEqual([m.number for m in report.errors], [None])
        self.assertIn("binary data", report.errors[0].message)
        latin1 = camt(entry("E1", "8.50", self.contract.payment_reference)).replace(
            b"JANSENS AN", "Anaïs Jansens".encode("latin-1")
        )
        report = self.import_file(latin1)
        self.assertEqual(
            [m.message for m in report.errors], ["The XML file is not encoded as UTF-8."]
        )
        self.assert_nothing_stored()

    def test_negative_or_absurd_amounts_refuse_the_whole_file(self) -> None:
        reference = self.contract.payment_reference
        report = self.import_file(
            camt(
                entry("E1", "8.50", reference),  # fine, but not imported while others are bad
                entry("E2", "250000.00", reference),
                entry("E3", "-7.00", reference),
            )
        )
        self.assertEqual([m.number for m in report.errors], [2, 3])
        self.assertTrue(report.errors[0].message.startswith("Line 2:"))
        self.assertIn("larger than 100000 EUR", report.errors[0].message)
        self.assertIn("not a payment received", report.errors[1].message)
        self.assertEqual((report.matched, report.unmatched), ([], []))

        csv = (
            "Datum;Bedrag;Mededeling\n"
            f"03/11/2026;8,50;{reference}\n"
            f"03/11/2026;-8,50;terugbetaling {reference}\n"  # outgoing: left out, no error
            f"03/11/2026;100000,01;{reference}\n"
        )
        report = self.import_file(csv.encode(), filename="export.csv")
        self.assertEqual([m.number for m in report.errors], [4])
        self.assertEqual([m.number for m in report.skipped], [3])
        self.assert_nothing_stored()

    def test_bad_or_future_dates_refuse_the_whole_file(self) -> None:
        reference = self.contract.payment_reference
        future = DAY + timedelta(days=40)
        csv = (
            "Datum;Bedrag;Mededeling\n"
            f"03/11/2026;8,50;{reference}\n"
            f"31/02/2026;8,50;{reference}\n"
            f"{future:%d/%m/%Y};8,50;{reference}\n"
            f"04/11/2026;8,50;{reference}\n"
        )
        report = self.import_file(csv.encode(), filename="export.csv")
        self.assertEqual([m.number for m in report.errors], [3, 4])
        self.assertIn("“31/02/2026” is not a date", report.errors[0].message)
        self.assertIn("in the future", report.errors[1].message)
        self.assert_nothing_stored()

    def test_resolve_and_ignore_unmatched_lines(self) -> None:
        report = self.import_file(
            camt(
                entry("E1", "12.82", "huur wasmachine november"),
                entry("E2", "50.00", "terugbetaling energiepremie"),
            )
        )
        first, second = report.unmatched
        ines = self.acting("ines")
        payment = services.bank_line_resolve(acting=ines, line=first, contract=self.contract)
        self.assertEqual(
            (payment.household, payment.amount, payment.bank_line),
            (self.jansens, Decimal("12.82"), first),
        )
        first.refresh_from_db()
        self.assertEqual(first.status, BankLine.Status.RESOLVED)
        self.assertTrue(all(c.settled == c.tenant_amount for c in self.contract.charges.all()))
        with self.assertRaises(ValidationError):
            services.bank_line_resolve(acting=ines, line=first, contract=self.contract)

        with self.assertRaises(ValidationError):
            services.bank_line_ignore(acting=ines, line=second, reason="  ")
        services.bank_line_ignore(acting=ines, line=second, reason="Energiepremie, geen huur")
        second.refresh_from_db()
        self.assertEqual(second.status, BankLine.Status.IGNORED)
        self.assertTrue(
            AuditEvent.objects.filter(subject__contains="Energiepremie, geen huur").exists()
        )
        with self.assertRaises(ValidationError):
            services.bank_line_resolve(acting=ines, line=second, contract=self.contract)
        self.assertEqual(Payment.objects.count(), 1)

    def test_other_organisations_are_refused(self) -> None:
        data = camt(entry("E1", "8.50", self.contract.payment_reference))
        for username in ("otto", "ilse", "vera", "cora", "tom"):
            with self.subTest(username=username), self.assertRaises(PermissionDenied):
                self.import_file(data, username=username)
        self.assert_nothing_stored()

        report = self.import_file(camt(entry("E1", "8.50", "geen kenmerk")))
        (line,) = report.unmatched
        # Arnhem collects for a programme of its own, but not for this line or this contract.
        own = Programme.objects.create(
            name="Witgoed huren",
            slug="witgoed",
            kind="appliance_rental",
            lead_organisation=self.arnhem,
        )
        RentalScheme.objects.create(programme=own, collector=self.arnhem, supplier=self.arnhem)
        otto = self.acting("otto")
        with self.assertRaises(PermissionDenied):
            services.bank_line_resolve(acting=otto, line=line, contract=self.contract)
        with self.assertRaises(PermissionDenied):
            services.bank_line_ignore(acting=otto, line=line, reason="niet van ons")
        line.refresh_from_db()
        self.assertEqual(line.status, BankLine.Status.UNMATCHED)
        # Otto's own statement with this contract's reference finds no contract of Arnhem.
        mine = self.import_file(
            camt(entry("A1", "8.50", self.contract.payment_reference)), username="otto"
        )
        self.assertEqual((len(mine.matched), len(mine.unmatched)), (0, 1))
        self.assertFalse(Payment.objects.exists())
        # The same bank entry in both organisations' files: each imports it, neither sees the
        # other's (the bank id is kept per collector).
        again = self.import_file(camt(entry("E1", "8.50", "geen kenmerk")), username="otto")
        self.assertEqual((len(again.unmatched), again.already_imported), (1, []))


@clock_at(DAY)
class DirectDebitExportTest(CollectionTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        Organisation.objects.filter(pk=cls.ocmw.pk).update(iban="BE62 5100 0754 7061")
        Enrolment.objects.create(household=cls.peeters, programme=cls.rental, status="enrolled")

    def export(self, username: str = "ines", days: int = 5) -> ET.Element:
        with translation.override("en"):
            data = services.sepa_direct_debit_export(
                acting=self.acting(username),
                programme=self.rental,
                collection_date=DAY + timedelta(days=days),
                creditor_id=CREDITOR_ID,
            )
        return ET.fromstring(data)

    def collections(self, root: ET.Element) -> dict[str | None, tuple[str | None, ...]]:
        """mandate id → (sequence type, amount, debtor IBAN, remittance)."""
        ns = {"p": PAIN008_NS}
        found: dict[str | None, tuple[str | None, ...]] = {}
        for block in root.findall("p:CstmrDrctDbtInitn/p:PmtInf", ns):
            sequence = block.findtext("p:PmtTpInf/p:SeqTp", namespaces=ns)
            for tx in block.findall("p:DrctDbtTxInf", ns):
                mandate = tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", namespaces=ns)
                found[mandate] = (
                    sequence,
                    tx.findtext("p:InstdAmt", namespaces=ns),
                    tx.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=ns),
                    tx.findtext("p:RmtInf/p:Ustrd", namespaces=ns),
                )
        return found

    def open_amount(self, contract: Contract) -> str:
        charges = contract.charges.all()
        return str(sum((c.tenant_amount - c.settled for c in charges), Decimal("0.00")))

    def test_direct_debit_contracts_only_first_then_recurring(self) -> None:
        washer = self.direct_debit_contract()
        fridge = self.direct_debit_contract(
            household=self.peeters,
            category="fridge",
            installed_on=date(2026, 6, 1),
        )
        # Peeters also rents by transfer: on no file, and no part in the sequence rule.
        by_transfer = self.active_contract(household=self.peeters, installed_on=date(2026, 4, 1))
        self.bill(*(date(2026, m, 1) for m in range(3, 11)))

        root = self.export()
        found = self.collections(root)
        self.assertEqual(set(found), {washer.mandate_id, fridge.mandate_id})
        self.assertTrue(by_transfer.charges.exists())  # open, but paid by transfer
        self.assertEqual(
            found[washer.mandate_id],
            (
                "FRST",
                self.open_amount(washer),
                DEBTOR_IBAN,
                f"Rent Washing machine {washer.payment_reference}",
            ),
        )
        self.assertEqual(found[fridge.mandate_id][:2], ("FRST", self.open_amount(fridge)))
        ns = {"p": PAIN008_NS}
        self.assertEqual(root.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=ns), "2")
        self.assertEqual(
            root.findtext(".//p:PmtInf/p:CdtrAcct/p:Id/p:IBAN", namespaces=ns),
            "BE62510007547061",
        )
        self.assertEqual(root.findtext(".//p:Cdtr/p:Nm", namespaces=ns), "OCMW Brugge")

        # The bank credits Jansens' collection: the mandate is used, the next one is RCUR.
        collected = str(found[washer.mandate_id][1])
        report = self.import_file(
            camt(entry("DD-1", collected, washer.payment_reference, direct_debit=True))
        )
        self.assertEqual(len(report.matched), 1)
        self.bill(date(2026, 11, 1))
        found = self.collections(self.export())
        self.assertEqual(found[washer.mandate_id][:2], ("RCUR", "7.50"))
        self.assertEqual(found[fridge.mandate_id][0], "FRST")

    def test_credit_is_used_before_collecting(self) -> None:
        washer = self.direct_debit_contract()
        services.payment_record(
            acting=self.acting("ines"),
            household=self.jansens,
            amount=Decimal("20.00"),
            received_on=date(2026, 3, 1),
            method="cash",
        )
        self.bill(date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1))  # 5.32 + 7.50 + 7.50
        found = self.collections(self.export())
        self.assertEqual(found[washer.mandate_id][1], "0.32")

    def test_nothing_to_collect_and_refusals(self) -> None:
        self.active_contract()  # by transfer
        self.bill(date(2026, 3, 1))
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            self.export()
        self.assertIn("nothing to collect", caught.exception.messages[0])
        self.direct_debit_contract(household=self.peeters)
        self.bill(date(2026, 4, 1))
        for username in ("otto", "cora", "vera"):
            with self.subTest(username=username), self.assertRaises(PermissionDenied):
                self.export(username)
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            self.export(days=-3)
        self.assertIn("collection date", caught.exception.messages[0])
        self.assertEqual(len(self.collections(self.export())), 1)


class RemittanceDataTest(CollectionTestCase):
    def test_totals_equal_independent_sums(self) -> None:
        Enrolment.objects.create(household=self.peeters, programme=self.rental, status="enrolled")
        self.active_contract(installed_on=date(2025, 3, 10))
        self.active_contract(
            household=self.peeters, category="fridge", installed_on=date(2025, 6, 15)
        )
        self.bill(*(date(2025, m, 1) for m in range(3, 13)), date(2026, 1, 1), date(2026, 2, 1))
        ines = self.acting("ines")
        for household, amount, received in (
            (self.jansens, "20.00", date(2025, 4, 2)),
            (self.jansens, "30.00", date(2025, 9, 14)),
            (self.peeters, "16.00", date(2025, 12, 30)),
            (self.jansens, "100.00", date(2026, 1, 5)),  # next year: not collected in 2025
        ):
            services.payment_record(
                acting=ines,
                household=household,
                amount=Decimal(amount),
                received_on=received,
                method="cash",
            )

        data = selectors.remittance_data(acting=self.acting("vera"), year=2025)
        self.assertEqual((data.year, data.collector), (2025, "OCMW Brugge"))
        (row,) = data.programmes
        self.assertEqual(row.programme, self.rental.name)

        charges = [c for c in Charge.objects.all() if c.month.year == 2025]
        allocations = list(Allocation.objects.select_related("payment", "charge"))
        collected = [a for a in allocations if a.payment.received_on.year == 2025]
        open_end = sum(
            (c.tenant_amount for c in Charge.objects.all() if c.month <= date(2025, 12, 31)),
            Decimal("0"),
        ) - sum((a.amount for a in collected if a.charge.month <= date(2025, 12, 31)), Decimal("0"))
        expected = {
            "households": 2,
            "contracts": 2,
            "tenant_charged": sum((c.tenant_amount for c in charges), Decimal("0")),
            "subsidy": sum((c.subsidy_amount for c in charges), Decimal("0")),
            "collected": sum((a.amount for a in collected), Decimal("0")),
            "open_at_year_end": open_end,
        }
        for key, value in expected.items():
            self.assertEqual(getattr(row, key), value, key)
            self.assertEqual(getattr(data.totals, key), value, key)
        self.assertEqual(expected["collected"], Decimal("66.00"))
        self.assertGreater(open_end, 0)
        self.assertEqual(data.totals.received, Decimal("66.00"))

        self.assertEqual([m.month for m in row.months], [date(2025, m, 1) for m in range(1, 13)])
        for month in row.months:
            in_month = [c for c in charges if c.month == month.month]
            self.assertEqual(
                month.tenant_charged, sum((c.tenant_amount for c in in_month), Decimal("0"))
            )
            self.assertEqual(month.subsidy, sum((c.subsidy_amount for c in in_month), Decimal("0")))
            self.assertEqual(
                month.collected,
                sum(
                    (
                        a.amount
                        for a in collected
                        if a.payment.received_on.replace(day=1) == month.month
                    ),
                    Decimal("0"),
                ),
            )
        self.assertEqual(row.months[0].tenant_charged, Decimal("0"))
        self.assertEqual(row.months[8].collected, Decimal("30.00"))

    def test_only_collecting_organisations(self) -> None:
        for username in ("ilse", "otto", "cora", "tom"):
            with self.subTest(username=username), self.assertRaises(PermissionDenied):
                selectors.remittance_data(acting=self.acting(username), year=2025)
