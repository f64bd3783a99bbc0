"""What appliance rental tells people (core.notifications) and lists on their home page's
"To do" panel (core.programmes.TodoProvider).

Who hears what:
  a new breakdown report, or the same one again   the lead's coordinators and the supplier's
                                                   planners (they plan the repair visit)
  a visit without a technician (a contract signed, a repair planned without one)
                                                   the same planners, until someone assigns it
  a visit given to a technician                    that technician
  a visit past its day and not recorded done       the same planners (a daily scan)
  a visit cancelled with its contract              the technician it was given to (the
                                                   planners' open notices about it are resolved)
  a waiting application a free unit can serve      the lead's coordinators and the desk of
                                                   the organisation that registered the household
  bank lines no contract matched                   the collector's desk

Params hold references and serial numbers only, never names (the audit log's rule).
"""

from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.models import Programme
from core.notifications import notification_resolve, notification_send
from core.permissions import DESK, MANAGERS
from core.programmes import NoticeKind, TodoItem, TodoProvider
from core.tenancy import Acting, scoped
from core.validators import local_today
from rentals.models import Application, BankImport, BankLine, Ticket, Unit, UnitStatus, Visit

TICKET_OPENED = "rentals.ticket_opened"
TICKET_AGAIN = "rentals.ticket_reported_again"
VISIT_UNASSIGNED = "rentals.visit_unassigned"
VISIT_ASSIGNED = "rentals.visit_assigned"
VISIT_OVERDUE = "rentals.visit_overdue"
VISIT_CANCELLED = "rentals.visit_cancelled"
APPLICATION_SERVABLE = "rentals.application_servable"
BANK_LINES = "rentals.bank_lines_unmatched"
HANDOFF_DONE = "rentals.handoff_done"
HANDOFF_CLOSED = "rentals.handoff_closed"

NOTICE_KINDS = (
    NoticeKind(
        TICKET_OPENED,
        _("New breakdown report from household %(reference)s for unit %(unit)s."),
    ),
    NoticeKind(
        TICKET_AGAIN,
        _(
            "Household %(reference)s reported the breakdown of unit %(unit)s again "
            "(%(reports)s reports); it is added to the open ticket."
        ),
    ),
    NoticeKind(
        VISIT_UNASSIGNED,
        _("The visit on %(planned_on)s to household %(reference)s has no technician yet."),
    ),
    NoticeKind(
        VISIT_ASSIGNED,
        _("You have a visit on %(planned_on)s to household %(reference)s."),
    ),
    NoticeKind(
        VISIT_OVERDUE,
        _(
            "The visit planned on %(planned_on)s to household %(reference)s is not recorded "
            "as done."
        ),
    ),
    NoticeKind(
        VISIT_CANCELLED,
        _("The visit on %(planned_on)s to household %(reference)s is cancelled."),
    ),
    NoticeKind(
        APPLICATION_SERVABLE,
        _(
            "A unit is free for the waiting application of household %(reference)s: the "
            "contract can be made."
        ),
    ),
    NoticeKind(
        BANK_LINES,
        _("Bank statement %(filename)s has lines no contract matched: %(count)s."),
    ),
    NoticeKind(
        HANDOFF_DONE,
        _(
            "Job bureau request %(request)s is done: the visit of %(planned_on)s to household "
            "%(reference)s can be recorded as done."
        ),
    ),
    NoticeKind(
        HANDOFF_CLOSED,
        _(
            "Job bureau request %(request)s for the visit of %(planned_on)s to household "
            "%(reference)s was cancelled or nobody was home: plan the visit again."
        ),
    ),
)


def _planners(programme: Programme) -> list[tuple[Any, frozenset[str]]]:
    """(organisation, roles) of who plans visits: the lead's and the supplier's managers."""
    found: list[tuple[Any, frozenset[str]]] = [(programme.lead_organisation, MANAGERS)]
    scheme = getattr(programme, "rental_scheme", None)
    if scheme is not None and scheme.supplier_id != programme.lead_organisation_id:
        found.append((scheme.supplier, MANAGERS))
    return found


def ticket_reported(ticket: Ticket, *, again: bool) -> None:
    contract = ticket.contract
    params = {
        "reference": contract.household.reference,
        "unit": contract.unit.serial,
        "reports": ticket.reports,
    }
    url = reverse("rentals:ticket", args=[ticket.pk])
    for organisation, roles in _planners(contract.programme):
        notification_send(
            organisation=organisation,
            roles=roles,
            kind=TICKET_AGAIN if again else TICKET_OPENED,
            params=params,
            url=url,
            key=f"ticket:{ticket.pk}:{ticket.reports}",
        )


