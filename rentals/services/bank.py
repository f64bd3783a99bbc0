"""Collection by the collecting organisation: bank statements in, direct debits out.

The file formats are in the shared pure package money (money.bankfiles, money.sepa; no
Django); this module checks who may act, stores, matches on the payment reference and settles
through rentals.services.payment_record. Rules and formats: docs/payments.md.
"""

import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.models import AuditEvent, Organisation, Programme
from core.services import audit_record
from core.tenancy import Acting, scoped
from money.bankfiles import LineError, StatementLine, parse_statement
from money.sepa import DirectDebit, Pain008Error, build_pain008
from rentals.models import (
    ZERO,
    BankImport,
    BankLine,
    Charge,
    Contract,
    Payment,
    PaymentMethod,
)
from rentals.selectors.collection import collected_contracts, collected_programmes
from rentals.services import notices
from rentals.services.payments import allocate_credit, payment_record

Action = AuditEvent.Action
# SQLite allows a limited number of query parameters; look bank ids up in chunks.
_CHUNK = 500


def _require_collector(acting: Acting) -> None:
    """Only staff of an organisation that collects rent for a rental programme."""
    acting.require("payment.record")
    if not collected_programmes(acting.organisation).exists():
        raise PermissionDenied(_("Your organisation does not collect rent for any programme."))


# ---------------------------------------------------------------- bank statement import
@dataclass(frozen=True)
class ReportMessage:
    """One message of an import: the line (CSV) or entry (CAMT) number, None for the file."""

    number: int | None
    message: str  # in the active language


@dataclass
class ImportReport:
    """What an import did. With errors nothing was stored (`bank_import` is None)."""

    filename: str
    file_format: str = ""
    errors: list[ReportMessage] = field(default_factory=list)
    skipped: list[ReportMessage] = field(default_factory=list)  # debits, pending, doubles
    already_imported: list[ReportMessage] = field(default_factory=list)
    matched: list[BankLine] = field(default_factory=list)
    unmatched: list[BankLine] = field(default_factory=list)  # for a person to resolve
    bank_import: BankImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def imported(self) -> int:
        return len(self.matched) + len(self.unmatched)


def _message(problem: LineError) -> ReportMessage:
    # The parser's English default is marked for translation; show it in the user's language.
    return ReportMessage(problem.number, _(problem.default) % dict(problem.params))


def _clean_filename(filename: str) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    return name[:200] or "statement"


def _validate(lines: list[StatementLine]) -> list[ReportMessage]:
    """Checks the parser cannot make: what payment_record would refuse halfway."""
    latest = timezone.localdate() + timedelta(days=1)
    return [
        ReportMessage(
            line.number,
            _("Line %(number)s: the date %(date)s is in the future; check the file.")
            % {"number": line.number, "date": formats.date_format(line.booking_date)},
        )
        for line in lines
        if line.booking_date > latest
    ]


def _bank_id(organisation: Organisation, line: StatementLine) -> str:
    """The stored bank id: the bank's own reference, per collector. BankLine.bank_id is unique
    over the installation, and one collector's entries must never block (or reveal) another's.
    """
    return f"{organisation.pk}:{line.bank_reference}"[:80]


def _existing_bank_ids(bank_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(bank_ids), _CHUNK):
        chunk = bank_ids[start : start + _CHUNK]
        found.update(BankLine.objects.filter(bank_id__in=chunk).values_list("bank_id", flat=True))
    return found


def bank_statement_import(*, acting: Acting, filename: str, data: bytes) -> ImportReport:
    """Import a bank statement (CAMT.053 or CSV) of the acting collecting organisation.

    Validate first: with any error in the file or on a line, nothing is stored and the report
    lists every error with its line number. Otherwise, in one transaction: one BankImport with
    a BankLine per new incoming payment. Lines whose bank entry was imported before (another
    file covering the same days) are left out and listed as already imported. Each line whose
    payment reference is the reference of a contract of a programme this organisation
    collects for becomes a payment of that household (a SEPA direct-debit collection as
    method direct_debit, anything else as transfer), settling the oldest charges first; the
    other lines wait, unmatched, for a person (bank_line_resolve / bank_line_ignore).
    A file with nothing new stores nothing (`bank_import` stays None).
    """
    _require_collector(acting)
    parsed = parse_statement(data)
    report = ImportReport(filename=_clean_filename(filename), file_format=parsed.format)
    report.errors = [_message(p) for p in parsed.errors] + _validate(parsed.lines)
    report.errors.sort(key=lambda m: (m.number is not None, m.number or 0))
    report.skipped = [_message(p) for p in parsed.skipped]
    if report.errors:
        return report
    try:
        with transaction.atomic():
            _store(acting, parsed.format, parsed.lines, report)
            if report.bank_import is not None:
                notices.bank_import_done(report.bank_import)
    except IntegrityError:
        # Another import stored the same bank entries at the same moment; ours stored nothing.
        report.matched, report.unmatched, report.already_imported = [], [], []
        report.bank_import = None
        report.errors = [
            ReportMessage(
                None,
                _("The same bank lines were being imported at the same time. Try again."),
            )
        ]
    return report


