"""What appliance rental adds to the shared pages, the GDPR export and erasure, the demo and
the impact figures, through the programme seam (core.programmes). Registered from
RentalsConfig.ready(); core and households never import this app.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import AuditEvent, Programme
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
from core.validators import local_today
from households.models import Enrolment, Household
from rentals import package, rules
from rentals.models import (
    Allocation,
    Application,
    ArrearsStep,
    Charge,
    Contract,
    ContractUnit,
    Payment,
    ResidentAccess,
    Ticket,
    Visit,
)
from rentals.selectors import impact
from rentals.selectors.applications import has_programme_consent
from rentals.selectors.collection import collected_programmes, collection_balance
from rentals.services import erasure, handoff, notices

if TYPE_CHECKING:
    from core.demo import DemoContext

KIND = Programme.Kind.APPLIANCE_RENTAL


def collects(acting: Acting) -> bool:
    """Whether the acting organisation collects the fees of a rental programme."""
    return collected_programmes(acting.organisation).exists()


# --- Pages ---------------------------------------------------------------------------------


def home_work(acting: Acting) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class NextStep:
    """One card of the household section: what waits, and the button that does it."""

    title: str
    text: str = ""
    button: str = ""
    url: str = ""  # a page (GET)
    post_url: str = ""  # or a form (POST) on this page
    cancel_url: str = ""
    cancel_label: str = ""


def _next_steps(acting: Acting, household: Household) -> list[NextStep]:
    """The household page as the hub: apply, make and sign the contract, the visit."""
    steps: list[NextStep] = []
    can_change = acting.can("household.change")
    here = reverse("households:detail", args=[household.pk])
    today = local_today(acting.organisation)
    consented = has_programme_consent(household, today)
    for application in (
        scoped(Application, acting)
        .filter(household=household, status=Application.Status.WAITING)
        .select_related("programme")
        .order_by("applied_at", "pk")
    ):
        appliance = application.get_category_display()
        cancel = {}
        if can_change:
            cancel = {
                "cancel_url": reverse("rentals:application_cancel", args=[application.pk])
                + "?"
                + urlencode({"next": here}),
                "cancel_label": gettext("Cancel the application for a %(appliance)s")
                % {"appliance": appliance},
            }
        servable = application in notices.servable_applications(
            application.programme, application.category
        )
        if not consented:
            steps.append(
                NextStep(
                    title=gettext("Record the household's consent to take part"),
                    text=gettext(
                        "A unit can only be rented with the household's consent to take part "
                        "in the programme (no contract without it)."
                    ),
                    button=gettext("Record the consent"),
                    url=here + "#consents",
                    **cancel,
                )
            )
        elif servable and can_change:
            steps.append(
                NextStep(
                    title=gettext("A %(appliance)s is free for this household")
                    % {"appliance": appliance},
                    text=gettext("Make the contract: the unit is reserved until it is signed."),
                    button=gettext("Make the contract"),
                    post_url=reverse("rentals:application_contract", args=[application.pk]),
                    **cancel,
                )
            )
        else:
            steps.append(
                NextStep(
                    title=gettext("Waiting for a %(appliance)s") % {"appliance": appliance},
                    text=gettext("No unit is free for this application yet."),
                    **cancel,
                )
            )
    contracts = (
        scoped(Contract, acting)
        .filter(household=household, status__in=[Contract.Status.DRAFT, Contract.Status.SIGNED])
        .order_by("pk")
    )
    for contract in contracts:
        appliance = contract.get_category_display()
        contract_url = reverse("rentals:contract", args=[contract.pk])
        if contract.status == Contract.Status.DRAFT:
            steps.append(
                NextStep(
                    title=gettext("Sign the contract for the %(appliance)s")
                    % {"appliance": appliance},
                    text=gettext("Signing fixes the fees and plans the installation visit."),
                    button=gettext("Sign the contract")
                    if can_change
                    else gettext("See the contract"),
                    url=contract_url + ("#sign" if can_change else ""),
                )
            )
            continue
        visit = (
            contract.visits.filter(kind=Visit.Kind.INSTALLATION, status=Visit.Status.PLANNED)
            .select_related("technician")
            .first()
        )
        if visit is None:
            continue
        when = date_format(visit.planned_on, "DATE_FORMAT")
        technician = visit.technician
        if technician is None:
            planner = acting.can("visit.assign") and rules.plans_visits(acting, contract.programme)
            steps.append(
                NextStep(
                    title=gettext("Installation of the %(appliance)s on %(date)s")
                    % {"appliance": appliance, "date": when},
                    text=gettext("Nobody is assigned to this visit yet."),
                    button=gettext("Assign a technician") if planner else "",
                    url=reverse("rentals:visit_assign", args=[visit.pk]) if planner else "",
                )
            )
        else:
            steps.append(
                NextStep(
                    title=gettext("Installation of the %(appliance)s on %(date)s")
                    % {"appliance": appliance, "date": when},
                    text=gettext("Assigned to %(technician)s.")
                    % {"technician": technician.get_full_name() or technician.get_username()},
                )
            )
    return steps


def household_section(acting: Acting, household: Household) -> dict[str, Any] | None:
    """The household's rental on the household page, where it takes part in a rental
    programme the acting organisation sees: the next step of each application and contract
    (apply, make and sign the contract, the installation visit) and, for the collector of
    one of its contracts, the balance ("Rent and payments" opens only there)."""
    taking_part = (
        scoped(Enrolment, acting)
        .filter(household=household, programme__kind=KIND)
        .exclude(status=Enrolment.Status.REFUSED)
        .exists()
    )
    if not taking_part:
        return None
    can_see_money = (
        scoped(Contract, acting).filter(household=household, collector=acting.organisation).exists()
    )
    balance = None
    if can_see_money and acting.can("collection.view"):
        owed, _step = collection_balance(acting, household, local_today(acting.organisation))
        balance = {"to_pay": max(owed.due, Decimal(0)), "arrears": owed.arrears > 0}
    enrolled = Enrolment.objects.filter(household=household, status=Enrolment.Status.ENROLLED)
    can_apply = (
        acting.can("household.change")
        and not household.erased_at
        and scoped(Programme, acting)
        .filter(kind=KIND, active=True, pk__in=enrolled.values("programme_id"))
        .exists()
    )
    return {
        "can_see_money": can_see_money,
        "balance": balance,
        "next_steps": _next_steps(acting, household),
        "can_apply": can_apply,
    }


def programme_section(acting: Acting, programme: Programme) -> dict[str, Any]:
    return {}


# --- Export (right of access) ----------------------------------------------------------------


def _contracts(acting: Acting, household: Household) -> "list[Contract]":
    return list(
        scoped(Contract, acting)
        .filter(household=household)
        .select_related("programme", "collector", "unit__appliance_model")
        .order_by("pk")
    )


def _payments(acting: Acting, household: Household) -> "list[Payment]":
    # Tenancy decides: the registrar exports every payment, a collector its own, a lead those
    # of its own programmes; never what the household paid for another programme (issue 6:
    # the export shows what the organisation itself holds).
    payments = scoped(Payment, acting).filter(household=household)
    return list(payments.select_related("collector", "bank_line").order_by("pk"))


def export_data(acting: Acting, household: Household) -> dict[str, Any]:
    """Everything rentals keeps about the household that the acting organisation may see."""
    contracts = _contracts(acting, household)
    contract_ids = [c.pk for c in contracts]
    reference = {c.pk: c.payment_reference for c in contracts}
    payments = _payments(acting, household)
    charges = list(Charge.objects.filter(contract_id__in=contract_ids).order_by("month", "pk"))
    charge_ids = {c.pk for c in charges}
    # The registrar's all, a collector's its own, a lead's those of its programmes.
    own_arrears = scoped(ArrearsStep, acting).filter(household=household)
    access = scoped(ResidentAccess, acting).filter(household=household).first()
    return {
        "applications": [
            {
                "id": a.pk,
                "programme": a.programme.name,
                "appliance": a.get_category_display(),
                "status": a.status,
                "applied_at": a.applied_at,
                "has_old_appliance": a.has_old_appliance,
                "old_age_band": a.get_old_age_band_display(),
                "old_label": a.old_label,
                "old_measured_kwh": a.old_measured_kwh,
                "priority": a.priority,
                "priority_reason": a.priority_reason,
            }
            for a in scoped(Application, acting)
            .filter(household=household)
            .select_related("programme")
            .order_by("pk")
        ],
        "contracts": [
            {
                "id": c.pk,
                "programme": c.programme.name,
                "payment_reference": c.payment_reference,
                "appliance": c.get_category_display(),
                "unit": f"{c.unit.appliance_model} #{c.unit.serial}",
                "status": c.status,
                "collector": c.collector.name,
                "tenant_fee": c.tenant_fee,
                "subsidy": c.subsidy,
                "term_months": c.term_months,
                "payment_method": c.payment_method,
                "debtor_iban": c.debtor_iban,
                "mandate_id": c.mandate_id,
                "mandate_signed_on": c.mandate_signed_on,
                "signed_at": c.signed_at,
                "start_date": c.start_date,
                "end_date": c.end_date,
                "end_reason": c.end_reason,
            }
            for c in contracts
        ],
        "unit_history": [
            {
                "id": u.pk,
                "contract": reference[u.contract_id],
                "unit": f"{u.unit.appliance_model} #{u.unit.serial}",
                "installed_on": u.installed_on,
                "removed_on": u.removed_on,
            }
            for u in ContractUnit.objects.filter(contract_id__in=contract_ids)
            .select_related("unit__appliance_model")
            .order_by("pk")
        ],
        "visits": [
            {
                "id": v.pk,
                "contract": reference[v.contract_id],
                "kind": v.get_kind_display(),
                "status": v.status,
                "planned_on": v.planned_on,
                "window": v.window,
                "done_at": v.done_at,
                "old_appliance": v.get_disposal_display() if v.disposal else "",
                "report": v.report,
            }
            for v in Visit.objects.filter(contract_id__in=contract_ids).order_by("pk")
        ],
        "tickets": [
            {
                "id": t.pk,
                "contract": reference[t.contract_id],
                "reported": t.get_channel_display(),
                "description": t.description,
                "status": t.status,
                "opened_at": t.opened_at,
                "resolved_at": t.resolved_at,
            }
            for t in Ticket.objects.filter(contract_id__in=contract_ids).order_by("pk")
        ],
        "charges": [
            {
                "id": c.pk,
                "contract": reference[c.contract_id],
                "month": c.month,
                "tenant_amount": c.tenant_amount,
                "subsidy_amount": c.subsidy_amount,
                "paid": c.settled,
            }
            for c in charges
        ],
        "payments": [
            {
                "id": p.pk,
                "collector": p.collector.name,
                "received_on": p.received_on,
                "amount": p.amount,
                "method": p.get_method_display(),
                "reference": p.reference,
                "bank_line": (
                    {
                        "id": p.bank_line.pk,
                        "booked_on": p.bank_line.booked_on,
                        "account_name": p.bank_line.counterparty,
                        "iban": p.bank_line.iban,
                        "text": p.bank_line.text,
                    }
                    if p.bank_line
                    else None
                ),
            }
            for p in payments
        ],
        "allocations": [
            {
                "id": a.pk,
                "payment": a.payment_id,
                "charge": a.charge_id,
                "amount": a.amount,
            }
            for a in Allocation.objects.filter(
                payment__in=payments, charge_id__in=charge_ids
            ).order_by("pk")
        ],
        "arrears_steps": [
            {
                "id": s.pk,
                "step": s.get_level_display(),
                "taken_on": s.taken_on,
                "arrears": s.arrears,
                "note": s.note,
            }
            for s in own_arrears.distinct().order_by("pk")
        ],
        # The link and PIN are on the household's letters; only a hash of the PIN is kept.
        "resident_access": (
            {
                "id": access.pk,
                "issued_at": access.created_at,
                "valid_until": access.expires_at,
                "locked_until": access.locked_until,
            }
            if access
            else None
        ),
        "resident_page_openings": [
            event.at
            for event in AuditEvent.objects.filter(
                household=household, organisation=acting.organisation, via="resident"
            ).order_by("at")
        ],
    }


# --- Demo and impact ---------------------------------------------------------------------------


def load_demo(context: "DemoContext") -> None:
    # Imported here: the demo stays out of every web process.
    from rentals.demo import load_rentals

    load_rentals(
        context.result,
        context.orgs,
        context.actings,
        context.programmes,
        frozenset(context.adopted),
    )


def load_demo_set_up(context: "DemoContext") -> None:
    # Imported here: the demo stays out of every web process.
    from rentals.demo import load_set_up

    load_set_up(context.result, context.orgs, context.actings, context.programmes)


def load_demo_handoffs(context: "DemoContext") -> None:
    # After the job bureaus (order 30): a few deliveries go to the Oostende bureau.
    from rentals.demo import load_handoffs

    load_handoffs(context.programmes, context.actings)


def impact_figures(programme: Programme) -> list[Figure]:
    """The programme's savings so far (docs/savings-model.md), summed over every contract."""
    saved = impact.total(impact.programme_yearly(programme))
    return [
        Figure("electricity_kwh", _("Electricity saved"), saved.kwh, "kWh"),
        Figure("electricity_eur", _("Saved on the electricity bill"), saved.eur, "EUR"),
        Figure("water_m3", _("Water saved"), saved.water_m3, "m³"),
        Figure("water_eur", _("Saved on the water bill"), saved.water_eur, "EUR"),
        Figure("co2_kg", _("CO₂ avoided"), saved.co2_kg, "kg"),
    ]


