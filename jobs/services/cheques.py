"""Wijk-werken cheques, one by one: a cheque user (a resident or an organisation) buys
cheques, each valid for the programme's "cheque validity" from the day bought; approving
hours spends one cheque per started hour, oldest first (the soonest to end), never an
expired one. A job that finds too few valid cheques is still approved (the hours are the
worker's), and the shortfall is shown on the job and the invoice. Nothing is spent twice:
`ChequeUse.cheque` is one-to-one, a unique constraint in the database."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.models import Programme
from core.services import audit_record
from core.tenancy import Acting, scoped
from core.validators import EARLIEST_DATE, check_date_range, local_today
from jobs import rules as pure
from jobs.bureau import require_lead, rules_of, zone
from jobs.models import Cheque, ChequeHolder, ChequePurchase, ChequeUse, Hours, JobRequest, Pricing
from jobs.selectors.cheques import holder_of

MAX_PER_PURCHASE = 500


def _require_cheques(programme: Programme) -> None:
    if rules_of(programme).pricing != Pricing.PER_STARTED_HOUR:
        raise ValidationError(
            _("This bureau asks a fixed price per service: its users pay without cheques.")
        )


@transaction.atomic
def cheque_holder_create(
    *, acting: Acting, programme: Programme, kind: str, name: str, household: Any = None
) -> ChequeHolder:
    require_lead(acting, programme, "job.request")
    _require_cheques(programme)
    if kind not in ChequeHolder.Kind.values:
        raise ValidationError({"kind": _("Choose a resident or an organisation.")})
    if not name.strip():
        raise ValidationError({"name": _("Give the name of the cheque user.")})
    if household is not None:
        from households.models import Household  # the one read of households here

        if not scoped(Household, acting).filter(pk=household.pk).exists():
            raise ValidationError({"household": _("Choose a household your organisation sees.")})
    holder = ChequeHolder.objects.create(
        programme=programme, kind=kind, name=name.strip()[:120], household=household
    )
    audit_record(
        acting=acting, action="create", subject=f"cheque user {holder.pk}", household=household
    )
    return holder


@transaction.atomic
def cheques_buy(
    *,
    acting: Acting,
    holder: ChequeHolder,
    quantity: int,
    bought_on: date | None = None,
    price_each: Decimal | None = None,
) -> ChequePurchase:
    """Cheques sold to a user; each one valid for the programme's cheque validity."""
    programme = holder.programme
    require_lead(acting, programme, "job.request")
    _require_cheques(programme)
    rules = rules_of(programme)
    today = local_today(programme.lead_organisation)
    bought_on = bought_on or today
    check_date_range(bought_on, field="bought_on", earliest=EARLIEST_DATE, latest=today)
    if not 1 <= quantity <= MAX_PER_PURCHASE:
        raise ValidationError(
            {"quantity": _("Sell from 1 to %(most)s cheques at a time.") % {"most": 500}}
        )
    price = rules.price_per_hour if price_each is None else price_each
    if price < 0:
        raise ValidationError({"price_each": _("A price cannot be negative.")})
    purchase = ChequePurchase.objects.create(
        holder=holder,
        bought_on=bought_on,
        quantity=quantity,
        price_each=price,
        valid_until=pure.cheque_valid_until(bought_on, rules.cheque_validity_months),
        recorded_by_id=acting.user_id,
    )
    Cheque.objects.bulk_create(Cheque(purchase=purchase, number=n) for n in range(1, quantity + 1))
    audit_record(
        acting=acting,
        action="create",
        subject=f"cheque purchase {purchase.pk}: {quantity}",
        household=holder.household,
    )
    return purchase


@transaction.atomic
def request_cheque_holder_set(
    *, acting: Acting, request: JobRequest, holder: ChequeHolder | None
) -> JobRequest:
    """Who pays this job with cheques (None: the household's cheque user, if any)."""
    require_lead(acting, request.programme, "job.request")
    if holder is not None and holder.programme_id != request.programme_id:
        raise ValidationError({"cheque_holder": _("Choose a cheque user of this bureau.")})
    request.cheque_holder = holder
    request.save(update_fields=["cheque_holder"])
    return request


def cheques_spend(hours: Hours) -> int:
    """Spend the approved hours' cheques, oldest first, only cheques still valid on the day
    of the work; returns how many were spent (fewer than needed: the rest is short)."""
    request = hours.request
    if request is None or rules_of(request.programme).pricing != Pricing.PER_STARTED_HOUR:
        return 0
    holder = holder_of(request)
    if holder is None:
        return 0
    # One spending at a time per cheque user: a second approval waiting on the cheques it
    # chose would otherwise pick the same ones again (its snapshot predates the first's uses)
    # and fail on the unique constraint instead of taking the next cheques.
    ChequeHolder.objects.select_for_update().filter(pk=holder.pk).first()
    needed = pure.cheques(hours.minutes) - hours.cheque_uses.count()
    if needed <= 0:
        return 0
    day = hours.starts_at.astimezone(zone(request.programme)).date()
    valid = (
        Cheque.objects.select_for_update(of=("self",))
        .filter(purchase__holder=holder, use__isnull=True)
        .filter(Q(purchase__valid_until__isnull=True) | Q(purchase__valid_until__gte=day))
        .values_list("purchase__valid_until", "pk")
    )
    chosen = pure.spend_plan(needed, list(valid))
    ChequeUse.objects.bulk_create(ChequeUse(cheque_id=pk, hours=hours) for pk in chosen)
    return len(chosen)