def _store(
    acting: Acting, file_format: str, lines: list[StatementLine], report: ImportReport
) -> None:
    organisation = acting.organisation
    # One import at a time per collector, so that two uploads of one file import it once.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    existing = _existing_bank_ids([_bank_id(organisation, line) for line in lines])
    new_lines = []
    for line in lines:
        if _bank_id(organisation, line) in existing:
            report.already_imported.append(
                ReportMessage(
                    line.number,
                    _("Line %(number)s was imported before and was left out.")
                    % {"number": line.number},
                )
            )
        else:
            new_lines.append(line)
    if not new_lines:
        return
    references = sorted({line.reference.canonical for line in new_lines if line.reference})
    contracts: dict[str, Contract] = {}
    for start in range(0, len(references), _CHUNK):
        for found in (
            collected_contracts(organisation)
            .filter(payment_reference__in=references[start : start + _CHUNK])
            .select_related("household", "programme")
        ):
            contracts[found.payment_reference] = found
    bank_import = BankImport.objects.create(
        collector=organisation,
        filename=report.filename,
        file_format=file_format,
        imported_by_id=acting.user_id,
    )
    for line in new_lines:
        contract = contracts.get(line.reference.canonical) if line.reference else None
        bank_line = BankLine.objects.create(
            bank_import=bank_import,
            number=line.number,
            booked_on=line.booking_date,
            amount=line.amount,
            counterparty=line.counterparty_name[:140],
            iban=line.counterparty_iban[:34],
            text=line.remittance[:500],
            reference=(line.reference.canonical if line.reference else line.structured_reference)[
                :40
            ],
            bank_id=_bank_id(organisation, line),
            status=BankLine.Status.MATCHED if contract else BankLine.Status.UNMATCHED,
        )
        if contract is None:
            report.unmatched.append(bank_line)
            continue
        payment_record(
            acting=acting,
            household=contract.household,
            amount=line.amount,
            received_on=line.booking_date,
            method=PaymentMethod.DIRECT_DEBIT if line.is_direct_debit else PaymentMethod.TRANSFER,
            reference=contract.payment_reference,
            bank_line=bank_line,
            programme=contract.programme,
        )
        report.matched.append(bank_line)
    report.bank_import = bank_import
    audit_record(
        acting=acting,
        action=Action.CREATE,
        subject=(
            f"bank statement {report.filename}: {len(report.matched)} matched, "
            f"{len(report.unmatched)} to resolve"
        ),
    )


def _line_to_handle(acting: Acting, line: BankLine) -> BankLine:
    if not scoped(BankLine, acting).filter(pk=line.pk).exists():
        raise PermissionDenied
    line = BankLine.objects.select_for_update().get(pk=line.pk)
    if line.status != BankLine.Status.UNMATCHED:
        raise ValidationError(_("This bank line has already been handled."))
    return line


@transaction.atomic
def bank_line_resolve(*, acting: Acting, line: BankLine, contract: Contract) -> Payment:
    """A person links an unmatched bank line to a contract: it becomes that household's payment."""
    _require_collector(acting)
    line = _line_to_handle(acting, line)
    found = collected_contracts(acting.organisation).filter(pk=contract.pk).first()
    if found is None:
        raise PermissionDenied(_("Your organisation does not collect for this contract."))
    payment = payment_record(
        acting=acting,
        household=found.household,
        amount=line.amount,
        received_on=line.booked_on,
        method=PaymentMethod.TRANSFER,
        reference=line.reference or line.text,
        bank_line=line,
        programme=found.programme,
    )
    line.status = BankLine.Status.RESOLVED
    line.save(update_fields=["status"])
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=found.household,
        subject=f"bank line {line.pk} linked to contract {found.pk}",
    )
    return payment


