"""What energy sharing adds to the shared pages, the GDPR export and erasure, the demo and the
impact figures, through the programme seam (core.programmes). Registered from
SharingConfig.ready(); core and households never import this app.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.models import Programme
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
from core.tenancy import Acting, scoped
from households.models import Consent, Household
from sharing import package
from sharing.models import Community, Flow, MeterDay, MonthResult, Participant
from sharing.rules import leads

if TYPE_CHECKING:
    from core.demo import DemoContext

KIND = Programme.Kind.ENERGY_SHARING


def leads_a_community(acting: Acting) -> bool:
    return Community.objects.filter(programme__lead_organisation=acting.organisation).exists()


# --- Pages ---------------------------------------------------------------------------------


def home_glance(acting: Acting) -> dict[str, Any] | None:
    communities = scoped(Community, acting).filter(programme__lead_organisation=acting.organisation)
    if not communities.exists():
        return None
    shared = (
        MonthResult.objects.filter(run__community__in=communities).aggregate(s=Sum("received"))["s"]
        or 0.0
    )
    return {
        "participants": Participant.objects.filter(
            community__in=communities, left_on__isnull=True
        ).count(),
        "shared_kwh": shared,
    }


def household_section(acting: Acting, household: Household) -> dict[str, Any] | None:
    if not acting.can("sharing.view"):
        return None
    participations = [
        p
        for p in scoped(Participant, acting)
        .filter(household=household)
        .select_related("community__programme")
        if leads(acting, p.community) or household.organisation_id == acting.organisation.pk
    ]
    if not participations:
        return None
    return {"participations": participations}


def programme_section(acting: Acting, programme: Programme) -> dict[str, Any] | None:
    community = Community.objects.filter(programme=programme).first()
    is_lead = programme.lead_organisation_id == acting.organisation.pk
    if not is_lead or not acting.can("sharing.view"):
        return None
    return {"community": community, "can_manage": acting.can("sharing.manage")}


# --- Export (right of access) ----------------------------------------------------------------


def export_data(acting: Acting, household: Household) -> dict[str, Any]:
    """Every sharing record of the household the acting organisation may see."""
    participations = []
    for p in (
        scoped(Participant, acting)
        .filter(household=household)
        .select_related("community__programme")
        .order_by("pk")
    ):
        days = MeterDay.objects.filter(participant=p)
        summary = days.aggregate(offtake=Sum("offtake_kwh"), injection=Sum("injection_kwh"))
        day_list = list(days.order_by("day").values_list("day", flat=True))
        participations.append(
            {
                "id": p.pk,
                "programme": p.community.programme.name,
                "ean": p.ean,
                "role": p.role,
                "vulnerable": p.vulnerable,
                "key_percentage": str(p.key_percentage),
                "joined_on": p.joined_on.isoformat(),
                "left_on": p.left_on.isoformat() if p.left_on else None,
                "pv_installations": [
                    {
                        "id": pv.pk,
                        "kwp": str(pv.kwp),
                        "azimuth": pv.azimuth,
                        "tilt": pv.tilt,
                        "commissioned_on": pv.commissioned_on.isoformat(),
                    }
                    for pv in p.pv_installations.all()
                ],
                "meter_data": {
                    "days": len(day_list),
                    "day_ids": list(days.values_list("pk", flat=True)),
                    "first_day": day_list[0].isoformat() if day_list else None,
                    "last_day": day_list[-1].isoformat() if day_list else None,
                    "offtake_kwh": round(summary["offtake"] or 0.0, 3),
                    "injection_kwh": round(summary["injection"] or 0.0, 3),
                },
                "received_from": [
                    {
                        "id": f.pk,
                        "month": f"{f.run.month:%Y-%m}",
                        "producer": f.producer.name or _("A household of the community"),
                        "kwh": round(f.kwh, 3),
                    }
                    for f in Flow.objects.filter(receiver=p)
                    .select_related("run", "producer")
                    .order_by("run__month", "pk")
                ],
                "given_to": [
                    {"id": f.pk, "month": f"{f.run.month:%Y-%m}", "kwh": round(f.kwh, 3)}
                    for f in Flow.objects.filter(producer=p)
                    .select_related("run")
                    .order_by("run__month", "pk")
                ],
                "statements": [
                    {
                        "id": r.pk,
                        "month": f"{r.run.month:%Y-%m}",
                        "offtake_kwh": round(r.offtake, 3),
                        "received_kwh": round(r.received, 3),
                        "injection_kwh": round(r.injection, 3),
                        "shared_kwh": round(r.shared_injection, 3),
                        "given_back_kwh": round(r.given_back, 3),
                    }
                    for r in MonthResult.objects.filter(participant=p)
                    .select_related("run")
                    .order_by("run__month")
                ],
            }
        )
    consents = [
        {
            "given_on": c.given_on.isoformat(),
            "withdrawn_on": c.withdrawn_on.isoformat() if c.withdrawn_on else None,
        }
        for c in scoped(Consent, acting).filter(
            household=household, purpose=Consent.Purpose.ENERGY_DATA
        )
    ]
    return {"participations": participations, "energy_data_consents": consents}


# --- Erasure ---------------------------------------------------------------------------------


def erasure_refusals(acting: Acting, household: Household) -> list[str]:
    today = timezone.localdate()
    refusals = []
    for p in (
        Participant.objects.filter(household=household)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
        .select_related("community__programme")
    ):
        refusals.append(
            _(
                "The household takes part in the energy community %(name)s: end its "
                "participation first."
            )
            % {"name": p.community.programme.name}
        )
    return refusals


def erase(acting: Acting, household: Household) -> None:
    """The EAN and the quarter-hour data go; the monthly totals stay, anonymous, for the
    community's books (they name no one once the household is erased)."""
    participants = Participant.objects.filter(household=household)
    MeterDay.objects.filter(participant__in=participants).delete()
    participants.update(ean="")


