"""SEPA direct debits: writing pain.008.001.02 files for the bank.

Pure Python (no Django), validate-first like the statement parsers: every problem is listed at
once (``Pain008Error.problems``, codes ``pain.*`` in ``money.bankfiles.MESSAGES``). Formats and
rules: docs/payments.md.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.eu import at_02
from stdnum.exceptions import ValidationError as StdnumError

from money.bankfiles import CURRENCY, MAX_AMOUNT, LineError, line_error

PAIN008_NS = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"

SEQUENCE_TYPES = ("FRST", "RCUR")
# The Latin character set every SEPA bank must accept (EPC217-08); identifiers may use only
# these, names and texts are transliterated to it.
_SEPA_CHARS = "A-Za-z0-9/\\-?:().,'+ "
_SEPA_ID_RE = re.compile(rf"[{_SEPA_CHARS}]{{1,35}}")
_SEPA_OTHER_RE = re.compile(rf"[^{_SEPA_CHARS}]")
_CREDITOR_ID_RE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}")


@dataclass(frozen=True)
class DirectDebit:
    """One collection from a household's account under a signed mandate."""

    end_to_end_id: str  # our reference for this collection, returned on the statement
    amount: Decimal
    debtor_name: str
    debtor_iban: str
    mandate_id: str
    mandate_date: date
    sequence_type: str  # FRST (first collection under the mandate) or RCUR
    remittance: str = ""
    debtor_bic: str = ""  # optional: IBAN-only is the SEPA rule since 2016


