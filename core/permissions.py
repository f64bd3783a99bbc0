"""The permission catalogue: every permission a service or selector checks, in one place.

A permission has two halves:

- the **roles** that may hold it (`Acting.can(name)` / `Acting.require(name)` check these);
- the **relation** the acting organisation must have to the programme or record: the lead
  organisation of the programme, its supplier or collecting partner, the assigned technician,
  the organisation that registered the household. Relations are small named predicates: the
  core ones below (`is_lead`, `registered`), the rental ones in `rentals/rules.py`. Which
  records an organisation may see at all is decided by `core.tenancy` (a record it cannot see
  answers 404); a permission is checked on top of that (403).

Services and selectors check both halves, so pages, API handlers and management commands,
which all call them, cannot disagree. Views and handlers never test role names themselves:
a view may ask `acting.can(...)` or a rule predicate only to decide what to *show* (a button),
never as the only guard of a write or a read.

Each entry's `doc` says who holds the permission, in words a reviewer can check against the
code; `core/tests/test_permissions.py` holds the catalogue to that shape.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.models import Role

if TYPE_CHECKING:
    from core.tenancy import Acting

R = Role

ADMINS = frozenset({R.ORG_ADMIN})
MANAGERS = frozenset({R.ORG_ADMIN, R.COORDINATOR})
"""Who runs an organisation's part of a programme: coordinators and org admins."""
DESK = frozenset({R.ORG_ADMIN, R.COORDINATOR, R.INTAKE_WORKER})
"""Who works with households at the desk: intake workers, coordinators and org admins."""
READERS = DESK | {R.VIEWER}
"""Who may read households' records: the desk, and viewers."""
FIELD = frozenset({R.TECHNICIAN})
"""Who goes out to households: the supplier's technicians."""


@dataclass(frozen=True)
class Permission:
    name: str
    roles: frozenset[str]
    doc: str


