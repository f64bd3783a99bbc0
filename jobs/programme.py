"""What the job bureau adds to the shared pages, the GDPR export and erasure, the demo and the
impact figures, through the programme seam (core.programmes). Registered from
JobsConfig.ready(); core and households never import this app."""

from typing import TYPE_CHECKING, Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from jobs import geo, package
from jobs.bureau import KIND, bureaus
from jobs.models import (
    Assignment,
    ChequeHolder,
    ChequeUse,
    Feedback,
    Hours,
    JobRequest,
    Worker,
)
from jobs.selectors.cheques import holder_balances
from jobs.selectors.dashboard import outflow, residents_served
from jobs.services.handoff import TAKER
from jobs.services.notices import NOTICE_KINDS

if TYPE_CHECKING:
    from core.demo import DemoContext

Household = Any


def leads_a_bureau(acting: Acting) -> bool:
    return bureaus(acting).exists()


# --- Pages ---------------------------------------------------------------------------------


def home_work(acting: Acting) -> dict[str, Any] | None:
    from jobs.selectors.workers import my_workers

    workers = list(my_workers(acting))
    if not workers:
        return None
    today = timezone.localdate()
    count = (
        JobRequest.objects.filter(
            assignments__worker__in=workers, preferred_day=today, status=JobRequest.Status.PLANNED
        )
        .distinct()
        .count()
    )
    return {"count": count}


def home_glance(acting: Acting) -> dict[str, Any] | None:
    found = list(bureaus(acting))
    if not found:
        return None
    return {
        "bureaus": [
            (b, JobRequest.objects.filter(programme=b, status=JobRequest.Status.NEW).count())
            for b in found
        ]
    }


def _requests(acting: Acting, household: Household) -> "list[JobRequest]":
    return list(
        scoped(JobRequest, acting)
        .filter(household=household)
        .select_related("service", "programme")
        .order_by("pk")
    )


def household_section(acting: Acting, household: Household) -> dict[str, Any] | None:
    if not acting.can("job.view"):
        return None
    requests = _requests(acting, household)
    today = timezone.localdate()
    holders = list(
        scoped(ChequeHolder, acting).filter(household=household).select_related("programme")
    )
    balances = holder_balances(holders, today)
    cheques = [(h, balances[h.pk]) for h in holders]
    if not requests and not cheques:
        return None
    return {"requests": requests, "cheques": cheques}


def programme_section(acting: Acting, programme: Programme) -> dict[str, Any] | None:
    if programme.lead_organisation_id != acting.organisation.pk or not acting.can("job.view"):
        return None
    return {"programme": programme}


# --- Export and erasure --------------------------------------------------------------------


def export_data(acting: Acting, household: Household) -> dict[str, Any]:
    """Every job-bureau record of the household that the acting organisation sees: its
    requests, their assignments (crew and times), hours, and feedback."""
    requests = _requests(acting, household)
    ids = [r.pk for r in requests]
    return {
        "requests": [
            {
                "id": r.pk,
                "reference": r.reference,
                "programme": r.programme.name,
                "service": r.service.name,
                "channel": r.channel,
                "status": r.status,
                "name": r.name,
                "phone": r.phone,
                "email": r.email,
                "language": r.language,
                "street": r.street,
                "postcode": r.postcode,
                "city": r.city,
                "dropoff_street": r.dropoff_street,
                "dropoff_postcode": r.dropoff_postcode,
                "preferred_day": r.preferred_day,
                "window": f"{r.window_start:%H:%M}-{r.window_end:%H:%M}",
                "notes": r.notes,
                "price_estimate": r.price_estimate,
                "created_at": r.created_at,
            }
            for r in requests
        ],
        "assignments": [
            {
                "id": a.pk,
                "request": a.request_id,
                "worker": a.worker.short_name,
                "starts_at": a.starts_at,
                "ends_at": a.ends_at,
            }
            for a in scoped(Assignment, acting)
            .filter(request_id__in=ids)
            .select_related("worker")
            .order_by("pk")
        ],
        "hours": [
            {
                "id": h.pk,
                "request": h.request_id,
                "worker": h.worker.short_name,
                "starts_at": h.starts_at,
                "ends_at": h.ends_at,
                "minutes": h.minutes,
                "approved": h.approved_at is not None,
            }
            for h in Hours.objects.filter(request_id__in=ids)
            .select_related("worker")
            .order_by("pk")
        ],
        "feedback": [
            {
                "id": f.pk,
                "request": f.request_id,
                "smiley": f.smiley,
                "comment": f.comment,
                "at": f.at,
            }
            for f in Feedback.objects.filter(request_id__in=ids).order_by("pk")
        ],
        "cheque_users": [
            {
                "id": h.pk,
                "programme": h.programme.name,
                "kind": h.kind,
                "name": h.name,
                "purchases": [
                    {
                        "id": p.pk,
                        "bought_on": p.bought_on,
                        "quantity": p.quantity,
                        "price_each": p.price_each,
                        "valid_until": p.valid_until,
                    }
                    for p in h.purchases.order_by("pk")
                ],
                "spent": [
                    {
                        "purchase": u.cheque.purchase_id,
                        "number": u.cheque.number,
                        "hours": u.hours_id,
                        "spent_at": u.spent_at,
                    }
                    for u in ChequeUse.objects.filter(cheque__purchase__holder=h)
                    .select_related("cheque")
                    .order_by("pk")
                ],
            }
            for h in scoped(ChequeHolder, acting)
            .filter(household=household)
            .select_related("programme")
            .order_by("pk")
        ],
    }