@transaction.atomic
def bank_line_ignore(*, acting: Acting, line: BankLine, reason: str) -> BankLine:
    """A person sets an unmatched line aside as not a rental payment, with the reason.

    BankLine has no field for the reason yet; it is kept in the audit log.
    """
    _require_collector(acting)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why this is not a rental payment.")})
    line = _line_to_handle(acting, line)
    line.status = BankLine.Status.IGNORED
    line.save(update_fields=["status"])
    audit_record(
        acting=acting, action=Action.CHANGE, subject=f"bank line {line.pk} set aside: {reason}"
    )
    return line


# ---------------------------------------------------------------- SEPA direct debit
@transaction.atomic
def sepa_direct_debit_export(
    *,
    acting: Acting,
    programme: Programme,
    collection_date: date,
    creditor_id: str = "",
    creditor_bic: str = "",
) -> bytes:
    """A pain.008 file collecting the open tenant charges of the programme's active
    direct-debit contracts, for the collecting organisation to upload to its bank.

    One collection per contract: the sum of its open charges (after any credit the household
    has was applied to them). Creditor name, IBAN and SEPA creditor identifier are the
    collector's; a creditor identifier given here is used instead.

    Sequence type: FRST while the household has no payment with method direct_debit (the
    mandate was never used), RCUR afterwards. Such payments come from importing the bank
    statement on which the collections are credited (bank transaction code PMNT/RDDT), or are
    recorded by hand. Two files made before the first collection is booked are thus both FRST.
    """
    acting.require("payment.record")
    if not collected_programmes(acting.organisation).filter(pk=programme.pk).exists():
        raise PermissionDenied(_("Your organisation does not collect for this programme."))
    creditor = acting.organisation
    creditor_id = creditor_id or creditor.sepa_creditor_id
    if not creditor_id:
        raise ValidationError(
            {"creditor_id": _("Enter your organisation's SEPA creditor identifier first.")}
        )
    contracts = list(
        Contract.objects.filter(
            programme=programme,
            collector=creditor,
            status=Contract.Status.ACTIVE,
            payment_method=PaymentMethod.DIRECT_DEBIT,
        )
        .select_related("household")
        .order_by("pk")
    )
    households = {c.household_id: c.household for c in contracts}
    for household in households.values():
        # Credit first: money already received is not collected a second time.
        allocate_credit(household=household, collector=creditor)
    open_amounts: dict[int, Decimal] = dict(
        Charge.objects.filter(contract__in=contracts, settled__lt=F("tenant_amount"))
        .values("contract_id")
        .annotate(open=Sum(F("tenant_amount") - F("settled")))
        .values_list("contract_id", "open")
    )
    used = set(
        Payment.objects.filter(
            household_id__in=households, method=PaymentMethod.DIRECT_DEBIT
        ).values_list("household_id", flat=True)
    )
    transactions = [
        DirectDebit(
            end_to_end_id=f"WIJK-{c.pk}-{collection_date:%Y%m%d}",
            amount=open_amounts[c.pk],
            debtor_name=c.household.name,
            debtor_iban=c.debtor_iban,
            mandate_id=c.mandate_id,
            mandate_date=c.mandate_signed_on,  # type: ignore[arg-type]  # checked by the builder
            sequence_type="RCUR" if c.household_id in used else "FRST",
            remittance=_("Rent %(appliance)s %(reference)s")
            % {"appliance": c.get_category_display(), "reference": c.payment_reference},
        )
        for c in contracts
        if open_amounts.get(c.pk, ZERO) > 0
    ]
    if not transactions:
        raise ValidationError(
            _(
                "There is nothing to collect by direct debit for %(programme)s: no active "
                "direct-debit contract has an open charge."
            )
            % {"programme": programme}
        )
    try:
        data = build_pain008(
            creditor_name=creditor.name,
            creditor_iban=creditor.iban,
            creditor_bic=creditor_bic,
            creditor_id=creditor_id,
            collection_date=collection_date,
            transactions=transactions,
        )
    except Pain008Error as exc:
        raise ValidationError([_message(p).message for p in exc.problems]) from exc
    audit_record(
        acting=acting,
        action=Action.EXPORT,
        subject=(
            f"direct debits {programme.slug} {collection_date.isoformat()}: "
            f"{len(transactions)} collections"
        ),
    )
    return data
