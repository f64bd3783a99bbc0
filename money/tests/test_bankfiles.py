"""Bank statement parsing (CAMT.053, CSV) and the SEPA direct-debit file (pure, no DB)."""

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from money.bankfiles import (
    MESSAGES,
    LineError,
    ParseResult,
    parse_camt053,
    parse_csv,
    parse_statement,
)
from money.references import FoundReference, Scheme
from money.sepa import PAIN008_NS, DirectDebit, Pain008Error, build_pain008, sepa_text

DATA = Path(__file__).parent / "data"
CAMT = (DATA / "camt053_sample.xml").read_bytes()
CAMT_NS_02 = b"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def codes(problems: list[LineError]) -> list[tuple[int | None, str]]:
    return [(p.number, p.code) for p in problems]


def assert_refused(result: ParseResult, code: str) -> None:
    assert result.lines == []
    assert codes(result.errors) == [(None, code)]
    assert result.errors[0].message  # the English default formats with its params


# --- CAMT.053 ----------------------------------------------------------------------------------


def test_camt053_sample():
    result = parse_camt053(CAMT)
    assert result.ok
    assert result.account_iban == "BE62510007547061"
    first, second = result.lines

    # Entry 1: the reference in the structured field.
    assert first.number == 1
    assert first.booking_date == date(2025, 11, 4)
    assert first.amount == Decimal("8.50")
    assert first.currency == "EUR"
    assert first.counterparty_name == "JANSENS AN"
    assert first.counterparty_iban == "BE71096123456769"
    assert first.structured_reference == "000000100131"
    assert first.reference == FoundReference(Scheme.BE, 1001)

    # Entry 2: the reference only in the free text.
    assert second.number == 2
    assert second.amount == Decimal("7.00")
    assert second.structured_reference == ""
    assert "+++000/0001/00232+++" in second.remittance
    assert second.reference == FoundReference(Scheme.BE, 1002)
    assert first.bank_reference == "BE62510007547061:2025110400123"
    assert first.bank_reference != second.bank_reference

    # Entry 3: bank costs, a debit, left out without being an error.
    assert codes(result.skipped) == [(3, "line.debit")]
    assert first.transaction_code == "PMNT/RCDT/ESCT"
    assert not first.is_direct_debit


def test_camt053_direct_debit_collection_is_recognised():
    data = CAMT.replace(b"<Cd>RCDT</Cd><SubFmlyCd>ESCT", b"<Cd>RDDT</Cd><SubFmlyCd>ESDD", 1)
    first, second = parse_camt053(data).lines
    assert first.transaction_code == "PMNT/RDDT/ESDD"
    assert first.is_direct_debit
    assert not second.is_direct_debit


def test_camt053_same_file_gives_same_bank_references():
    again = parse_camt053(CAMT)
    assert [x.bank_reference for x in again.lines] == [
        x.bank_reference for x in parse_camt053(CAMT).lines
    ]


@pytest.mark.parametrize("version", ["02", "03", "04", "05", "06", "07", "08"])
def test_camt053_versions_02_to_08(version):
    data = CAMT.replace(CAMT_NS_02, CAMT_NS_02[:-2] + version.encode())
    if version == "08":
        # Version 08 nests the status code and the party name one level deeper.
        data = data.replace(b"<Sts>BOOK</Sts>", b"<Sts><Cd>BOOK</Cd></Sts>")
        data = data.replace(
            b"<Dbtr><Nm>JANSENS AN</Nm></Dbtr>", b"<Dbtr><Pty><Nm>JANSENS AN</Nm></Pty></Dbtr>"
        )
    result = parse_camt053(data)
    assert result.ok
    assert [line.reference for line in result.lines] == [
        FoundReference(Scheme.BE, 1001),
        FoundReference(Scheme.BE, 1002),
    ]
    assert result.lines[0].counterparty_name == "JANSENS AN"


