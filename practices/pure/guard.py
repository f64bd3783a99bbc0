"""What may come into and go out of this installation as a programme package or a feed item.
Pure rules, no Django import (tests/test_guard.py).

A package is set-up only. `package_problems` walks it and names every place that looks like
personal data (a key such as "iban", "email", "household"; a value shaped like an IBAN, an
e-mail address, a phone number or an EAN) or like code (a script tag, a template tag, a
`javascript:` address), and every value of a type JSON set-up does not need. The caller
translates the reasons.
"""

import re
from collections.abc import Iterator
from typing import Any

MAX_DEPTH = 12
MAX_ITEMS = 5000
MAX_TEXT = 20_000

PERSONAL_KEYS = frozenset(
    {
        "iban",
        "bic",
        "email",
        "e_mail",
        "phone",
        "mobile",
        "household",
        "households",
        "household_id",
        "street",
        "address",
        "birth_year",
        "birth_date",
        "national_number",
        "first_name",
        "last_name",
        "contact_name",
        "debtor_iban",
        "mandate_id",
        "payment_reference",
        "income",
        "net_income",
        "resident",
        "residents",
        "contracts",
        "payments",
        "person",
        "persons",
        "user",
        "users",
        "password",
        # The job bureau's and energy sharing's people and their records.
        "worker",
        "workers",
        "coach",
        "requests",
        "job_requests",
        "trajectory",
        "trajectories",
        "participant",
        "participants",
        "ean",
        "eans",
        "meter_data",
        "meter_days",
    }
)

IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[a-z]{2,}", re.IGNORECASE)
# An EAN of an electricity or gas connection: 18 digits, GS1 prefix 54 (Belgium) or 871
# (the Netherlands).
EAN = re.compile(r"(?<!\d)(?:54\d{16}|871\d{15})(?!\d)")
PHONE = re.compile(r"(?:\+|00)(?:31|32|33|49)[\s\d/.-]{8,}")
CODE = re.compile(
    r"<\s*/?\s*(?:script|iframe|object|embed|svg|style|link|meta)\b|javascript:|"
    r"\{%|\{\{|\bon\w+\s*=|__import__|<\?php",
    re.IGNORECASE,
)

# Reasons, to be translated by the caller.
PERSONAL_KEY = "personal_key"
PERSONAL_VALUE = "personal_value"
CODE_VALUE = "code"
WRONG_TYPE = "wrong_type"
TOO_DEEP = "too_deep"
TOO_BIG = "too_big"


def _walk(value: Any, path: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > MAX_DEPTH:
        yield path, TOO_DEEP
        return
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            yield path, TOO_BIG
            return
        for key, inner in value.items():
            if not isinstance(key, str):
                yield path, WRONG_TYPE
                continue
            where = f"{path}.{key}" if path else key
            if key.lower().replace("-", "_") in PERSONAL_KEYS:
                yield where, PERSONAL_KEY
                continue
            yield from _walk(inner, where, depth + 1)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            yield path, TOO_BIG
            return
        for i, inner in enumerate(value):
            yield from _walk(inner, f"{path}[{i}]", depth + 1)
    elif isinstance(value, str):
        if len(value) > MAX_TEXT:
            yield path, TOO_BIG
        elif CODE.search(value):
            yield path, CODE_VALUE
        elif (
            IBAN.search(value.upper())
            or EMAIL.search(value)
            or PHONE.search(value)
            or EAN.search(value)
        ):
            yield path, PERSONAL_VALUE
    elif isinstance(value, int) and not isinstance(value, bool) and EAN.fullmatch(str(value)):
        yield path, PERSONAL_VALUE  # an EAN written as a number
    elif value is None or isinstance(value, bool | int | float):
        return
    else:
        yield path, WRONG_TYPE


def package_problems(data: Any) -> list[tuple[str, str]]:
    """(where, reason) for everything that may not be in a package; empty: it may pass."""
    if not isinstance(data, dict):
        return [("", WRONG_TYPE)]
    return list(_walk(data, "", 0))
