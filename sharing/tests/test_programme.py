"""What energy sharing adds through the programme seam: the household's export (every sharing
record of it), erasure (refused while taking part; EAN and meter data removed, totals kept),
impact figures and the household and programme sections."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from core.programmes import household_parts, programme_parts, registry
from households.models import Consent
from households.services import household_erase, household_export
from sharing import services
from sharing.models import (
    AllocationRun,
    Community,
    Flow,
    KeyChoice,
    MeterDay,
    MeterImport,
    MeterUpload,
    MonthResult,
    Participant,
    PvInstallation,
)
from sharing.tests.cast import SharingTestCase, month_file
from wijk.testing import clock_at

HOUSEHOLD_LOOKUP: dict[type[models.Model], str] = {
    Participant: "household",
    PvInstallation: "participant__household",
    MeterDay: "participant__household",
    MonthResult: "participant__household",
    Flow: "receiver__household",
}
# A MeterUpload is a community's file waiting for its import run; it holds households' data
# only until that run ends (docs/sharing.md), so erasure and export do not look into it.
NOT_ABOUT_A_HOUSEHOLD = {Community, KeyChoice, MeterImport, MeterUpload, AllocationRun}


def exported_ids(part: dict[str, Any], model: type[models.Model]) -> set[int]:
    found: set[int] = set()
    for p in part["participations"]:
        if model is Participant:
            found.add(p["id"])
        elif model is PvInstallation:
            found |= {pv["id"] for pv in p["pv_installations"]}
        elif model is MeterDay:
            found |= set(p["meter_data"]["day_ids"])
        elif model is MonthResult:
            found |= {s["id"] for s in p["statements"]}
        elif model is Flow:
            found |= {f["id"] for f in p["received_from"]}
    return found


@clock_at(date(2026, 11, 20))
class SeamTests(SharingTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from core.tenancy import acting_for

        cora = acting_for(cls.cora)
        assert cora is not None
        # jansens has panels too, in this test: a PV installation to export.
        services.participant_update(acting=cora, participant=cls.jansens_p, fields={"role": "both"})
        services.pv_add(
            acting=cora, participant=cls.jansens_p, kwp=Decimal(2), commissioned_on=date(2025, 1, 1)
        )
        services.meter_import(
            acting=cora,
            community=cls.community,
            filename="jan.csv",
            data=month_file(date(2026, 1, 1), days=5),
        )
        services.allocation_month_run(acting=cora, community=cls.community, month=date(2026, 1, 1))

    def export(self, username: str) -> dict[str, Any]:
        return json.loads(household_export(acting=self.acting(username), household=self.jansens))

    def test_every_sharing_model_is_classified(self) -> None:
        self.assertEqual(
            set(apps.get_app_config("sharing").get_models()),
            set(HOUSEHOLD_LOOKUP) | NOT_ABOUT_A_HOUSEHOLD,
        )

    def test_export_contains_every_sharing_record_of_the_household(self) -> None:
        for username in ("ines", "cora"):  # the registering organisation and the lead
            part = self.export(username)["sharing"]
            for model, lookup in HOUSEHOLD_LOOKUP.items():
                rows = set(
                    model._default_manager.filter(**{lookup: self.jansens}).values_list(
                        "pk", flat=True
                    )
                )
                self.assertTrue(rows, model.__name__)
                with self.subTest(user=username, model=model.__name__):
                    self.assertEqual(exported_ids(part, model), rows)
            [participation] = part["participations"]
            self.assertEqual(participation["ean"], self.jansens_p.ean)
            self.assertEqual(len(part["energy_data_consents"]), 1)

    def test_erasure_is_refused_while_taking_part_then_removes_ean_and_meter_data(self) -> None:
        ada = self.acting("ada")  # org admin of the OCMW, which registered jansens
        with self.assertRaises(ValidationError) as caught:
            household_erase(acting=ada, household=self.jansens)
        self.assertIn("Zonnedelen Brugge", " ".join(caught.exception.messages))
        services.participant_end(
            acting=self.acting("cora"), participant=self.jansens_p, on=date(2026, 1, 31)
        )
        received = MonthResult.objects.get(participant=self.jansens_p).received
        household_erase(acting=ada, household=self.jansens)
        self.jansens_p.refresh_from_db()
        self.assertEqual(self.jansens_p.ean, "")
        self.assertFalse(MeterDay.objects.filter(participant=self.jansens_p).exists())
        self.assertEqual(MonthResult.objects.get(participant=self.jansens_p).received, received)
        self.assertFalse(Consent.objects.filter(household=self.jansens).exists())

    def test_household_programme_and_home_pages_show_the_parts(self) -> None:
        from django.urls import reverse

        self.client.force_login(self.ines)
        page = self.client.get(reverse("households:detail", args=[self.jansens.pk]))
        self.assertContains(page, reverse("sharing:participant", args=[self.jansens_p.pk]))
        self.client.force_login(self.cora)
        page = self.client.get(reverse("programme_detail", args=[self.energy.pk]))
        self.assertContains(page, reverse("sharing:community", args=[self.community.pk]))
        home = self.client.get("/")
        self.assertContains(home, reverse("sharing:index"))

    def test_impact_figures_and_sections(self) -> None:
        figures = {f.key: f for f in registry.impact_figures(self.energy)}
        self.assertGreater(figures["kwh_shared"].value, 0)
        self.assertIn("vulnerable_share", figures)
        household = household_parts(self.acting("ines"), self.jansens)
        self.assertIn("sharing/parts/household.html", [p.template for p in household])
        programme = programme_parts(self.acting("cora"), self.energy)
        self.assertIn("sharing/parts/programme.html", [p.template for p in programme])