def test_camt053_unsupported_version_and_other_messages():
    assert_refused(
        parse_camt053(CAMT.replace(CAMT_NS_02, CAMT_NS_02[:-2] + b"09")),
        "xml.unsupported_version",
    )
    camt054 = CAMT.replace(CAMT_NS_02, b"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02")
    assert_refused(parse_camt053(camt054), "xml.not_camt053")
    assert_refused(parse_camt053(b"<?xml version='1.0'?><html><body/></html>"), "xml.not_camt053")


def test_camt053_wrong_currency_is_a_line_error():
    data = CAMT.replace(b'<Amt Ccy="EUR">7.00</Amt>', b'<Amt Ccy="USD">7.00</Amt>')
    result = parse_camt053(data)
    assert not result.ok
    assert codes(result.errors) == [(2, "line.currency")]
    assert "USD" in result.errors[0].message
    assert [line.number for line in result.lines] == [1]


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (b"250000.00", "line.amount_too_large"),
        (b"-7.00", "line.amount_not_positive"),
        (b"0.00", "line.amount_not_positive"),
        (b"7,00", "line.amount_invalid"),
        (b"", "line.amount_missing"),
    ],
)
def test_camt053_bad_amounts(amount, code):
    data = CAMT.replace(b'<Amt Ccy="EUR">7.00</Amt>', b'<Amt Ccy="EUR">' + amount + b"</Amt>")
    result = parse_camt053(data)
    assert codes(result.errors) == [(2, code)]
    assert [line.number for line in result.lines] == [1]


def test_camt053_pending_entry_is_skipped():
    data = CAMT.replace(b"<Sts>BOOK</Sts>", b"<Sts>PDNG</Sts>", 1)
    result = parse_camt053(data)
    assert result.ok
    assert codes(result.skipped) == [(1, "line.not_booked"), (3, "line.debit")]
    assert [line.number for line in result.lines] == [2]


def test_camt053_batch_entry_gives_one_line_per_transfer():
    tx = (
        b"<TxDtls><Refs><AcctSvcrRef>B-%d</AcctSvcrRef></Refs>"
        b'<AmtDtls><TxAmt><Amt Ccy="EUR">%s</Amt></TxAmt></AmtDtls>'
        b"<RmtInf><Ustrd>%s</Ustrd></RmtInf></TxDtls>"
    )
    batch = (
        b'<Ntry><Amt Ccy="EUR">15.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        b"<BookgDt><Dt>2025-11-05</Dt></BookgDt><AcctSvcrRef>B</AcctSvcrRef><NtryDtls>"
        + tx % (1, b"8.50", b"+++000/0001/00131+++")
        + tx % (2, b"7.00", b"+++000/0001/00232+++")
        + b"</NtryDtls></Ntry></Stmt>"
    )
    result = parse_camt053(CAMT.replace(b"</Stmt>", batch))
    assert result.ok
    batch_lines = [line for line in result.lines if line.number == 4]
    assert [(x.amount, x.reference and x.reference.number) for x in batch_lines] == [
        (Decimal("8.50"), 1001),
        (Decimal("7.00"), 1002),
    ]


def test_camt053_same_entry_twice_in_one_file_is_skipped():
    statement = CAMT[CAMT.index(b"<Stmt>") : CAMT.index(b"</Stmt>") + len(b"</Stmt>")]
    result = parse_camt053(CAMT.replace(b"</Stmt>", b"</Stmt>" + statement, 1))
    assert result.ok
    assert len(result.lines) == 2
    assert codes(result.skipped) == [
        (3, "line.debit"),
        (4, "line.duplicate"),
        (5, "line.duplicate"),
        (6, "line.debit"),
    ]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<Stmt><Ntry><AddtlNtryInf>&lol9;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&xxe;</Document>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_camt053_refuses_entity_declarations(data):
    assert_refused(parse_camt053(data), "xml.forbidden")
    assert_refused(parse_statement(data), "xml.forbidden")