# --- Impact ----------------------------------------------------------------------------------


def impact_figures(programme: Programme) -> list[Figure]:
    results = MonthResult.objects.filter(run__community__programme=programme)
    totals = results.aggregate(received=Sum("received"), offtake=Sum("offtake"))
    vulnerable = (
        results.filter(participant__vulnerable=True).aggregate(r=Sum("received"))["r"] or 0.0
    )
    received = totals["received"] or 0.0
    offtake = totals["offtake"] or 0.0
    figures = [
        Figure("kwh_shared", _lazy("Energy shared"), Decimal(str(round(received))), "kWh"),
    ]
    if offtake:
        figures.append(
            Figure(
                "self_sufficiency",
                _lazy("Consumption covered by shared energy"),
                Decimal(str(round(100 * received / offtake, 1))),
                "%",
            )
        )
    if received:
        figures.append(
            Figure(
                "vulnerable_share",
                _lazy("Shared energy that went to vulnerable participants"),
                Decimal(str(round(100 * vulnerable / received, 1))),
                "%",
            )
        )
    return figures


def load_demo(context: "DemoContext") -> None:
    from sharing.demo import load_demo as load

    load(context)


def register() -> None:
    registry.register(
        ProgrammeApp(
            label="sharing",
            kind=KIND,
            nav=(
                NavItem(
                    _lazy("Energy sharing"),
                    "sharing:index",
                    permission="sharing.view",
                    when=leads_a_community,
                    namespace="sharing",
                ),
            ),
            home_panels=(
                HomePanel("sharing/parts/home.html", home_glance, permission="sharing.view"),
            ),
            household_sections=(
                HouseholdSection("sharing/parts/household.html", household_section),
            ),
            programme_sections=(
                ProgrammeSection("sharing/parts/programme.html", programme_section),
            ),
            programme_namespaces=("sharing",),
            export_parts=(ExportPart("sharing", export_data, "sharing/parts/export.html"),),
            erasure=(
                ErasureHandler(
                    erasure_refusals,
                    erase,
                    removes=(_lazy("the EAN and the quarter-hour meter data of energy sharing"),),
                ),
            ),
            demo_loaders=(DemoLoader(order=40, load=load_demo),),
            impact_figures=(impact_figures,),
            package_parts=(package.PART,),
        )
    )
