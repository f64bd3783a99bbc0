"""What the household registry adds to core's pages through the programme seam
(core.programmes): the household count on the home page, the enrolled households on every
programme page, and the demo households. Programme apps register theirs the same way."""

from typing import TYPE_CHECKING, Any

from core.models import Programme
from core.programmes import DemoLoader, HomePanel, ProgrammeApp, ProgrammeSection, registry
from core.tenancy import Acting, scoped
from households.counts import enrolled_count
from households.models import Enrolment, Household

if TYPE_CHECKING:
    from core.demo import DemoContext


def home_count(acting: Acting) -> dict[str, Any]:
    return {"household_count": scoped(Household, acting).filter(erased_at__isnull=True).count()}


def programme_enrolled(acting: Acting, programme: Programme) -> dict[str, Any]:
    is_lead = programme.lead_organisation_id == acting.organisation.pk
    # The lead counts every enrolled household, a partner only its own. The lead sees every
    # enrolment of its programme (Enrolment.tenant_paths), so it reads the kept count, one row
    # (households/counts.py; at national scale the count over 100,000 enrolments took
    # 13-120 ms, bench/README.md, "Pages"); a partner's count stays scoped.
    if is_lead:
        count = enrolled_count(programme)
    else:
        enrolled = Enrolment.objects.filter(programme=programme, status=Enrolment.Status.ENROLLED)
        count = scoped(enrolled, acting).count()
    return {"is_lead": is_lead, "enrolled_count": count}


def load_demo(context: "DemoContext") -> None:
    # Imported here: the demo (and Faker) stays out of every web process.
    from households.demo import load_households

    load_households(context)


def register() -> None:
    registry.register(
        ProgrammeApp(
            label="households",
            home_panels=(
                HomePanel(
                    "households/parts/home_count.html", home_count, permission="household.view"
                ),
            ),
            programme_sections=(
                ProgrammeSection("households/parts/programme_enrolled.html", programme_enrolled),
            ),
            demo_loaders=(DemoLoader(order=10, load=load_demo),),
        )
    )