def _visit_params(visit: Visit) -> dict[str, Any]:
    return {
        "reference": visit.contract.household.reference,
        "planned_on": visit.planned_on.isoformat(),
    }


def visit_needs_technician(visit: Visit) -> None:
    """A planned visit nobody is assigned to: its planners hear it, until it is assigned."""
    if visit.technician_id is not None or visit.status != Visit.Status.PLANNED:
        return
    url = reverse("rentals:visit_assign", args=[visit.pk])
    for organisation, roles in _planners(visit.contract.programme):
        notification_send(
            organisation=organisation,
            roles=roles,
            kind=VISIT_UNASSIGNED,
            params=_visit_params(visit),
            url=url,
            key=f"visit-unassigned:{visit.pk}",
        )


def visit_assigned(visit: Visit) -> None:
    for organisation, _roles in _planners(visit.contract.programme):
        notification_resolve(organisation=organisation, key=f"visit-unassigned:{visit.pk}")
    if visit.technician is None:
        return
    notification_send(
        organisation=visit.technician_organisation,
        recipients=[visit.technician],
        kind=VISIT_ASSIGNED,
        params=_visit_params(visit),
        url=reverse("rentals:today_visit", args=[visit.pk]),
        key=f"visit-assigned:{visit.pk}:{visit.technician_id}:{visit.planned_on.isoformat()}",
    )


def visit_done(visit: Visit) -> None:
    for organisation, _roles in _planners(visit.contract.programme):
        for key in (f"visit-unassigned:{visit.pk}", f"visit-overdue:{visit.pk}"):
            notification_resolve(organisation=organisation, key=key)


def visit_cancelled(visit: Visit) -> None:
    """A planned visit is cancelled (its contract was): the planners' notices about it are
    resolved and the technician it was given to hears it."""
    for organisation, _roles in _planners(visit.contract.programme):
        for key in (f"visit-unassigned:{visit.pk}", f"visit-overdue:{visit.pk}"):
            notification_resolve(organisation=organisation, key=key)
    if visit.technician is None:
        return
    notification_resolve(
        organisation=visit.technician_organisation,
        key=f"visit-assigned:{visit.pk}:{visit.technician_id}:{visit.planned_on.isoformat()}",
    )
    notification_send(
        organisation=visit.technician_organisation,
        recipients=[visit.technician],
        kind=VISIT_CANCELLED,
        params=_visit_params(visit),
        url=reverse("rentals:today"),
        key=f"visit-cancelled:{visit.pk}",
    )


def overdue_visits(programme: Programme, today: date) -> Any:
    return Visit.objects.filter(
        contract__programme=programme, status=Visit.Status.PLANNED, planned_on__lt=today
    )


def visits_overdue_notify(*, programme: Programme, today: date | None = None) -> int:
    """The daily scan: every planned visit past its day, once (the key)."""
    today = today or local_today(programme.lead_organisation)
    sent = 0
    for visit in overdue_visits(programme, today).select_related("contract__household"):
        for organisation, roles in _planners(programme):
            sent += len(
                notification_send(
                    organisation=organisation,
                    roles=roles,
                    kind=VISIT_OVERDUE,
                    params=_visit_params(visit),
                    url=reverse("rentals:visit_assign", args=[visit.pk]),
                    key=f"visit-overdue:{visit.pk}",
                )
            )
    return sent


def servable_applications(programme: Programme, category: str) -> list[Application]:
    """The waiting applications at the front of the list that free units can serve now."""
    free = Unit.objects.filter(
        programme=programme, appliance_model__category=category, status=UnitStatus.IN_STOCK
    ).count()
    if not free:
        return []
    return list(
        Application.objects.filter(
            programme=programme, category=category, status=Application.Status.WAITING
        )
        .order_by("-priority", "applied_at", "pk")
        .select_related("household")[:free]
    )


def units_available(*, programme: Programme, category: str) -> None:
    """A unit came in stock: the applications it can serve are announced, each once."""
    for application in servable_applications(programme, category):
        household = application.household
        url = reverse("rentals:household", args=[household.pk])
        params = {"reference": household.reference}
        key = f"application-servable:{application.pk}"
        notification_send(
            organisation=programme.lead_organisation,
            roles=MANAGERS,
            kind=APPLICATION_SERVABLE,
            params=params,
            url=url,
            key=key,
        )
        if household.organisation_id != programme.lead_organisation_id:
            notification_send(
                organisation=household.organisation,
                roles=DESK,
                kind=APPLICATION_SERVABLE,
                params=params,
                url=url,
                key=key,
            )


