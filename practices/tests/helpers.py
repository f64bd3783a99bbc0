"""A practice of the lead organisation, written through the services."""

from datetime import date
from decimal import Decimal
from typing import Any

from practices import services

TEXT = {
    "title": "Huishoudtoestellen huren",
    "summary": "Gezinnen huren een zuinig toestel voor een klein bedrag per maand.",
    "problem": "Oude toestellen verbruiken veel.",
    "approach": "Intake bij het OCMW\nLevering en plaatsing\nJaarlijks overzicht",
    "lessons": "Leg alles uit in eenvoudige taal.",
}


def make_practice(acting: Any, programme: Any = None, publish: bool = True, **extra: Any) -> Any:
    values = {**TEXT, **extra}
    practice = services.practice_create(
        acting=acting,
        themes=["energy_poverty"],
        programme=programme,
        programme_kind="appliance_rental",
        original_language="nl",
        contact_email="practice@example.org",
        **values,
    )
    services.practice_result_add(
        acting=acting,
        practice=practice,
        label="Gezinnen met een toestel",
        value=Decimal("48"),
        unit="households",
        about=48,
        source="Jaarverslag 2025",
        measured_on=date(2025, 12, 31),
    )
    services.practice_result_add(
        acting=acting,
        practice=practice,
        label="Kleine proefgroep",
        value=Decimal("3"),
        unit="",
        about=3,
        source="Proef",
        measured_on=date(2025, 6, 30),
    )
    if publish:
        services.practice_publish(acting=acting, practice=practice)
    return practice
