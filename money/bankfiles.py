"""Bank statements: reading CAMT.053 and CSV files (writing pain.008 is `money.sepa`).

Pure Python (no Django), validate-first: the parsers never raise on bad input. They read the
whole file and return every usable line together with every problem, so a person sees all
that is wrong at once and the Django layer stores nothing until the file is clean.

Problems carry a stable ``code``, ``params`` and an English ``default`` text with
``%(name)s`` placeholders. The default texts are wrapped in ``gettext_noop`` so
``makemessages`` picks them up; the Django layer shows ``gettext(problem.default) %
problem.params`` in the user's language. Formats and rules: docs/payments.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from stdnum import iban as stdnum_iban

from money.references import FoundReference, find_reference

MAX_FILE_BYTES = 10 * 1024 * 1024
# No household pays a rent of this size: such a line is a typing or export error.
MAX_AMOUNT = Decimal("100000")
CURRENCY = "EUR"

CAMT053_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
CAMT053_VERSIONS = tuple(f"{v:02d}" for v in range(2, 9))


def gettext_noop(message: str) -> str:
    """Marks a string for translation without translating it (this module has no Django)."""
    return message


MESSAGES: dict[str, str] = {
    # Whole file.
    "file.empty": gettext_noop("The file is empty."),
    "file.too_large": gettext_noop("The file is larger than %(max_mb)s MB."),
    "file.binary": gettext_noop(
        "This is not a bank statement: the file contains binary data. "
        "Export the statement as CAMT.053 (XML) or CSV."
    ),
    "file.not_recognised": gettext_noop(
        "This file is not a bank statement we can read. Export it as CAMT.053 (XML) or as CSV "
        "with a header row that names at least the date, amount and communication columns."
    ),
    "xml.encoding": gettext_noop("The XML file is not encoded as UTF-8."),
    "xml.forbidden": gettext_noop(
        "The XML file contains a document type or entity declaration, which bank statements "
        "never contain; it was refused for safety."
    ),
    "xml.malformed": gettext_noop("The XML file is damaged: %(detail)s."),
    "xml.not_camt053": gettext_noop(
        "The XML file is not a CAMT.053 bank statement (found “%(found)s”)."
    ),
    "xml.unsupported_version": gettext_noop(
        "CAMT.053 version %(version)s is not supported; versions 02 to 08 are."
    ),
    "xml.no_statement": gettext_noop("The CAMT.053 file contains no statement."),
    "csv.missing_columns": gettext_noop(
        "The CSV file has no column for: %(columns)s. The header row must name the date, "
        "amount and communication columns."
    ),
    # One line.
    "line.date_missing": gettext_noop("Line %(number)s has no date."),
    "line.date_invalid": gettext_noop(
        "Line %(number)s: “%(value)s” is not a date (use dd/mm/yyyy or yyyy-mm-dd)."
    ),
    "line.amount_missing": gettext_noop("Line %(number)s has no amount."),
    "line.amount_invalid": gettext_noop("Line %(number)s: “%(value)s” is not an amount."),
    "line.amount_not_positive": gettext_noop(
        "Line %(number)s: the amount %(value)s is not a payment received; only incoming "
        "payments can be imported."
    ),
    "line.amount_too_large": gettext_noop(
        "Line %(number)s: the amount %(value)s is larger than %(max)s EUR; check the file."
    ),
    "line.currency": gettext_noop(
        "Line %(number)s is in %(currency)s; only payments in EUR can be imported."
    ),
    "line.direction_unknown": gettext_noop(
        "Line %(number)s does not say whether it is a credit or a debit."
    ),
    # Lines left out on purpose (not errors).
    "line.debit": gettext_noop("Line %(number)s is an outgoing payment and was left out."),
    "line.not_booked": gettext_noop(
        "Line %(number)s is not booked yet (status %(status)s) and was left out."
    ),
    "line.reversal": gettext_noop("Line %(number)s is a reversal and was left out."),
    "line.duplicate": gettext_noop(
        "Line %(number)s appears twice in this file; the second one was left out."
    ),
    # Direct-debit file.
    "pain.no_transactions": gettext_noop("There are no collections to put in the file."),
    "pain.creditor_name": gettext_noop("The creditor name is missing."),
    "pain.creditor_iban": gettext_noop("The creditor IBAN “%(value)s” is not valid."),
    "pain.creditor_bic": gettext_noop("The creditor BIC “%(value)s” is not valid."),
    "pain.creditor_id": gettext_noop(
        "The SEPA creditor identifier “%(value)s” is not valid (e.g. BE69ZZZ0123456789)."
    ),
    "pain.collection_date": gettext_noop(
        "The collection date %(value)s is not a date on or after today."
    ),
    "pain.message_id": gettext_noop(
        "The message identification “%(value)s” must be 1 to 30 letters, digits "
        "or - / ? : ( ) . , ' +."
    ),
    "pain.end_to_end_id": gettext_noop(
        "Collection %(number)s: the reference “%(value)s” must be 1 to 35 letters, digits "
        "or - / ? : ( ) . , ' +."
    ),
    "pain.end_to_end_id_twice": gettext_noop(
        "Collection %(number)s: the reference “%(value)s” is used twice."
    ),
    "pain.amount": gettext_noop(
        "Collection %(number)s: the amount %(value)s must be between 0.01 and %(max)s EUR "
        "with at most two decimals."
    ),
    "pain.debtor_name": gettext_noop("Collection %(number)s: the debtor name is missing."),
    "pain.debtor_iban": gettext_noop(
        "Collection %(number)s: the IBAN “%(value)s” of %(name)s is not valid."
    ),
    "pain.debtor_bic": gettext_noop("Collection %(number)s: the BIC “%(value)s” is not valid."),
    "pain.mandate_id": gettext_noop(
        "Collection %(number)s: the mandate reference “%(value)s” must be 1 to 35 letters, "
        "digits or - / ? : ( ) . , ' +."
    ),
    "pain.mandate_date": gettext_noop(
        "Collection %(number)s: the mandate date %(value)s is missing or after the collection date."
    ),
    "pain.sequence_type": gettext_noop(
        "Collection %(number)s: the sequence type “%(value)s” must be FRST or RCUR."
    ),
}


@dataclass(frozen=True)
class LineError:
    """One problem (or one line left out): a code and params to translate, an English default.

    ``number`` is the line (CSV) or entry (CAMT) number, the collection number for pain.008,
    or None when the problem concerns the whole file.
    """

    number: int | None
    code: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    @property
    def default(self) -> str:
        return MESSAGES[self.code]

    @property
    def message(self) -> str:
        """The English text, for logs and tests; users see the translated ``default``."""
        return self.default % dict(self.params)

    def __str__(self) -> str:
        return self.message


def line_error(number: int | None, code: str, **params: str | int) -> LineError:
    if number is not None:
        params.setdefault("number", number)
    return LineError(number, code, params)


@dataclass(frozen=True)
class StatementLine:
    """One incoming payment read from a bank statement."""

    number: int  # CSV: the line in the file (header = 1); CAMT: the entry (1 = first <Ntry>)
    booking_date: date
    amount: Decimal  # always positive: only credits become lines
    currency: str
    counterparty_name: str
    counterparty_iban: str
    remittance: str  # the free text (unstructured remittance information)
    structured_reference: str  # CAMT <Strd><CdtrRefInf><Ref>, as the bank gave it
    bank_reference: str  # stable per bank entry, to refuse importing the same entry twice
    reference: FoundReference | None  # a valid payment reference, structured field first
    # CAMT only: the ISO bank transaction code "domain/family/sub-family", e.g. PMNT/RCDT/ESCT
    # for a SEPA transfer received and PMNT/RDDT/ESDD for a SEPA direct debit collected.
    transaction_code: str = ""

    @property
    def is_direct_debit(self) -> bool:
        """Money we collected by SEPA direct debit (family RDDT: received direct debits)."""
        return self.transaction_code.split("/")[1:2] == ["RDDT"]


@dataclass
class ParseResult:
    format: str  # "camt053" or "csv"
    lines: list[StatementLine] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    skipped: list[LineError] = field(default_factory=list)  # left out on purpose, not errors
    encoding: str = ""  # how the file was read
    account_iban: str = ""  # the statement's own account (CAMT only)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_errors(self) -> list[LineError]:
        return [e for e in self.errors if e.number is None]

    def fail(self, code: str, **params: str | int) -> ParseResult:
        """Refuse the whole file: one file-level error and no lines."""
        self.lines = []
        self.skipped = []
        self.errors = [line_error(None, code, **params)]
        return self


# --- Shared checks -----------------------------------------------------------------------------

BOM = b"\xef\xbb\xbf"
# Control characters never found in a text export; C1 controls appear when binary data is read
# as latin-1, so they count too.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _file_problem(data: bytes) -> tuple[str, dict[str, str | int]] | None:
    if not data or not data.strip():
        return "file.empty", {}
    if len(data) > MAX_FILE_BYTES:
        return "file.too_large", {"max_mb": MAX_FILE_BYTES // (1024 * 1024)}
    if b"\x00" in data:
        return "file.binary", {}
    return None


def _amount_problems(number: int, amount: Decimal, raw: str) -> list[LineError]:
    if amount <= 0:
        return [line_error(number, "line.amount_not_positive", value=raw)]
    if amount > MAX_AMOUNT:
        return [line_error(number, "line.amount_too_large", value=raw, max=str(MAX_AMOUNT))]
    return []


def _to_amount(raw: str) -> Decimal | None:
    """A Decimal with at most two decimals from ``12,50``, ``1.234,56``, ``1,234.56``, ``-3``…

    The decimal mark is the last comma or point, unless it is followed by three digits only
    ("1.234" could be 1234 or 1.234): such an amount is refused rather than guessed.
    """
    text = re.sub(r"(?i)eur|€|[\s\u00a0']", "", raw or "")
    negative = False
    if text.endswith("-"):  # some exports write debits as 12,50-
        negative, text = True, text[:-1]
    elif text[:1] in ("+", "-"):
        negative, text = text[0] == "-", text[1:]
    if not re.fullmatch(r"\d[\d.,]*", text):
        return None
    if "," in text and "." in text:
        mark = "," if text.rfind(",") > text.rfind(".") else "."
    elif text.count(",") == 1:
        mark = ","
    elif text.count(".") == 1:
        mark = "."
    else:
        mark = ""  # no separator at all, or only thousands separators (1.234.567)
    whole, fraction = text.rsplit(mark, 1) if mark else (text, "")
    for thousands in ",.":
        if thousands in whole:
            if not re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})+", whole):
                return None
            whole = whole.replace(thousands, "")
    if not whole.isdigit() or not re.fullmatch(r"\d{0,2}", fraction):
        return None
    amount = Decimal(f"{whole}.{fraction or '0'}").quantize(Decimal("0.01"))
    return -amount if negative else amount


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y%m%d")


def _to_date(raw: str) -> date | None:
    text = (raw or "").strip()
    # An ISO date-time (2025-11-03T09:15:00 or with a space): the date part is what counts.
    text = re.split(r"[T ]", text, maxsplit=1)[0]
    if text.isdigit() and len(text) != 8:
        return None  # 2025114 could be 4 November or 14 January
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _compact_iban(raw: str) -> str:
    return str(stdnum_iban.compact(raw or ""))[:34]


def _synthetic_reference(prefix: str, parts: Iterable[str], seen: Counter[str]) -> str:
    """A stable id for a line the bank gave no id: same content, same id on a second import.

    Identical lines in one file (two equal payments on one day) are told apart by their
    order of appearance.
    """
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    seen[digest] += 1
    return f"{prefix}:{digest}:{seen[digest]}"


def _make_line(
    *,
    number: int,
    booking_date: date,
    amount: Decimal,
    currency: str,
    name: str,
    iban: str,
    remittance: str,
    structured: str,
    bank_reference: str,
    transaction_code: str = "",
) -> StatementLine:
    reference = find_reference(structured) if structured else None
    return StatementLine(
        number=number,
        booking_date=booking_date,
        amount=amount,
        currency=currency,
        counterparty_name=" ".join(name.split())[:140],
        counterparty_iban=iban,
        remittance=" ".join(remittance.split())[:500],
        structured_reference=structured.strip()[:40],
        bank_reference=bank_reference[:80],
        reference=reference or find_reference(remittance),
        transaction_code=transaction_code,
    )


# --- CAMT.053 ----------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class _Camt:
    """Namespace-aware lookups in one CAMT.053 document."""

    def __init__(self, namespace: str) -> None:
        self.ns = {"c": namespace}

    def _path(self, path: str) -> str:
        return "/".join(f"c:{step}" for step in path.split("/"))

    def find(self, element: ET.Element, path: str) -> ET.Element | None:
        return element.find(self._path(path), self.ns)

    def findall(self, element: ET.Element, path: str) -> list[ET.Element]:
        return element.findall(self._path(path), self.ns)

    def text(self, element: ET.Element | None, *paths: str) -> str:
        """The text of the first of ``paths`` that is present, stripped; "" when none is."""
        if element is None:
            return ""
        for path in paths:
            found = self.find(element, path)
            if found is not None and (found.text or "").strip():
                return (found.text or "").strip()
        return ""


def parse_camt053(data: bytes) -> ParseResult:
    """Incoming payments from a CAMT.053 statement (versions 02 to 08)."""
    result = ParseResult("camt053", encoding="utf-8")
    problem = _file_problem(data)
    if problem:
        return result.fail(problem[0], **problem[1])
    if data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return result.fail("xml.encoding")
    # A bank statement never declares a DTD or entities: defusedxml refuses them, which rules
    # out entity expansion ("billion laughs") and external entities. The forced encoding
    # overrides whatever the XML declaration claims.
    parser = DefusedXMLParser(target=ET.TreeBuilder(), encoding="utf-8", forbid_dtd=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        return result.fail("xml.forbidden")
    except ET.ParseError as exc:
        return result.fail("xml.malformed", detail=str(exc))

    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if _local(root.tag) != "Document" or not namespace.startswith(CAMT053_PREFIX):
        return result.fail("xml.not_camt053", found=namespace or _local(root.tag))
    version = namespace[len(CAMT053_PREFIX) :]
    if version not in CAMT053_VERSIONS:
        return result.fail("xml.unsupported_version", version=version)

    camt = _Camt(namespace)
    statements = camt.findall(root, "BkToCstmrStmt/Stmt")
    if not statements:
        return result.fail("xml.no_statement")
    result.account_iban = camt.text(statements[0], "Acct/Id/IBAN")

    number = 0
    seen_refs: set[str] = set()
    synthetic: Counter[str] = Counter()
    for statement in statements:
        account = camt.text(statement, "Acct/Id/IBAN")
        for entry in camt.findall(statement, "Ntry"):
            number += 1
            for item in _camt_entry(camt, entry, number, account, synthetic):
                if isinstance(item, LineError):
                    target = result.skipped if item.code in SKIP_CODES else result.errors
                    target.append(item)
                elif item.bank_reference in seen_refs:
                    result.skipped.append(line_error(number, "line.duplicate"))
                else:
                    seen_refs.add(item.bank_reference)
                    result.lines.append(item)
    return result


def _transaction_code(camt: _Camt, element: ET.Element | None) -> str:
    """``domain/family/sub-family`` of the ISO bank transaction code, "" when absent."""
    domain = camt.text(element, "BkTxCd/Domn/Cd")
    if not domain:
        return ""
    family = camt.text(element, "BkTxCd/Domn/Fmly/Cd")
    sub_family = camt.text(element, "BkTxCd/Domn/Fmly/SubFmlyCd")
    return f"{domain}/{family}/{sub_family}"


SKIP_CODES = frozenset({"line.debit", "line.not_booked", "line.reversal", "line.duplicate"})


def _camt_entry(
    camt: _Camt, entry: ET.Element, number: int, account: str, synthetic: Counter[str]
) -> list[StatementLine | LineError]:
    direction = camt.text(entry, "CdtDbtInd")
    if direction == "DBIT":
        return [line_error(number, "line.debit")]
    if direction != "CRDT":
        return [line_error(number, "line.direction_unknown")]
    status = camt.text(entry, "Sts/Cd", "Sts")  # Sts/Cd from version 08 on
    if status and status != "BOOK":
        return [line_error(number, "line.not_booked", status=status)]
    if camt.text(entry, "RvslInd").lower() in ("true", "1"):
        return [line_error(number, "line.reversal")]

    problems: list[StatementLine | LineError] = []
    raw_date = camt.text(entry, "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm")
    booking_date = _to_date(raw_date)
    if not raw_date:
        problems.append(line_error(number, "line.date_missing"))
    elif booking_date is None:
        problems.append(line_error(number, "line.date_invalid", value=raw_date))

    entry_ref = camt.text(entry, "AcctSvcrRef", "NtryRef")
    details = camt.findall(entry, "NtryDtls/TxDtls")
    # A batch entry (several transfers booked as one) becomes one line per transfer; each
    # then needs its own amount.
    parts: list[tuple[ET.Element | None, ET.Element | None, str]] = []
    if len(details) <= 1:
        tx = details[0] if details else None
        parts.append((tx, camt.find(entry, "Amt"), entry_ref))
    else:
        for index, tx in enumerate(details, start=1):
            own_ref = camt.text(tx, "Refs/AcctSvcrRef")
            amount_el = camt.find(tx, "Amt")
            if amount_el is None:
                amount_el = camt.find(tx, "AmtDtls/TxAmt/Amt")
            parts.append((tx, amount_el, own_ref or (f"{entry_ref}/{index}" if entry_ref else "")))

    entry_text = camt.text(entry, "AddtlNtryInf")
    entry_code = _transaction_code(camt, entry)
    for tx, amount_el, ref in parts:
        line_problems: list[LineError] = []
        raw_amount = (amount_el.text or "").strip() if amount_el is not None else ""
        currency = (amount_el.get("Ccy") or "").strip() if amount_el is not None else ""
        amount = _to_amount(raw_amount) if re.fullmatch(r"-?\d+(\.\d+)?", raw_amount) else None
        if not raw_amount:
            line_problems.append(line_error(number, "line.amount_missing"))
        elif amount is None:
            line_problems.append(line_error(number, "line.amount_invalid", value=raw_amount))
        else:
            line_problems += _amount_problems(number, amount, raw_amount)
        if currency != CURRENCY:
            line_problems.append(line_error(number, "line.currency", currency=currency or "?"))
        if line_problems or booking_date is None or amount is None:
            problems += line_problems
            continue
        name = camt.text(tx, "RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm")
        iban = _compact_iban(camt.text(tx, "RltdPties/DbtrAcct/Id/IBAN"))
        unstructured = " ".join(
            (el.text or "").strip()
            for el in (camt.findall(tx, "RmtInf/Ustrd") if tx is not None else [])
        ).strip()
        remittance = unstructured or camt.text(tx, "AddtlTxInf") or entry_text
        structured = camt.text(tx, "RmtInf/Strd/CdtrRefInf/Ref")
        if ref:
            bank_reference = f"{account}:{ref}" if account else ref
        else:
            bank_reference = _synthetic_reference(
                "camt",
                [account, booking_date.isoformat(), str(amount), iban, remittance, structured],
                synthetic,
            )
        problems.append(
            _make_line(
                number=number,
                booking_date=booking_date,
                amount=amount,
                currency=currency,
                name=name,
                iban=iban,
                remittance=remittance,
                structured=structured,
                bank_reference=bank_reference,
                transaction_code=_transaction_code(camt, tx) or entry_code,
            )
        )
    return problems


# --- CSV ---------------------------------------------------------------------------------------


def _normalise_header(cell: str) -> str:
    text = unicodedata.normalize("NFKD", cell.strip().lstrip("\ufeff").lower())
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


# Accepted column names (after lower-casing and dropping accents, spaces and punctuation),
# most specific first: "Tegenrekening" beats "Rekening", which may be the own account.
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("boekingsdatum", "boekdatum", "bookingdate", "datecomptable", "datum", "date"),
    "amount": ("bedrageur", "montanteur", "amounteur", "bedrag", "montant", "amount"),
    "reference": (
        "gestructureerdemededeling",
        "communicationstructuree",
        "betalingskenmerk",
        "mededeling",
        "mededelingen",
        "communication",
        "omschrijving",
        "description",
        "kenmerk",
        "referentie",
        "reference",
    ),
    "name": (
        "naamtegenpartij",
        "nomcontrepartie",
        "counterpartyname",
        "naamomschrijving",
        "tegenpartij",
        "contrepartie",
        "counterparty",
        "naam",
        "nom",
        "name",
    ),
    "iban": (
        "tegenrekening",
        "rekeningtegenpartij",
        "ibantegenpartij",
        "comptecontrepartie",
        "counterpartyiban",
        "iban",
        "rekening",
        "compte",
    ),
    "currency": ("munteenheid", "munt", "valuta", "devise", "currency"),
    "id": ("transactieid", "transactionid", "bankreference", "referentiebank", "id"),
}
CSV_REQUIRED = ("date", "amount", "reference")
_HEADER_SCAN = 20  # a few banks put account details above the header row


def _map_header(cells: list[str]) -> dict[str, list[int]]:
    """Field → column indexes. Every communication-like column counts (they are joined)."""
    names = [_normalise_header(cell) for cell in cells]
    mapping: dict[str, list[int]] = {}
    for field_name, synonyms in CSV_COLUMNS.items():
        if field_name == "reference":
            indexes = [i for i, name in enumerate(names) if name in synonyms]
        else:
            ranked = sorted(
                (synonyms.index(name), i) for i, name in enumerate(names) if name in synonyms
            )
            indexes = [ranked[0][1]] if ranked else []
        if indexes:
            mapping[field_name] = indexes
    return mapping


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), else Windows-1252, else latin-1 (which reads anything)."""
    bom = data.startswith(BOM)
    if bom:
        data = data[len(BOM) :]
    for encoding in ("utf-8", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, ("utf-8-sig" if bom and encoding == "utf-8" else encoding)
    return data.decode("latin-1"), "latin-1"


def _find_header(text: str) -> tuple[str, int, dict[str, list[int]]] | None:
    """The delimiter, the header's record index and its column mapping, best match first."""
    best: tuple[int, str, int, dict[str, list[int]]] | None = None
    for delimiter in (";", ",", "\t"):
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            for index, cells in enumerate(reader):
                if index >= _HEADER_SCAN:
                    break
                mapping = _map_header(cells)
                score = len(mapping) + 10 * sum(f in mapping for f in CSV_REQUIRED)
                if mapping and (best is None or score > best[0]):
                    best = (score, delimiter, index, mapping)
        except csv.Error:
            continue
    return best[1:] if best else None


def parse_csv(data: bytes) -> ParseResult:
    """Incoming payments from a CSV export with a header row (layout: docs/payments.md)."""
    result = ParseResult("csv")
    problem = _file_problem(data)
    if problem:
        return result.fail(problem[0], **problem[1])
    text, result.encoding = _decode(data)
    if _CONTROL_RE.search(text):
        return result.fail("file.binary")
    found = _find_header(text)
    if found is None:
        return result.fail("file.not_recognised")
    delimiter, header_index, mapping = found
    missing = [f for f in CSV_REQUIRED if f not in mapping]
    if missing:
        # Fewer than two known columns: most likely not a bank export at all.
        if len(mapping) < 2:
            return result.fail("file.not_recognised")
        return result.fail("csv.missing_columns", columns=", ".join(missing))

    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    seen_ids: set[str] = set()
    synthetic: Counter[str] = Counter()
    try:
        for index, cells in enumerate(reader):
            if index <= header_index or not any(cell.strip() for cell in cells):
                continue
            number = reader.line_num
            line = _csv_row(cells, mapping, number, synthetic)
            if isinstance(line, StatementLine):
                if line.bank_reference in seen_ids:
                    result.skipped.append(line_error(number, "line.duplicate"))
                    continue
                seen_ids.add(line.bank_reference)
                result.lines.append(line)
            elif isinstance(line, LineError):
                result.skipped.append(line)
            else:
                result.errors += line
    except csv.Error:
        return result.fail("file.not_recognised")
    return result


def _csv_row(
    cells: list[str], mapping: dict[str, list[int]], number: int, synthetic: Counter[str]
) -> StatementLine | LineError | list[LineError]:
    """The line, the reason it is left out (a LineError), or its problems (a list)."""

    def cell(field_name: str) -> str:
        values = [cells[i].strip() for i in mapping.get(field_name, []) if i < len(cells)]
        return " ".join(v for v in values if v)

    raw_amount = cell("amount")
    amount = _to_amount(raw_amount)
    if amount is not None and amount < 0:
        # An outgoing payment (bank costs, a refund): left out like a CAMT debit, whatever
        # else is on its line; only incoming payments matter here.
        return line_error(number, "line.debit")

    problems: list[LineError] = []
    raw_date = cell("date")
    booking_date = _to_date(raw_date)
    if not raw_date:
        problems.append(line_error(number, "line.date_missing"))
    elif booking_date is None:
        problems.append(line_error(number, "line.date_invalid", value=raw_date))
    if not raw_amount:
        problems.append(line_error(number, "line.amount_missing"))
    elif amount is None:
        problems.append(line_error(number, "line.amount_invalid", value=raw_amount))
    else:
        problems += _amount_problems(number, amount, raw_amount)
    currency = (cell("currency") or CURRENCY).upper()
    if currency != CURRENCY:
        problems.append(line_error(number, "line.currency", currency=currency))
    if problems or booking_date is None or amount is None:
        return problems

    remittance, name, iban = cell("reference"), cell("name"), _compact_iban(cell("iban"))
    bank_reference = cell("id")
    if not bank_reference:
        bank_reference = _synthetic_reference(
            "csv", [booking_date.isoformat(), str(amount), iban, name, remittance], synthetic
        )
    return _make_line(
        number=number,
        booking_date=booking_date,
        amount=amount,
        currency=currency,
        name=name,
        iban=iban,
        remittance=remittance,
        structured="",
        bank_reference=bank_reference,
    )


def parse_statement(data: bytes) -> ParseResult:
    """CAMT.053 when the file is XML, CSV otherwise."""
    head = data[len(BOM) :] if data.startswith(BOM) else data
    if head.lstrip()[:1] == b"<":
        return parse_camt053(data)
    return parse_csv(data)