def impact_at(programme: Programme, day: date) -> list[Figure]:
    """The same figures as of the end of a day (impact draws them month by month)."""
    saved = impact.total(impact.programme_yearly(programme, until=day))
    return [
        Figure("electricity_kwh", _("Electricity saved"), saved.kwh, "kWh"),
        Figure("electricity_eur", _("Saved on the electricity bill"), saved.eur, "EUR"),
        Figure("water_m3", _("Water saved"), saved.water_m3, "m³"),
        Figure("water_eur", _("Saved on the water bill"), saved.water_eur, "EUR"),
        Figure("co2_kg", _("CO₂ avoided"), saved.co2_kg, "kg"),
    ]


def register() -> None:
    registry.register(
        ProgrammeApp(
            label="rentals",
            kind=KIND,
            nav=(
                NavItem(
                    label=_("Rent and payments"),
                    url_name="collection:index",
                    permission="household.view",
                    when=collects,
                    namespace="collection",
                    on_home=True,
                ),
                NavItem(label=_("My visits"), url_name="rentals:today", permission="visit.do"),
            ),
            home_panels=(
                HomePanel(
                    "rentals/parts/home_work.html",
                    home_work,
                    permission="visit.do",
                    place="work",
                ),
            ),
            household_sections=(
                HouseholdSection("rentals/parts/household_section.html", household_section),
            ),
            programme_sections=(
                ProgrammeSection("rentals/parts/programme_section.html", programme_section),
            ),
            programme_namespaces=("rentals", "collection"),
            export_parts=(ExportPart("rentals", export_data, "rentals/parts/export.html"),),
            erasure=(
                ErasureHandler(
                    erasure.erasure_refusals,
                    erasure.erase,
                    removes=(
                        _(
                            "the bank account (IBAN) and the direct-debit mandate on rental "
                            "contracts, and the account name on bank payments"
                        ),
                        _("the link and PIN of the resident's own page"),
                    ),
                ),
            ),
            demo_loaders=(
                DemoLoader(order=7, load=load_demo_set_up),
                DemoLoader(order=20, load=load_demo),
                DemoLoader(order=40, load=load_demo_handoffs),
            ),
            impact_figures=(impact_figures,),
            notice_kinds=notices.NOTICE_KINDS,
            todo=(notices.TODO,),
            impact_at=(impact_at,),
            package_parts=(package.PART,),
            visit_handoffs=(handoff.PROVIDER,),
        )
    )
