"""A throwaway programme app for the tests of the programme seam (core/tests/test_programmes.py).

It registers what a real programme app would: a menu item, a home panel, a household-page
section, a programme-page section, an export part, an erasure handler and a demo loader.
"""

from typing import Any

from django.apps import AppConfig

from core.programmes import (
    DemoLoader,
    ErasureHandler,
    ExportPart,
    Figure,
    HomePanel,
    HouseholdSection,
    NavItem,
    ProgrammeApp,
    ProgrammeSection,
    registry,
)
from core.tenancy import Acting

KIND = "dummy_kind"
erased: list[str] = []  # references the handler erased, for the test to read
demo_runs: list[int] = []


def household_section(acting: Acting, household: Any) -> dict[str, Any] | None:
    # The section decides what it may show: only to the organisation that registered it.
    if household.organisation_id != acting.organisation.pk:
        return None
    return {"dummy_reference": household.reference}


def export_data(acting: Acting, household: Any) -> dict[str, Any]:
    return {"greeting": f"dummy record of {household.reference}", "for": acting.organisation.name}


def refusals(acting: Acting, household: Any) -> list[str]:
    return ["The dummy programme still needs this household."] if household.size == 9 else []


def erase(acting: Acting, household: Any) -> None:
    erased.append(household.reference)


def register() -> None:
    registry.register(
        ProgrammeApp(
            label="dummy_programme",
            kind=KIND,
            nav=(NavItem("Dummy jobs", "dummy:index", permission="household.view"),),
            home_panels=(
                HomePanel("dummy_programme/panel.html", lambda acting: {"n": 7}, place="work"),
            ),
            household_sections=(
                HouseholdSection("dummy_programme/section.html", household_section),
            ),
            programme_sections=(
                ProgrammeSection(
                    "dummy_programme/programme.html", lambda acting, p: {"dummy_kind": p.kind}
                ),
            ),
            programme_namespaces=("dummy_programmes",),
            export_parts=(ExportPart("dummy", export_data, "dummy_programme/export.html"),),
            erasure=(ErasureHandler(refusals, erase, removes=("the dummy records",)),),
            demo_loaders=(DemoLoader(order=5, load=lambda context: demo_runs.append(5)),),
            impact_figures=(lambda programme: [Figure("jobs", "Jobs done", 3)],),
        )
    )


class DummyProgrammeConfig(AppConfig):
    name = "core.tests.dummy_programme"
    label = "dummy_programme"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        register()
