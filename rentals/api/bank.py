"""API of bank statements and SEPA direct debits."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Schema, Status, UploadedFile
from pydantic import ConfigDict

from core.access import COLLECTOR, needs
from core.api import ERRORS, Text, acting
from core.files import XML, file_response
from rentals.api.common import MAX_BANK_FILE, ProgrammeId, programme_of, router
from rentals.models import (
    BankLine,
)
from rentals.services.bank import bank_statement_import, sepa_direct_debit_export


class LineMessage(Schema):
    number: int | None = Field(description="Line (CSV) or entry (CAMT) number")
    message: str


class BankLineOut(Schema):
    id: int
    number: int
    booked_on: date
    amount: Decimal
    counterparty: str
    iban: str
    text: str
    reference: str
    status: BankLine.Status


class BankImportOut(Schema):
    id: int | None = Field(description="None when the file held nothing new")
    filename: str
    file_format: str
    matched: list[BankLineOut]
    unmatched: list[BankLineOut] = Field(description="For a person to resolve")
    skipped: list[LineMessage] = Field(description="Outgoing, not booked, reversals, doubles")
    already_imported: list[LineMessage]


@router.post("/bank-imports", response={200: BankImportOut, 201: BankImportOut, **ERRORS})
@needs("payment.record", of=COLLECTOR)
def bank_import_post(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Import a bank statement (CAMT.053 XML or CSV), sent as multipart/form-data field `file`.

    The whole file is checked first: when anything is wrong, every problem is answered at
    once (422, each message with its line number) and nothing is imported. Lines matched on a
    contract's payment reference become payments; the others are listed as unmatched, for a
    person to resolve. 201 when lines were imported, 200 when the file held nothing new.
    """
    if file.size is not None and file.size > MAX_BANK_FILE:
        raise ValidationError(
            {"file": _("The file is larger than %(max_mb)s MB.") % {"max_mb": 10}}
        )

    report = bank_statement_import(
        acting=acting(request), filename=file.name or "", data=file.read()
    )
    if report.errors:
        raise ValidationError({"file": [m.message for m in report.errors]})
    body = {
        "id": report.bank_import.pk if report.bank_import else None,
        "filename": report.filename,
        "file_format": report.file_format,
        "matched": report.matched,
        "unmatched": report.unmatched,
        "skipped": report.skipped,
        "already_imported": report.already_imported,
    }
    return Status(201 if report.bank_import else 200, body)


class SepaExportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    collection_date: date
    creditor_id: Text = Field(max_length=35, description="SEPA creditor identifier.")
    creditor_bic: Text = Field("", max_length=11, description="Only if your bank asks for it.")


@router.post(
    "/programmes/{programme_id}/sepa-export",
    response={200: str, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/xml": {}}}}},
)
@needs("payment.record", of=COLLECTOR)
def sepa_export_post(
    request: HttpRequest, programme_id: ProgrammeId, payload: SepaExportIn
) -> HttpResponse:
    """A SEPA direct-debit file (pain.008) for the open charges of households with a mandate."""
    programme = programme_of(request, programme_id)

    xml = sepa_direct_debit_export(
        acting=acting(request),
        programme=programme,
        collection_date=payload.collection_date,
        creditor_id=payload.creditor_id,
        creditor_bic=payload.creditor_bic,
    )
    return file_response(
        xml, filename=f"pain008-{programme.slug}-{payload.collection_date}.xml", content_type=XML
    )
