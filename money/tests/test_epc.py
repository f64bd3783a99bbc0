"""The EPC QR payload (EPC069-12) field by field, and the QR code a banking app reads back."""

from decimal import Decimal

import pytest

from money.epc import EpcError, compact_reference, epc_payload, epc_qr_svg


def test_the_standard_lines_in_order() -> None:
    payload = epc_payload(
        name="OCMW Brugge",
        iban="BE71 0961 2345 6769",
        amount=Decimal("22.50"),
        reference="+++090/9337/55493+++",
    )
    assert payload.split("\n") == [
        "BCD",  # service tag
        "002",  # version: BIC optional
        "1",  # UTF-8
        "SCT",  # SEPA credit transfer
        "",  # no BIC
        "OCMW Brugge",
        "BE71096123456769",  # IBAN, compact
        "EUR22.50",
        "",  # purpose
        "090933755493",  # the structured communication's 12 digits
    ]
    assert "\r" not in payload


def test_text_instead_of_a_reference_and_a_bic() -> None:
    payload = epc_payload(
        name="Bewonersinitiatief Spijkerkwartier",
        iban="NL91ABNA0417164300",
        amount=Decimal("8"),
        text="Huur wasmachine november",
        bic="abnanl2a",
    )
    lines = payload.split("\n")
    assert lines[4] == "ABNANL2A"
    assert lines[7] == "EUR8.00"
    assert lines[9:] == ["", "Huur wasmachine november"]


def test_references_in_compact_form() -> None:
    assert compact_reference("+++123/4567/89002+++") == "123456789002"
    assert compact_reference("1234 5678 9012 3456") == "1234567890123456"
    assert compact_reference("RF18 5390 0754 7034") == "RF18539007547034"


def test_without_an_amount_the_payer_fills_it_in() -> None:
    payload = epc_payload(name="OCMW Brugge", iban="BE71096123456769", amount=None)
    assert payload.split("\n") == ["BCD", "002", "1", "SCT", "", "OCMW Brugge", "BE71096123456769"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 71}, "name"),
        ({"iban": "BE71096123456760"}, "iban"),
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("1000000000.00")}, "amount"),
        ({"amount": Decimal("1.005")}, "amount"),
        ({"text": "also"}, "reference and text"),
        ({"reference": "R" * 36}, "reference"),
        ({"bic": "NOTABIC"}, "bic"),
    ],
)
def test_refusals_name_the_field(fields: dict, field: str) -> None:
    values = {
        "name": "OCMW Brugge",
        "iban": "BE71096123456769",
        "amount": Decimal("7.50"),
        "reference": "+++090/9337/55493+++",
    } | fields
    with pytest.raises(EpcError, match=f"^{field}"):
        epc_payload(**values)


def test_at_most_331_bytes() -> None:
    with pytest.raises(EpcError, match="^text"):
        epc_payload(name="N", iban="BE71096123456769", amount=None, text="é" * 141)
    payload = epc_payload(name="é" * 70, iban="BE71096123456769", amount=None, text="x" * 140)
    assert len(payload.encode()) <= 331
    with pytest.raises(EpcError, match="^payload"):  # characters within limits, bytes not
        epc_payload(name="é" * 70, iban="BE71096123456769", amount=None, text="é" * 100)


def test_the_qr_code_holds_the_payload_at_level_m() -> None:
    import segno

    payload = epc_payload(
        name="OCMW Brugge",
        iban="BE71096123456769",
        amount=Decimal("7.50"),
        reference="+++090/9337/55493+++",
    )
    qr = segno.make_qr(payload, error="m", boost_error=False, encoding="utf-8")
    assert qr.error == "M"
    svg = epc_qr_svg(payload, title="Scan to pay")
    assert svg.startswith("<svg") and "Scan to pay" in svg