def test_camt053_refuses_any_document_type_declaration():
    # defusedxml refuses a DTD even without entities; a lower-case one is not XML at all.
    plain = b'<?xml version="1.0"?><!DOCTYPE Document>' + CAMT[CAMT.index(b"<Document") :]
    assert_refused(parse_camt053(plain), "xml.forbidden")
    lower = EXTERNAL_ENTITY.replace(b"<!DOCTYPE", b"<!doctype")
    assert_refused(parse_camt053(lower), "xml.malformed")


def test_camt053_damaged_or_wrongly_encoded():
    assert_refused(parse_camt053(CAMT[: len(CAMT) // 2]), "xml.malformed")
    latin1 = CAMT.replace(b"JANSENS AN", "Anaïs Jansens".encode("latin-1"))
    assert_refused(parse_camt053(latin1), "xml.encoding")
    # UTF-16 would slip past a byte search for "<!DOCTYPE"; its NUL bytes give it away.
    assert_refused(parse_camt053(BILLION_LAUGHS.decode().encode("utf-16")), "file.binary")


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_belgian_cp1252_semicolon_decimal_comma():
    result = parse_csv((DATA / "payments_be_cp1252.csv").read_bytes())
    assert result.ok
    assert result.encoding == "cp1252"
    assert [line.number for line in result.lines] == [2, 3, 4]
    first, second, third = result.lines
    assert first.counterparty_name == "Jansens Anaïs"
    assert second.counterparty_name == "Peeters-Dubois Hélène"
    # "Tegenrekening" is the counterparty; "Rekening" (the own account) is not.
    assert first.counterparty_iban == "BE71096123456769"
    assert first.booking_date == date(2025, 11, 4)
    assert [x.amount for x in result.lines] == [
        Decimal("8.50"),
        Decimal("7.00"),
        Decimal("1234.56"),
    ]
    assert first.reference == FoundReference(Scheme.BE, 1001)
    assert second.reference == FoundReference(Scheme.BE, 1002)
    assert third.reference is None  # listed for a person to resolve
    assert len({x.bank_reference for x in result.lines}) == 3


def test_csv_dutch_utf8_with_bom_comma_delimited():
    data = (DATA / "payments_nl_utf8_bom.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    result = parse_csv(data)
    assert result.ok
    assert result.encoding == "utf-8-sig"
    first, second = result.lines
    assert first.booking_date == date(2025, 11, 4)
    assert first.reference == FoundReference(Scheme.NL, 2001)
    assert second.counterparty_name == "de Vries, Ömer"  # quoted field with the delimiter
    assert second.reference == FoundReference(Scheme.RF, 3001)
    assert parse_statement(data).lines == result.lines


def test_csv_bank_references_are_stable_and_tell_equal_payments_apart():
    row = "04/11/2025;8,50;+++000/0001/00131+++\n"
    data = ("Datum;Bedrag;Mededeling\n" + row + row).encode()
    first, second = parse_csv(data).lines
    assert first.bank_reference != second.bank_reference
    assert [x.bank_reference for x in parse_csv(data).lines] == [
        first.bank_reference,
        second.bank_reference,
    ]


def test_csv_uses_the_bank_id_column_when_there_is_one():
    row = b"2025-11-04,8.50,x,TX-77\n"
    data = b"date,amount,description,transaction id\n" + row + row
    result = parse_csv(data)
    assert [x.bank_reference for x in result.lines] == ["TX-77"]
    assert codes(result.skipped) == [(3, "line.duplicate")]


@pytest.mark.parametrize(
    "header",
    ["Date;Montant;Communication;Nom;Compte", "date;amount;communication;name;iban"],
)
def test_csv_french_and_english_headers(header):
    data = f"{header}\n03-11-2025;7;RF69 3001;Dubois;BE21 0012 3456 7803\n".encode()
    (line,) = parse_csv(data).lines
    assert line.booking_date == date(2025, 11, 3)
    assert line.amount == Decimal("7.00")
    assert line.counterparty_name == "Dubois"
    assert line.counterparty_iban == "BE21001234567803"
    assert line.reference == FoundReference(Scheme.RF, 3001)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("04/11/2025", date(2025, 11, 4)),
        ("4/11/2025", date(2025, 11, 4)),
        ("04-11-2025", date(2025, 11, 4)),
        ("04.11.2025", date(2025, 11, 4)),
        ("2025-11-04", date(2025, 11, 4)),
        ("20251104", date(2025, 11, 4)),
        ("2025-11-04 00:00:00", date(2025, 11, 4)),
        ("2025114", None),  # 4 November or 14 January?
        ("11/04/25", None),
        ("morgen", None),
    ],
)
def test_csv_date_formats(raw, expected):
    result = parse_csv(f"Datum;Bedrag;Mededeling\n{raw};8,50;x\n".encode())
    assert [line.booking_date for line in result.lines] == ([expected] if expected else [])
    assert codes(result.errors) == ([] if expected else [(2, "line.date_invalid")])


def test_csv_line_errors_keep_the_good_lines():
    data = (
        b"Datum;Bedrag;Mededeling;Munt\n"
        b"04/11/2025;8,50;+++000/0001/00131+++;EUR\n"  # 2: fine
        b"04/11/2025;-8,50;terugbetaling;EUR\n"  # 3: negative
        b"04/11/2025;100000,01;vergissing;EUR\n"  # 4: absurd
        b"04/11/2025;100000,00;grote gift;EUR\n"  # 5: the maximum is allowed
        b"31/02/2025;8,50;x;EUR\n"  # 6: no such date
        b"04/11/2025;acht;x;EUR\n"  # 7: not an amount
        b"04/11/2025;1.234;x;EUR\n"  # 8: 1234 or 1.234? refused, not guessed
        b"04/11/2025;8,50;x;USD\n"  # 9: other currency
        b";;x;\n"  # 10: nothing
    )
    result = parse_csv(data)
    assert [line.number for line in result.lines] == [2, 5]
    # An outgoing payment is left out, like a CAMT debit; an absurd amount is an error.
    assert codes(result.skipped) == [(3, "line.debit")]
    assert codes(result.errors) == [
        (4, "line.amount_too_large"),
        (6, "line.date_invalid"),
        (7, "line.amount_invalid"),
        (8, "line.amount_invalid"),
        (9, "line.currency"),
        (10, "line.date_missing"),
        (10, "line.amount_missing"),
    ]
    assert result.errors[0].message.startswith("Line 4:")
    assert result.errors[0].params == {"number": 4, "value": "100000,01", "max": "100000"}


@pytest.mark.parametrize("amount", ["-8,50", "8,50-", "-0,01", "-250000,00"])
def test_csv_outgoing_payment_is_skipped_even_with_other_problems(amount):
    data = f"Datum;Bedrag;Mededeling;Munt\n31/02/2025;{amount};x;USD\n".encode()
    result = parse_csv(data)
    assert result.ok and result.lines == []
    assert codes(result.skipped) == [(2, "line.debit")]


def test_csv_zero_amount_stays_an_error():
    result = parse_csv(b"Datum;Bedrag;Mededeling\n04/11/2025;0,00;x\n")
    assert codes(result.errors) == [(2, "line.amount_not_positive")]


def test_csv_missing_required_column():
    result = parse_csv(b"Datum;Bedrag;Naam\n04/11/2025;8,50;Jansens\n")
    assert_refused(result, "csv.missing_columns")
    assert result.errors[0].params == {"columns": "reference"}


def test_csv_header_below_a_preamble():
    data = b"Rekening BE62 5100 0754 7061\n\nDatum;Bedrag;Mededeling\n04/11/2025;8,50;x\n"
    (line,) = parse_csv(data).lines
    assert line.number == 4


GARBAGE = [
    b"",
    b"   \r\n\t",
    bytes(range(256)) * 4,
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"PK\x03\x04\x14\x00\x06\x00",  # a zip (xlsx) without NUL in the first bytes
    b"Beste, hierbij mijn betaling voor november. Groeten, An",
    b"a;b;c\n1;2;3\n",
]


@pytest.mark.parametrize("parse", [parse_statement, parse_csv, parse_camt053])
@pytest.mark.parametrize("data", GARBAGE)
def test_garbage_is_refused_as_a_whole(parse, data):
    result = parse(data)
    assert result.lines == []
    assert len(result.errors) == 1 and result.errors[0].number is None
    assert result.errors[0].message


def test_too_large_file_is_refused():
    assert_refused(parse_csv(b"x" * (10 * 1024 * 1024 + 1)), "file.too_large")


@given(st.binary(max_size=400))
def test_any_bytes_give_a_result_never_an_exception(data):
    for parse in (parse_statement, parse_csv, parse_camt053):
        result = parse(data)
        for problem in result.errors + result.skipped:
            assert problem.message


@given(st.text(alphabet="0123456789;,./-+ \n\"'abcDATUMBEDRAGmededeling€", max_size=300))
def test_csv_like_text_never_raises(text):
    result = parse_csv(("Datum;Bedrag;Mededeling\n" + text).encode("cp1252", errors="replace"))
    for problem in result.errors:
        assert problem.message
    for line in result.lines:
        assert Decimal("0") < line.amount <= Decimal("100000")


@given(st.decimals(min_value="0.01", max_value="99999.99", places=2))
def test_csv_amount_in_belgian_and_dutch_notation(amount):
    whole, _, cents = f"{amount:,.2f}".partition(".")
    belgian = whole.replace(",", ".") + "," + cents  # 1.234,56
    dutch = f"{amount:.2f}"  # 1234.56
    data = f"Datum;Bedrag;Mededeling\n04/11/2025;{belgian};x\n04/11/2025;{dutch};y\n".encode()
    assert [line.amount for line in parse_csv(data).lines] == [amount, amount]


def test_every_message_has_an_english_default():
    for code, text in MESSAGES.items():
        assert re.fullmatch(r"[a-z0-9]+\.[a-z_0-9]+", code)
        assert text.strip() and text[0].isupper()


# --- pain.008 ----------------------------------------------------------------------------------

CREATED = datetime(2025, 11, 20, 10, 0)
COLLECTION = date(2025, 12, 2)


def debit(n: int, iban: str, amount: str, sequence: str = "RCUR", **extra) -> DirectDebit:
    fields: dict[str, Any] = {
        "end_to_end_id": f"WIJK-C{n}-2025-12",
        "amount": Decimal(amount),
        "debtor_name": f"Huishouden {n}",
        "debtor_iban": iban,
        "mandate_id": f"WIJK-M{n}",
        "mandate_date": date(2025, 1, 15),
        "sequence_type": sequence,
        "remittance": f"Huur december +++000/0001/00{n}+++",
    }
    fields.update(extra)
    return DirectDebit(**fields)


def build(transactions, **overrides):
    arguments = {
        "creditor_name": "OCMW Brugge",
        "creditor_iban": "BE62 5100 0754 7061",
        "creditor_id": "BE68ZZZ0123456789",
        "collection_date": COLLECTION,
        "transactions": transactions,
        "message_id": "WIJK-2025-12-001",
        "created_at": CREATED,
    }
    arguments.update(overrides)
    return build_pain008(**arguments)


TRANSACTIONS = [
    debit(1, "BE71096123456769", "8.50", debtor_name="Hélène Peeters & zoon"),
    debit(2, "NL91 ABNA 0417 1643 00", "7.00", sequence="FRST"),
    debit(3, "BE21001234567803", "9.25", debtor_bic="GEBABEBB"),
]


def test_pain008_round_trip():
    xml = build(TRANSACTIONS)
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = ET.fromstring(xml)
    ns = {"p": PAIN008_NS}
    assert root.tag == f"{{{PAIN008_NS}}}Document"
    assert (
        root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:MsgId", namespaces=ns) == "WIJK-2025-12-001"
    )
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns) == "3"
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=ns) == "24.75"

    blocks = root.findall("p:CstmrDrctDbtInitn/p:PmtInf", ns)
    summary = [
        (
            block.findtext("p:PmtTpInf/p:SeqTp", namespaces=ns),
            block.findtext("p:NbOfTxs", namespaces=ns),
            block.findtext("p:CtrlSum", namespaces=ns),
            block.findtext("p:ReqdColltnDt", namespaces=ns),
        )
        for block in blocks
    ]
    assert summary == [("FRST", "1", "7.00", "2025-12-02"), ("RCUR", "2", "17.75", "2025-12-02")]
    scheme_id = blocks[0].findtext("p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=ns)
    assert scheme_id == "BE68ZZZ0123456789"
    assert blocks[0].findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=ns) == "BE62510007547061"

    debtor_ibans = [el.text for el in root.iter(f"{{{PAIN008_NS}}}IBAN")]
    for iban in ("BE71096123456769", "NL91ABNA0417164300", "BE21001234567803"):
        assert iban in debtor_ibans
    names = [el.text for el in root.iter(f"{{{PAIN008_NS}}}Nm")]
    assert "Helene Peeters + zoon" in names  # SEPA character set
    bics = [el.text for el in root.iter(f"{{{PAIN008_NS}}}BIC")]
    assert bics == ["GEBABEBB"]
    assert xml.count(b"<Id>NOTPROVIDED</Id>") == 4  # 2 creditor agents, 2 debtor agents
    amounts = [el.text or "" for el in root.iter(f"{{{PAIN008_NS}}}InstdAmt")]
    assert sorted(amounts) == ["7.00", "8.50", "9.25"]


