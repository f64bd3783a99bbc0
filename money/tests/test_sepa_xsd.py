"""pain.008 files checked against the ISO 20022 schema (pain.008.001.02.xsd as sepaxml ships it).

money.sepa writes the file itself (docs/payments.md says why not sepaxml); the schema check is
its test. The check is shown to fail on broken documents too, so it can fail."""

import xml.etree.ElementTree as ET

import pytest

from money.sepa import PAIN008_NS
from money.tests.test_bankfiles import TRANSACTIONS, build, debit
from money.tests.xsd import Schema, sepaxml_schema

SCHEMA = Schema(sepaxml_schema("pain.008.001.02"))


def test_the_schema_is_the_one_we_write():
    assert SCHEMA.ns == PAIN008_NS


@pytest.mark.parametrize(
    "transactions",
    [
        TRANSACTIONS,
        TRANSACTIONS[:1],
        [debit(7, "BE71096123456769", "99999.99", sequence="FRST", remittance="")],
    ],
    ids=["mixed", "one", "first-without-remittance"],
)
def test_our_files_are_valid(transactions):
    root = ET.fromstring(build(transactions))
    assert SCHEMA.validate(root) == []


def test_with_a_creditor_bic_it_is_valid():
    root = ET.fromstring(build(TRANSACTIONS, creditor_bic="GKCCBEBB"))
    assert SCHEMA.validate(root) == []


def ns(tag: str) -> str:
    return f"{{{PAIN008_NS}}}{tag}"


def test_the_check_finds_a_missing_element_a_bad_value_and_a_misplaced_one():
    root = ET.fromstring(build(TRANSACTIONS))
    header = root.find(f"{ns('CstmrDrctDbtInitn')}/{ns('GrpHdr')}")
    assert header is not None
    message_id = header.find(ns("MsgId"))
    assert message_id is not None
    header.remove(message_id)
    amount = next(root.iter(ns("InstdAmt")))
    amount.set("Ccy", "euro")
    sequence_type = next(root.iter(ns("SeqTp")))
    sequence_type.text = "ONCE"
    info = root.findall(f"{ns('CstmrDrctDbtInitn')}/{ns('PmtInf')}")[-1]
    info.insert(0, ET.Element(ns("ChrgBr")))  # the first payment block stays in order
    messages = [str(p) for p in SCHEMA.validate(root)]
    assert any("GrpHdr: missing MsgId" in m for m in messages), messages
    assert any("'euro'" in m for m in messages), messages
    assert any("'ONCE'" in m for m in messages), messages
    assert any("PmtInf" in m and ("unexpected" in m or "missing" in m) for m in messages), messages