CATALOGUE: tuple[Permission, ...] = (
    # ------------------------------------------------------------ organisation
    Permission(
        "organisation.view",
        frozenset(Role.values),
        "Every member of the organisation reads its own details.",
    ),
    Permission(
        "organisation.manage",
        ADMINS,
        "Org admins change their own organisation's details.",
    ),
    Permission(
        "membership.view",
        MANAGERS,
        "Coordinators and org admins see who works in their own organisation.",
    ),
    Permission(
        "notification.view",
        frozenset(Role.values),
        "Every member reads and marks read their own notifications, for the organisation "
        "they act for (core.notifications); nobody reads another person's.",
    ),
    Permission(
        "audit.view",
        ADMINS,
        "Org admins read their own organisation's audit log.",
    ),
    # ------------------------------------------------------------ background runs
    Permission(
        "run.view",
        READERS | {R.JOB_COACH},
        "Coordinators, org admins, intake workers, job coaches and viewers of the organisation "
        "that started the run (tenancy) follow it: status, progress, summary. One permission "
        "for every kind, so the route matrix can hold the run page to its declaration; a kind "
        "keeps personal data out of its summary, and starting a run needs the kind's own "
        "permission (`core.runs.RunKind.permission`, e.g. billing.run).",
    ),
    # ------------------------------------------------------------ programmes
    Permission(
        "programme.view",
        READERS | {R.JOB_COACH},
        "Coordinators, org admins, intake workers, job coaches and viewers of the lead "
        "organisation or of a partner of the programme (tenancy decides which programmes).",
    ),
    Permission(
        "programme.manage",
        MANAGERS,
        "Coordinators and org admins of the programme's lead organisation (`is_lead`): "
        "set-up, partners, tariffs, the rental scheme, offers, catalogue, waiting-list "
        "priority, the dashboard.",
    ),
    # ------------------------------------------------------------ households
    Permission(
        "household.view",
        READERS,
        "Intake workers, coordinators, org admins and viewers of the organisation that "
        "registered the household, or of the lead organisation of a programme it is enrolled "
        "in (tenancy). Every read of a household's data is audited.",
    ),
    Permission(
        "household.change",
        DESK,
        "Intake workers, coordinators and org admins of an organisation that sees the "
        "household (tenancy): its details, rental applications and contracts, resident links.",
    ),
    Permission(
        "household.export",
        DESK,
        "Intake workers, coordinators and org admins of an organisation that sees the "
        "household: the export contains only what that organisation sees.",
    ),
    Permission(
        "household.erase",
        MANAGERS,
        "Coordinators and org admins of the organisation that registered the household "
        "(`registered`).",
    ),
    Permission(
        "household.notes",
        DESK,
        "Intake workers, coordinators and org admins of an organisation that sees the "
        "household; restricted notes only within the organisation that wrote them.",
    ),
    Permission(
        "enrolment.decide",
        DESK,
        "Intake workers, coordinators and org admins of an organisation that sees the "
        "household enrol it in a programme they can see.",
    ),
    Permission(
        "enrolment.override",
        MANAGERS,
        "Coordinators and org admins may enrol a household that fails the programme's rules, "
        "always with a written reason.",
    ),
    # ------------------------------------------------------------ rental: units
    Permission(
        "unit.view",
        READERS | {R.JOB_COACH, R.TECHNICIAN},
        "Readers of the lead or a partner organisation, and the supplier's technicians "
        "(`rentals.rules.may_view_units`).",
    ),
    Permission(
        "unit.manage",
        MANAGERS | FIELD,
        "Coordinators and org admins of the programme's lead organisation, or technicians, "
        "coordinators and org admins of its supplier (`rentals.rules.may_manage_units`).",
    ),
    # ------------------------------------------------------------ rental: visits
    Permission(
        "visit.view",
        READERS,
        "Readers of an organisation that sees the contract (registering, lead, collector): "
        "the visit list of a programme.",
    ),
    Permission(
        "visit.plan",
        DESK,
        "Intake workers, coordinators and org admins of an organisation that sees the "
        "contract plan a repair, swap or return visit (`rentals.rules.may_plan_visit`).",
    ),
    Permission(
        "visit.assign",
        MANAGERS,
        "Coordinators and org admins of the programme's lead organisation, or the planners "
        "(coordinators and org admins) of its supplier, give a visit to a technician of the "
        "supplier (`rentals.rules.plans_visits`).",
    ),
    Permission(
        "visit.reschedule",
        MANAGERS,
        "The same people as visit.assign move a planned visit to another day or window "
        "(`rentals.rules.plans_visits`).",
    ),
    Permission(
        "visit.view_assigned",
        FIELD,
        "A technician of the supplier sees the visits assigned to them, and only what the "
        "visit needs (`rentals.selectors.VisitForTechnician`, "
        "`rentals.rules.is_assigned_technician`).",
    ),
    Permission(
        "visit.complete",
        FIELD,
        "The technician the visit is assigned to (`rentals.rules.is_assigned_technician`) "
        "records it done. Completing an installation starts the contract and its billing "
        "(`rentals.rules.may_complete_visit`).",
    ),
    Permission(
        "visit.record_done",
        MANAGERS,
        "A coordinator or org admin of the programme's lead organisation records a visit the "
        "supplier reported done (a supplier without Wijk accounts); same effects as "
        "visit.complete (`rentals.rules.may_complete_visit`).",
    ),
    Permission(
        "visit.handoff",
        MANAGERS,
        "Coordinators and org admins of the rental programme's lead organisation (`is_lead`) "
        "hand a planned visit to a job bureau that takes the programme's visits "
        "(core/handoffs.py); the bureau's coordinators agree to take them (job.rules).",
    ),
    Permission(
        "home.field_work",
        FIELD | {R.NEIGHBOURHOOD_WORKER},
        "Navigation only: the home page of someone who works in the field (technicians, "
        "neighbourhood workers) says where their visits or jobs will appear.",
    ),
    Permission(
        "visit.do",
        FIELD,
        'Navigation only: shows the technician\'s page ("my visits"); the same people as '
        "visit.view_assigned.",
    ),
    # ------------------------------------------------------------ rental: tickets
    Permission(
        "ticket.view",
        READERS,
        "Readers of an organisation that sees the contract.",
    ),
    Permission(
        "ticket.open",
        DESK,
        "Intake workers, coordinators and org admins of an organisation that sees the "
        "contract report a breakdown. A resident reports one for their own contract on their "
        "PIN page, through `rentals.services.ticket_open_by_resident`.",
    ),
    # ------------------------------------------------------------ rental: money
    Permission(
        "billing.run",
        MANAGERS,
        "Coordinators and org admins of the programme's lead organisation (`is_lead`) bill a "
        "month, at most one month ahead. A management command runs as the installation's "
        "operator (`core.tenancy.operator_acting`).",
    ),
    Permission(
        "collection.view",
        READERS,
        "Readers of an organisation that collects for the household "
        "(`rentals.rules.collects_for`): its balance, charges and payments as that collector "
        "sees them.",
    ),
    Permission(
        "payment.record",
        DESK,
        "Intake workers, coordinators and org admins of the organisation that collects for "
        "the household (`rentals.rules.collects_for`): payments by hand or from a bank "
        "statement, bank-line resolution, direct-debit files. Every payment is audited.",
    ),
    Permission(
        "arrears.step",
        DESK,
        "Intake workers, coordinators and org admins of the organisation that collects for "
        "the household record a gentle arrears step they took.",
    ),
    # ------------------------------------------------------------ job bureau
    Permission(
        "job.view",
        READERS | {R.JOB_COACH},
        "Coordinators, org admins, intake workers, job coaches and viewers of the bureau's "
        "lead organisation (`is_lead`) read its rules, catalogue, requests and plans.",
    ),
    Permission(
        "job.rules",
        MANAGERS,
        "Coordinators and org admins of the bureau's lead organisation (`is_lead`) set the "
        "programme rules and the service catalogue, and agree to take the visits of a rental "
        "programme of which their organisation is a partner (core/handoffs.py).",
    ),
    Permission(
        "job.request",
        DESK | {R.JOB_COACH},
        "Intake workers, job coaches, coordinators and org admins of the lead organisation "
        "take a request by phone or at the desk, write down a resident's feedback, and "
        "record cheque users and the cheques they buy (jobs/services/cheques.py). "
        "Residents ask through the public form, without an account.",
    ),
    Permission(
        "job.plan",
        MANAGERS | {R.JOB_COACH},
        "Job coaches, coordinators and org admins of the lead organisation plan a day, lock "
        "or move an assignment, cancel a request or record that nobody was home.",
    ),
    Permission(
        "job.do",
        frozenset({R.NEIGHBOURHOOD_WORKER}),
        "A neighbourhood worker of the lead organisation sees their own jobs of the day "
        "(`jobs.selectors.workers.my_workers`) and their calendar link.",
    ),
    Permission(
        "job.hours",
        MANAGERS | {R.JOB_COACH, R.NEIGHBOURHOOD_WORKER},
        "A neighbourhood worker registers the hours of their own assigned jobs; job coaches, "
        "coordinators and org admins of the lead organisation those of any worker.",
    ),
    Permission(
        "job.approve",
        MANAGERS | {R.JOB_COACH},
        "Job coaches, coordinators and org admins of the lead organisation approve hours "
        "(never their own) and read allowance statements and invoices.",
    ),
    Permission(
        "job.dashboard",
        MANAGERS | {R.JOB_COACH, R.VIEWER},
        "Job coaches, coordinators, org admins and viewers of the lead organisation read the "
        "bureau's figures and export them.",
    ),
    Permission(
        "worker.view",
        MANAGERS | {R.JOB_COACH},
        "Job coaches, coordinators and org admins of the lead organisation read the workers, "
        "their skills, availability and trajectory (not the coaching notes).",
    ),
    Permission(
        "worker.manage",
        MANAGERS | {R.JOB_COACH},
        "Job coaches, coordinators and org admins of the lead organisation add workers and "
        "keep their skills, availability, goals, assessments, outcome and follow-up.",
    ),
    Permission(
        "worker.export",
        MANAGERS | {R.NEIGHBOURHOOD_WORKER},
        "Coordinators and org admins of the lead organisation export everything the bureau "
        "keeps about a worker (right of access, jobs/services/privacy.py); a neighbourhood "
        "worker only their own record (the worker's login), any other answers 404.",
    ),
    Permission(
        "worker.erase",
        MANAGERS,
        "Coordinators and org admins of the lead organisation erase a worker whose "
        "trajectory ended (right to be forgotten, jobs/services/privacy.py).",
    ),
    Permission(
        "worker.coach",
        frozenset({R.JOB_COACH}),
        "Only job coaches of the lead organisation read and write the restricted coaching notes.",
    ),
    # ------------------------------------------------------------ energy sharing
    Permission(
        "sharing.view",
        READERS,
        "Intake workers, coordinators, org admins and viewers of the programme's lead "
        "organisation (`is_lead`) see the community, its participants, imports, runs, "
        "dashboard, key simulator and advice; of the organisation that registered a "
        "participating household (tenancy) that household's participation and statements.",
    ),
    Permission(
        "sharing.manage",
        MANAGERS,
        "Coordinators and org admins of the programme's lead organisation (`is_lead`): the "
        "community's prices, location and key, its participants and their PV installations.",
    ),
    Permission(
        "sharing.import",
        DESK,
        "Intake workers, coordinators and org admins of the programme's lead organisation "
        "(`is_lead`) import meter data; a household's only with its consent for energy data.",
    ),
    Permission(
        "sharing.run",
        MANAGERS,
        "Coordinators and org admins of the programme's lead organisation (`is_lead`) run "
        "the monthly allocation (again: it replaces the month's results).",
    ),
    # ------------------------------------------------------------ impact and practices
    Permission(
        "impact.view",
        READERS | {R.JOB_COACH},
        "Coordinators, org admins, intake workers, job coaches and viewers read the figures "
        "of the programmes their own organisation leads (impact.figures.own_programmes).",
    ),
    Permission(
        "impact.export",
        MANAGERS,
        "Coordinators and org admins download their own organisation's figures as Excel, "
        "small groups suppressed.",
    ),
    Permission(
        "practice.manage",
        MANAGERS,
        "Coordinators and org admins write, translate, publish and withdraw their own "
        "organisation's practice sheets and bind them to a programme it leads.",
    ),
    Permission(
        "exchange.request",
        MANAGERS,
        "Coordinators and org admins ask another organisation's practice for a conversation, "
        "a visit or documents, and write in the threads their organisation started.",
    ),
    Permission(
        "exchange.answer",
        MANAGERS,
        "Coordinators and org admins of the organisation that owns the practice answer and "
        "close its exchange requests.",
    ),
    Permission(
        "exchange.view",
        MANAGERS,
        "Coordinators and org admins of the asking or the owning organisation read an "
        "exchange thread (tenancy: either side).",
    ),
    Permission(
        "package.export",
        MANAGERS,
        "Coordinators and org admins of the programme's lead organisation (`is_lead`) "
        "export its set-up as a programme package (never personal data).",
    ),
    Permission(
        "package.import",
        MANAGERS,
        "Coordinators and org admins preview and adopt a programme package as a new "
        "programme their own organisation leads.",
    ),
    Permission(
        "subscription.manage",
        MANAGERS,
        "Coordinators and org admins subscribe their organisation to other installations' "
        "practice feeds, pull and remove them.",
    ),
)

BY_NAME: dict[str, Permission] = {p.name: p for p in CATALOGUE}
PERMISSIONS: dict[str, frozenset[str]] = {p.name: p.roles for p in CATALOGUE}
"""Role sets by permission name; `Acting.can` reads this (an unknown name is a KeyError)."""


# ---------------------------------------------------------------- core relations
def is_lead(acting: "Acting", programme: Any) -> bool:
    """The acting organisation leads the programme."""
    return bool(programme.lead_organisation_id == acting.organisation.pk)


def registered(acting: "Acting", household: Any) -> bool:
    """The acting organisation registered the household."""
    return bool(household.organisation_id == acting.organisation.pk)


def manages_programme(acting: "Acting", programme: Any) -> bool:
    """programme.manage for the programme's lead organisation."""
    return acting.can("programme.manage") and is_lead(acting, programme)