class Pain008Error(ValueError):
    """The collections cannot go to the bank; ``problems`` says every reason."""

    def __init__(self, problems: list[LineError]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def sepa_text(value: str, max_length: int) -> str:
    """``value`` in the SEPA character set: accents dropped (é → e), other signs → space."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _SEPA_OTHER_RE.sub(" ", text.replace("&", "+"))
    return " ".join(text.split())[:max_length].strip()


def _valid_sepa_id(value: str) -> bool:
    return bool(
        _SEPA_ID_RE.fullmatch(value or "")
        and not value.startswith("/")
        and not value.endswith("/")
        and "//" not in value
        and value.strip() == value
    )


def _valid_creditor_id(value: str) -> bool:
    compact = str(at_02.compact(value or ""))
    # python-stdnum checks the ISO 7064 mod 97-10 digits; the shape is checked here.
    return bool(_CREDITOR_ID_RE.fullmatch(compact)) and at_02.is_valid(compact)


def _iban_or_none(value: str) -> str | None:
    try:
        return str(stdnum_iban.validate(value or ""))
    except StdnumError:
        return None


def _bic_or_none(value: str) -> str | None:
    try:
        return str(stdnum_bic.validate(value or ""))
    except StdnumError:
        return None


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _total(transactions: list[DirectDebit]) -> str:
    return str(sum((tx.amount for tx in transactions), Decimal(0)).quantize(Decimal("0.01")))


def _agent(parent: ET.Element, tag: str, bic: str) -> None:
    institution = _sub(_sub(parent, tag), "FinInstnId")
    if bic:
        _sub(institution, "BIC", bic)
    else:
        _sub(_sub(institution, "Othr"), "Id", "NOTPROVIDED")


def _check_pain008(
    *,
    creditor_name: str,
    creditor_iban: str,
    creditor_bic: str,
    creditor_id: str,
    collection_date: date,
    transactions: list[DirectDebit],
    message_id: str,
    today: date,
) -> list[LineError]:
    problems: list[LineError] = []
    if not transactions:
        problems.append(line_error(None, "pain.no_transactions"))
    if not sepa_text(creditor_name, 70):
        problems.append(line_error(None, "pain.creditor_name"))
    if _iban_or_none(creditor_iban) is None:
        problems.append(line_error(None, "pain.creditor_iban", value=creditor_iban))
    if creditor_bic and _bic_or_none(creditor_bic) is None:
        problems.append(line_error(None, "pain.creditor_bic", value=creditor_bic))
    if not _valid_creditor_id(creditor_id):
        problems.append(line_error(None, "pain.creditor_id", value=creditor_id))
    if not isinstance(collection_date, date) or isinstance(collection_date, datetime):
        problems.append(line_error(None, "pain.collection_date", value=str(collection_date)))
        collection_date = today
    elif collection_date < today:
        problems.append(line_error(None, "pain.collection_date", value=collection_date.isoformat()))
    if not _valid_sepa_id(message_id) or len(message_id) > 30:
        problems.append(line_error(None, "pain.message_id", value=message_id))

    seen: set[str] = set()
    for number, tx in enumerate(transactions, start=1):
        if not _valid_sepa_id(tx.end_to_end_id):
            problems.append(line_error(number, "pain.end_to_end_id", value=tx.end_to_end_id))
        elif tx.end_to_end_id in seen:
            problems.append(line_error(number, "pain.end_to_end_id_twice", value=tx.end_to_end_id))
        seen.add(tx.end_to_end_id)
        amount = tx.amount
        if (
            not isinstance(amount, Decimal)
            or not amount.is_finite()
            or amount <= 0
            or amount > MAX_AMOUNT
            or amount != amount.quantize(Decimal("0.01"))
        ):
            problems.append(
                line_error(number, "pain.amount", value=str(amount), max=str(MAX_AMOUNT))
            )
        if not sepa_text(tx.debtor_name, 70):
            problems.append(line_error(number, "pain.debtor_name"))
        if _iban_or_none(tx.debtor_iban) is None:
            problems.append(
                line_error(number, "pain.debtor_iban", value=tx.debtor_iban, name=tx.debtor_name)
            )
        if tx.debtor_bic and _bic_or_none(tx.debtor_bic) is None:
            problems.append(line_error(number, "pain.debtor_bic", value=tx.debtor_bic))
        if not _valid_sepa_id(tx.mandate_id):
            problems.append(line_error(number, "pain.mandate_id", value=tx.mandate_id))
        if (
            not isinstance(tx.mandate_date, date)
            or isinstance(tx.mandate_date, datetime)
            or tx.mandate_date > collection_date
        ):
            problems.append(line_error(number, "pain.mandate_date", value=str(tx.mandate_date)))
        if tx.sequence_type not in SEQUENCE_TYPES:
            problems.append(line_error(number, "pain.sequence_type", value=str(tx.sequence_type)))
    return problems


def build_pain008(
    *,
    creditor_name: str,
    creditor_iban: str,
    creditor_bic: str = "",
    creditor_id: str,
    collection_date: date,
    transactions: list[DirectDebit],
    message_id: str = "",
    created_at: datetime | None = None,
) -> bytes:
    """A SEPA Core direct-debit file, pain.008.001.02, UTF-8 XML.

    Version 02 (the 2009 schema of the EPC implementation guidelines) is the one Belgian and
    Dutch banks all accept. One payment block per sequence type (FRST, RCUR), because the
    sequence type is set per block; each block and the group header carry the number of
    collections and the control sum. Raises Pain008Error (a ValueError) listing every problem.
    """
    created_at = (created_at or datetime.now()).replace(microsecond=0)
    message_id = message_id or f"WIJK{created_at:%Y%m%d%H%M%S}{uuid.uuid4().hex[:8].upper()}"
    problems = _check_pain008(
        creditor_name=creditor_name,
        creditor_iban=creditor_iban,
        creditor_bic=creditor_bic,
        creditor_id=creditor_id,
        collection_date=collection_date,
        transactions=transactions,
        message_id=message_id,
        today=created_at.date(),
    )
    if problems:
        raise Pain008Error(problems)

    name = sepa_text(creditor_name, 70)
    # Unqualified tags under a literal default namespace: ElementTree's default_namespace
    # option cannot serialise the (unqualified) Ccy attribute.
    root = ET.Element("Document", xmlns=PAIN008_NS)
    initiation = _sub(root, "CstmrDrctDbtInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", message_id)
    _sub(header, "CreDtTm", created_at.isoformat(timespec="seconds"))
    _sub(header, "NbOfTxs", str(len(transactions)))
    _sub(header, "CtrlSum", _total(transactions))
    _sub(_sub(header, "InitgPty"), "Nm", name)

    for sequence_type in SEQUENCE_TYPES:
        batch = [tx for tx in transactions if tx.sequence_type == sequence_type]
        if not batch:
            continue
        info = _sub(initiation, "PmtInf")
        _sub(info, "PmtInfId", f"{message_id}-{sequence_type}")
        _sub(info, "PmtMtd", "DD")
        _sub(info, "BtchBookg", "true")
        _sub(info, "NbOfTxs", str(len(batch)))
        _sub(info, "CtrlSum", _total(batch))
        kind = _sub(info, "PmtTpInf")
        _sub(_sub(kind, "SvcLvl"), "Cd", "SEPA")
        _sub(_sub(kind, "LclInstrm"), "Cd", "CORE")
        _sub(kind, "SeqTp", sequence_type)
        _sub(info, "ReqdColltnDt", collection_date.isoformat())
        _sub(_sub(info, "Cdtr"), "Nm", name)
        _sub(_sub(_sub(info, "CdtrAcct"), "Id"), "IBAN", str(stdnum_iban.compact(creditor_iban)))
        _agent(info, "CdtrAgt", str(stdnum_bic.compact(creditor_bic)) if creditor_bic else "")
        _sub(info, "ChrgBr", "SLEV")
        other = _sub(_sub(_sub(_sub(info, "CdtrSchmeId"), "Id"), "PrvtId"), "Othr")
        _sub(other, "Id", str(at_02.compact(creditor_id)))
        _sub(_sub(other, "SchmeNm"), "Prtry", "SEPA")
        for tx in batch:
            item = _sub(info, "DrctDbtTxInf")
            _sub(_sub(item, "PmtId"), "EndToEndId", tx.end_to_end_id)
            _sub(item, "InstdAmt", str(tx.amount.quantize(Decimal("0.01"))), Ccy=CURRENCY)
            mandate = _sub(_sub(item, "DrctDbtTx"), "MndtRltdInf")
            _sub(mandate, "MndtId", tx.mandate_id)
            _sub(mandate, "DtOfSgntr", tx.mandate_date.isoformat())
            _agent(item, "DbtrAgt", str(stdnum_bic.compact(tx.debtor_bic)) if tx.debtor_bic else "")
            _sub(_sub(item, "Dbtr"), "Nm", sepa_text(tx.debtor_name, 70))
            _sub(
                _sub(_sub(item, "DbtrAcct"), "Id"), "IBAN", str(stdnum_iban.compact(tx.debtor_iban))
            )
            remittance = sepa_text(tx.remittance, 140)
            if remittance:
                _sub(_sub(item, "RmtInf"), "Ustrd", remittance)
    return bytes(ET.tostring(root, encoding="UTF-8", xml_declaration=True))