def erasure_refusals(acting: Acting, household: Household) -> list[str]:
    """A planned job is a promise to a resident: end it (cancel) first."""
    planned = JobRequest.objects.filter(household=household, status=JobRequest.Status.PLANNED)
    return [
        _(
            "Job request %(reference)s (%(service)s) is planned: cancel it first, or wait "
            "until it is done."
        )
        % {"reference": r.reference, "service": r.service.name}
        for r in planned.select_related("service")
    ]


def _coarse(country: str, postcode: str, lat: float, lon: float) -> tuple[float, float]:
    return geo.postcode_centre(country, postcode) or (round(lat, 2), round(lon, 2))


def erase(acting: Acting, household: Household) -> None:
    """Names, addresses, contact data, notes and comments go; the hours and amounts stay
    (with the postcode) for the allowance statements and the books. Open requests are
    cancelled."""
    requests = JobRequest.objects.filter(household=household)
    requests.filter(status=JobRequest.Status.NEW).update(
        status=JobRequest.Status.CANCELLED, closed_at=timezone.now()
    )
    requests.update(
        name="",
        phone="",
        email="",
        street="",
        city="",
        dropoff_street="",
        notes="",
        feedback_key_hash="",
        anonymised=True,
    )
    # The coordinates go back to the postcode's centre (entered or picked ones point at the
    # house, and stayed after erasure); an unknown postcode keeps about a km (2 decimals).
    for request in requests.select_related("programme__lead_organisation"):
        country = request.programme.lead_organisation.country
        request.lat, request.lon = _coarse(country, request.postcode, request.lat, request.lon)
        if request.dropoff_lat is not None and request.dropoff_lon is not None:
            request.dropoff_lat, request.dropoff_lon = _coarse(
                country, request.dropoff_postcode, request.dropoff_lat, request.dropoff_lon
            )
        request.save(update_fields=["lat", "lon", "dropoff_lat", "dropoff_lon"])
    Feedback.objects.filter(request__household=household).update(comment="")
    # Cheques bought and spent stay (the books); the user's name goes.
    ChequeHolder.objects.filter(household=household).update(name="", anonymised=True)


# --- Demo and impact -------------------------------------------------------------------------


def load_demo(context: "DemoContext") -> None:
    from jobs.demo import load_jobs

    load_jobs(context)


def impact_figures(programme: Programme) -> list[Figure]:
    minutes = Hours.objects.filter(worker__programme=programme).aggregate(t=Sum("minutes"))["t"]
    today = timezone.localdate()
    six, twelve = outflow(programme, "followup_6"), outflow(programme, "followup_12")
    return [
        Figure(
            "hours_delivered",
            gettext_lazy("Hours of help delivered"),
            round((minutes or 0) // 60),
            "h",
        ),
        Figure("residents_served", gettext_lazy("Residents helped"), residents_served(programme)),
        Figure(
            "workers_active",
            gettext_lazy("Workers in a trajectory"),
            Worker.objects.filter(
                programme=programme,
                agreement_start__lte=today,
                agreement_end__gte=today,
                erased_at__isnull=True,
            ).count(),
        ),
        Figure(
            "work_after_6_months", gettext_lazy("At work 6 months after the trajectory"), six[0]
        ),
        Figure(
            "work_after_12_months",
            gettext_lazy("At work 12 months after the trajectory"),
            twelve[0],
        ),
    ]


def register() -> None:
    registry.register(
        ProgrammeApp(
            label="jobs",
            kind=KIND,
            nav=(
                NavItem(
                    label=gettext_lazy("Job bureau"),
                    url_name="jobs:index",
                    permission="job.view",
                    when=leads_a_bureau,
                    namespace="jobs",
                    on_home=True,
                ),
                NavItem(
                    label=gettext_lazy("Today's jobs"), url_name="jobs:today", permission="job.do"
                ),
            ),
            home_panels=(
                HomePanel(
                    "jobs/parts/home_work.html", home_work, permission="job.do", place="work"
                ),
                HomePanel("jobs/parts/home_glance.html", home_glance, permission="job.view"),
            ),
            household_sections=(HouseholdSection("jobs/parts/household.html", household_section),),
            programme_sections=(ProgrammeSection("jobs/parts/programme.html", programme_section),),
            programme_namespaces=("jobs",),
            export_parts=(ExportPart("jobs", export_data, "jobs/parts/export.html"),),
            erasure=(
                ErasureHandler(
                    erasure_refusals,
                    erase,
                    removes=(
                        gettext_lazy(
                            "the name, address, contact data and notes on job requests, and "
                            "feedback comments (hours and amounts stay, anonymised)"
                        ),
                    ),
                ),
            ),
            demo_loaders=(DemoLoader(order=30, load=load_demo),),
            impact_figures=(impact_figures,),
            package_parts=(package.PART,),
            request_takers=(TAKER,),
            notice_kinds=NOTICE_KINDS,
        )
    )
