"""Writes of applications: applying for an appliance (the maximum per household counts waiting
applications and running contracts), priority with a written reason, cancelling.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import Programme
from core.services import audit_record
from core.tenancy import Acting, scoped
from households.models import Enrolment, Household
from rentals.models import (
    Application,
    Offer,
)
from rentals.pure.savings import LABEL_CLASSES
from rentals.selectors.applications import appliances_in_use
from rentals.selectors.catalogue import scheme_for
from rentals.services.common import Action, require_lead, require_rental


@transaction.atomic
def application_create(
    *,
    acting: Acting,
    household: Household,
    programme: Programme,
    category: str,
    has_old_appliance: bool = True,
    old_age_band: str = "unknown",
    old_label: str = "",
    old_label_scale: str = "",
    old_measured_kwh: Decimal | None = None,
) -> Application:
    acting.require("household.change")
    if not scoped(Household, acting).filter(pk=household.pk).exists():
        raise PermissionDenied
    require_rental(programme)
    scheme = scheme_for(programme)
    if not Enrolment.objects.filter(
        household=household, programme=programme, status=Enrolment.Status.ENROLLED
    ).exists():
        raise ValidationError(
            {"household": _("Enrol the household in the programme before it applies.")}
        )
    if not Offer.objects.filter(programme=programme, category=category).exists():
        raise ValidationError({"category": _("The programme does not rent this appliance.")})
    Household.objects.select_for_update().filter(pk=household.pk).first()  # serialise per household
    if appliances_in_use(household, programme) >= scheme.max_appliances:
        raise ValidationError(
            {
                "category": _("This household already has the maximum of %(max)s appliances.")
                % {"max": scheme.max_appliances}
            }
        )
    _check_old_label(old_label, old_label_scale)
    application = Application(
        household=household,
        programme=programme,
        category=category,
        has_old_appliance=has_old_appliance,
        old_age_band=old_age_band,
        old_label=(old_label or "").strip().upper(),
        old_label_scale=old_label_scale,
        old_measured_kwh=old_measured_kwh,
        created_by_id=acting.user_id,
    )
    application.full_clean()
    application.save()
    audit_record(
        acting=acting,
        action=Action.CHANGE,
        household=household,
        subject=f"household {household.reference}: applied for {category}",
    )
    return application


def _check_old_label(label: str, scale: str) -> None:
    """A label is only useful with its scale: A to D exist on both."""

    label = (label or "").strip().upper()
    if not label:
        return
    if scale not in LABEL_CLASSES:
        raise ValidationError({"old_label_scale": _("Say which label scale the label is on.")})
    if label not in LABEL_CLASSES[scale]:
        raise ValidationError(
            {"old_label": _("“%(label)s” is not a class of this label scale.") % {"label": label}}
        )


@transaction.atomic
def application_prioritise(*, acting: Acting, application: Application, reason: str) -> Application:
    """A coordinator moves an application to the front of the waiting list, with a reason."""
    require_lead(acting, application.programme)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the priority.")})
    application.priority = True
    application.priority_reason = reason
    application.priority_by_id = acting.user_id
    application.save(update_fields=["priority", "priority_reason", "priority_by"])
    return application


@transaction.atomic
def application_cancel(*, acting: Acting, application: Application) -> Application:
    acting.require("household.change")
    if not scoped(Application, acting).filter(pk=application.pk).exists():
        raise PermissionDenied
    if application.status != Application.Status.WAITING:
        raise ValidationError(_("Only a waiting application can be cancelled."))
    application.status = Application.Status.CANCELLED
    application.save(update_fields=["status"])
    return application
