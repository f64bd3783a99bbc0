"""What each role may do. Views, API handlers and services ask `acting.can(...)`."""

from core.models import Role

R = Role
PERMISSIONS: dict[str, frozenset[str]] = {
    "household.view": frozenset({R.ORG_ADMIN, R.COORDINATOR, R.INTAKE_WORKER, R.VIEWER}),
    "household.change": frozenset({R.ORG_ADMIN, R.COORDINATOR, R.INTAKE_WORKER}),
    "household.export": frozenset({R.ORG_ADMIN, R.COORDINATOR, R.INTAKE_WORKER}),
    "household.erase": frozenset({R.ORG_ADMIN, R.COORDINATOR}),
    "household.notes": frozenset({R.ORG_ADMIN, R.COORDINATOR, R.INTAKE_WORKER}),
    "enrolment.decide": frozenset({R.ORG_ADMIN, R.COORDINATOR, R.INTAKE_WORKER}),
    "programme.view": frozenset(
        {R.ORG_ADMIN, R.COORDINATOR, R.INTAKE_WORKER, R.JOB_COACH, R.VIEWER}
    ),
    "programme.manage": frozenset({R.ORG_ADMIN, R.COORDINATOR}),
    "organisation.view": frozenset(set(Role.values)),
    "organisation.manage": frozenset({R.ORG_ADMIN}),
    "membership.view": frozenset({R.ORG_ADMIN, R.COORDINATOR}),
    "audit.view": frozenset({R.ORG_ADMIN}),
    "visit.do": frozenset({R.TECHNICIAN}),
}
