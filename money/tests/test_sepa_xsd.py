"""pain.008 files checked against the ISO 20022 schema (pain.008.001.02.xsd as sepaxml ships it).

money.sepa writes the file itself (docs/payments.md says why not sepaxml); the schema check is
its test, done by the `xmlschema` library. The check is shown to fail on broken documents too,
so it can fail."""

import xml.etree.ElementTree as ET
from importlib.resources import files

import pytest
import xmlschema

from money.sepa import PAIN008_NS
from money.tests.test_bankfiles import TRANSACTIONS, build, debit

SCHEMA = xmlschema.XMLSchema10(
    str(files("sepaxml") / "schemas" / "pain.008.001.02.xsd"), defuse="always"
)


def problems(document: bytes | ET.Element) -> list[str]:
    return [str(error) for error in SCHEMA.iter_errors(document)]


def test_the_schema_is_the_one_we_write():
    assert SCHEMA.target_namespace == PAIN008_NS


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
    assert problems(build(transactions).decode()) == []


def test_with_a_creditor_bic_it_is_valid():
    assert problems(build(TRANSACTIONS, creditor_bic="GKCCBEBB").decode()) == []


def ns(tag: str) -> str:
    return f"{{{PAIN008_NS}}}{tag}"


def broken(change) -> list[str]:
    root = ET.fromstring(build(TRANSACTIONS))
    change(root)
    return problems(root)


def test_a_missing_element_is_caught():
    def drop_message_id(root):
        header = root.find(f"{ns('CstmrDrctDbtInitn')}/{ns('GrpHdr')}")
        header.remove(header.find(ns("MsgId")))

    found = broken(drop_message_id)
    assert any("MsgId" in m for m in found), found


def test_a_bad_currency_is_caught():
    found = broken(lambda root: next(root.iter(ns("InstdAmt"))).set("Ccy", "euro"))
    assert any("euro" in m for m in found), found


def test_an_unknown_sequence_type_is_caught():
    def once(root):
        next(root.iter(ns("SeqTp"))).text = "ONCE"

    found = broken(once)
    assert any("ONCE" in m for m in found), found


def test_a_misplaced_element_is_caught():
    def misplace(root):
        info = root.findall(f"{ns('CstmrDrctDbtInitn')}/{ns('PmtInf')}")[-1]
        info.insert(0, ET.Element(ns("ChrgBr")))

    found = broken(misplace)
    assert any("ChrgBr" in m for m in found), found