def bank_import_done(bank_import: BankImport) -> None:
    unmatched = bank_import.lines.filter(status=BankLine.Status.UNMATCHED).count()
    if not unmatched:
        return
    notification_send(
        organisation=bank_import.collector,
        roles=DESK,
        kind=BANK_LINES,
        params={"filename": bank_import.filename[:80], "count": unmatched},
        url=reverse("collection:import_detail", args=[bank_import.pk]),
        key=f"bank-import:{bank_import.pk}",
    )


# ---------------------------------------------------------------- the "To do" panel
def todo_items(acting: Acting) -> list[TodoItem]:
    items: list[TodoItem] = []
    today = local_today(acting.organisation)
    org = acting.organisation
    if acting.can("visit.assign"):
        programmes = scoped(Programme, acting).filter(
            Q(lead_organisation=org) | Q(rental_scheme__supplier=org), kind="appliance_rental"
        )
        for programme in programmes.distinct().order_by("name"):
            visits = Visit.objects.filter(
                contract__programme=programme, status=Visit.Status.PLANNED
            )
            counts = visits.aggregate(
                unassigned=Count("pk", filter=Q(technician__isnull=True)),
                overdue=Count("pk", filter=Q(planned_on__lt=today)),
            )
            url = reverse("rentals:visits", args=[programme.pk])
            if counts["unassigned"]:
                n = counts["unassigned"]
                items.append(
                    TodoItem(
                        ngettext(
                            "%(programme)s: %(count)s visit has no technician",
                            "%(programme)s: %(count)s visits have no technician",
                            n,
                        )
                        % {"programme": programme.name, "count": n},
                        url,
                        n,
                    )
                )
            if counts["overdue"]:
                n = counts["overdue"]
                items.append(
                    TodoItem(
                        ngettext(
                            "%(programme)s: %(count)s visit is past its day and not recorded done",
                            "%(programme)s: %(count)s visits are past their day and not "
                            "recorded done",
                            n,
                        )
                        % {"programme": programme.name, "count": n},
                        url,
                        n,
                        urgent=True,
                    )
                )
    if acting.can("programme.manage"):
        for programme in Programme.objects.filter(
            lead_organisation=org, kind="appliance_rental", active=True
        ).order_by("name"):
            open_tickets = Ticket.objects.filter(
                contract__programme=programme, status=Ticket.Status.OPEN
            ).count()
            if open_tickets:
                items.append(
                    TodoItem(
                        ngettext(
                            "%(programme)s: %(count)s breakdown report waits for a visit",
                            "%(programme)s: %(count)s breakdown reports wait for a visit",
                            open_tickets,
                        )
                        % {"programme": programme.name, "count": open_tickets},
                        reverse("rentals:tickets", args=[programme.pk]),
                        open_tickets,
                    )
                )
            categories = set(
                Application.objects.filter(
                    programme=programme, status=Application.Status.WAITING
                ).values_list("category", flat=True)
            )
            servable = sum(len(servable_applications(programme, c)) for c in categories)
            if servable:
                items.append(
                    TodoItem(
                        ngettext(
                            "%(programme)s: %(count)s waiting application can get a unit now",
                            "%(programme)s: %(count)s waiting applications can get a unit now",
                            servable,
                        )
                        % {"programme": programme.name, "count": servable},
                        reverse("rentals:waiting", args=[programme.pk]),
                        servable,
                    )
                )
    if acting.can("payment.record"):
        lines = BankLine.objects.filter(
            bank_import__collector=org, status=BankLine.Status.UNMATCHED
        ).count()
        if lines:
            items.append(
                TodoItem(
                    ngettext(
                        "%(count)s bank line needs a person to match it",
                        "%(count)s bank lines need a person to match them",
                        lines,
                    )
                    % {"count": lines},
                    reverse("collection:line_list"),
                    lines,
                )
            )
    return items


TODO = TodoProvider(todo_items)


def visit_handoff_changed(visit: Visit, state: Any) -> None:
    """A job bureau's request for the visit is done, cancelled or missed (core/handoffs.py):
    the lead's coordinators hear it, to record the visit done or plan it again."""
    kind = {"done": HANDOFF_DONE, "cancelled": HANDOFF_CLOSED, "no_show": HANDOFF_CLOSED}.get(
        state.status
    )
    if kind is None:
        return
    notification_send(
        organisation=visit.contract.programme.lead_organisation,
        roles=MANAGERS,
        kind=kind,
        params={**_visit_params(visit), "request": state.reference},
        url=reverse("rentals:contract", args=[visit.contract_id]),
        key=f"visit-handoff:{visit.pk}:{state.reference}:{state.status}",
    )