def test_pain008_refuses_an_invalid_iban():
    bad = [*TRANSACTIONS[:1], debit(2, "BE71096123456768", "7.00")]
    with pytest.raises(Pain008Error) as caught:
        build(bad)
    assert isinstance(caught.value, ValueError)
    assert codes(caught.value.problems) == [(2, "pain.debtor_iban")]
    assert "BE71096123456768" in str(caught.value)


def test_pain008_lists_every_problem_at_once():
    bad = [
        debit(1, "BE71096123456769", "0.00"),
        debit(2, "BE21001234567803", "7.001", sequence="FIRST"),
        debit(3, "BE21001234567803", "7.00", end_to_end_id="WIJK-C1-2025-12"),
        debit(4, "BE21001234567803", "7.00", mandate_id="", mandate_date=date(2026, 1, 1)),
        debit(5, "BE21001234567803", "7.00", end_to_end_id="a//b", debtor_name="  "),
    ]
    with pytest.raises(Pain008Error) as caught:
        build(bad, creditor_id="BE00ZZZ0123456789", creditor_iban="BE00", creditor_bic="NOPE")
    assert codes(caught.value.problems) == [
        (None, "pain.creditor_iban"),
        (None, "pain.creditor_bic"),
        (None, "pain.creditor_id"),
        (1, "pain.amount"),
        (2, "pain.amount"),
        (2, "pain.sequence_type"),
        (3, "pain.end_to_end_id_twice"),
        (4, "pain.mandate_id"),
        (4, "pain.mandate_date"),
        (5, "pain.end_to_end_id"),
        (5, "pain.debtor_name"),
    ]
    for problem in caught.value.problems:
        assert problem.message


def test_pain008_refuses_a_past_collection_date_and_no_transactions():
    with pytest.raises(Pain008Error) as caught:
        build([], collection_date=date(2025, 11, 19))
    assert codes(caught.value.problems) == [
        (None, "pain.no_transactions"),
        (None, "pain.collection_date"),
    ]


def test_pain008_dutch_creditor_id_and_generated_message_id():
    xml = build(TRANSACTIONS[:1], creditor_id="NL69 ZZZ 123456780000", message_id="")
    root = ET.fromstring(xml)
    message_id = root.findtext(f".//{{{PAIN008_NS}}}MsgId")
    assert message_id and message_id.startswith("WIJK20251120100000") and len(message_id) <= 30
    assert b"<Id>NL69ZZZ123456780000</Id>" in xml


def test_sepa_text():
    assert sepa_text("Zoë & Jürgen — café «De Zwaan»", 70) == "Zoe + Jurgen cafe De Zwaan"
    assert sepa_text("x" * 200, 140) == "x" * 140
