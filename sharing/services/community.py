"""Writes of a community's set-up: settings, key, participants and PV installations."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import AuditEvent, Programme
from core.permissions import is_lead
from core.services import audit_record
from core.tenancy import Acting, scoped
from households.models import Enrolment, Household
from sharing.models import Community, KeyChoice, Participant, PvInstallation
from sharing.rules import require_lead

Action = AuditEvent.Action


def _full_clean(record: Any, exclude: list[str] | None = None) -> None:
    record.full_clean(exclude=exclude, validate_constraints=False)


@transaction.atomic
def community_configure(
    *,
    acting: Acting,
    programme: Programme,
    sharing_price: Decimal,
    supplier_price: Decimal,
    latitude: Decimal,
    longitude: Decimal,
) -> Community:
    """Create or change the community settings of an energy-sharing programme."""
    acting.require("sharing.manage")
    if not is_lead(acting, programme):
        raise ValidationError(_("Only the lead organisation of the programme can do this."))
    if programme.kind != Programme.Kind.ENERGY_SHARING:
        raise ValidationError(_("This is not an energy-sharing programme."))
    community = Community.objects.filter(programme=programme).first() or Community(
        programme=programme
    )
    community.sharing_price = sharing_price
    community.supplier_price = supplier_price
    community.latitude = latitude
    community.longitude = longitude
    _full_clean(community, exclude=["programme"])
    community.save()
    return community


@transaction.atomic
def key_choose(
    *,
    acting: Acting,
    community: Community,
    preset: str,
    valid_from: date,
    social_cap: Decimal = Decimal("0.5"),
) -> KeyChoice:
    """The community's key from `valid_from` on (replacing a choice made for that same day)."""
    require_lead(acting, community, "sharing.manage")
    choice = KeyChoice.objects.filter(community=community, valid_from=valid_from).first()
    choice = choice or KeyChoice(community=community, valid_from=valid_from)
    choice.preset = preset
    choice.social_cap = social_cap
    choice.chosen_by_id = acting.user_id
    choice.chosen_at = timezone.now()
    _full_clean(choice, exclude=["community", "chosen_by"])
    choice.save()
    return choice


def _check_percentages(participant: Participant) -> None:
    others = (
        Participant.objects.filter(community=participant.community, left_on__isnull=True)
        .exclude(pk=participant.pk)
        .aggregate(total=Sum("key_percentage"))["total"]
    ) or Decimal("0")
    if participant.left_on is None and others + participant.key_percentage > 100:
        raise ValidationError(
            {
                "key_percentage": _(
                    "The key percentages of the participants would add up to %(total)s %%, "
                    "more than 100 %%."
                )
                % {"total": others + participant.key_percentage}
            }
        )


def _check_dates(participant: Participant) -> None:
    if participant.left_on and participant.left_on < participant.joined_on:
        raise ValidationError({"left_on": _("A participant cannot leave before it joined.")})
    if participant.joined_on.year < 2000:
        raise ValidationError({"joined_on": _("Give a date from 2000 on.")})


def _save_participant(participant: Participant) -> None:
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"ean": _("Another participant of this community has this EAN.")}
        ) from exc


@transaction.atomic
def participant_add(
    *,
    acting: Acting,
    community: Community,
    role: str,
    joined_on: date,
    ean: str = "",
    household: Household | None = None,
    name: str = "",
    language: str = "nl",
    vulnerable: bool = False,
    key_percentage: Decimal = Decimal("0"),
) -> Participant:
    """A household (enrolled in the programme) or an organisation joins the community."""
    require_lead(acting, community, "sharing.manage")
    ean = (ean or "").strip().replace(" ", "").replace(".", "")
    participant = Participant(
        community=community,
        kind=Participant.Kind.HOUSEHOLD if household else Participant.Kind.ORGANISATION,
        household=household,
        name="" if household else (name or "").strip(),
        language=language,
        ean=ean,
        role=role,
        vulnerable=vulnerable,
        key_percentage=key_percentage,
        joined_on=joined_on,
    )
    if household is None and not participant.name:
        raise ValidationError({"name": _("Choose a household or give the organisation's name.")})
    if household is not None:
        if (
            household.erased_at is not None
            or not scoped(Household, acting).filter(pk=household.pk).exists()
        ):
            raise ValidationError({"household": _("This household cannot be chosen.")})
        enrolled = Enrolment.objects.filter(
            household=household,
            programme=community.programme,
            status=Enrolment.Status.ENROLLED,
        ).exists()
        if not enrolled:
            raise ValidationError({"household": _("Enrol the household in the programme first.")})
        if Participant.objects.filter(community=community, household=household).exists():
            raise ValidationError(
                {"household": _("This household already takes part in the community.")}
            )
    if not ean:
        raise ValidationError({"ean": _("Give the EAN of the connection.")})
    _full_clean(participant, exclude=["community", "household"])
    _check_dates(participant)
    _check_percentages(participant)
    _save_participant(participant)
    if household is not None:
        audit_record(
            acting=acting,
            action=Action.CHANGE,
            household=household,
            subject=f"household {household.reference}: joined energy sharing",
        )
    return participant


PARTICIPANT_EDITABLE = ("ean", "role", "vulnerable", "key_percentage", "joined_on", "left_on")


@transaction.atomic
def participant_update(
    *, acting: Acting, participant: Participant, fields: dict[str, Any]
) -> Participant:
    require_lead(acting, participant.community, "sharing.manage")
    unknown = set(fields) - set(PARTICIPANT_EDITABLE) - {"name", "language"}
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(f)s") % {"f": sorted(unknown)})
    if "ean" in fields:
        fields["ean"] = (fields["ean"] or "").strip().replace(" ", "").replace(".", "")
        if not fields["ean"]:
            raise ValidationError({"ean": _("Give the EAN of the connection.")})
    if participant.household_id is not None:
        fields.pop("name", None)
    for name, value in fields.items():
        setattr(participant, name, value)
    _full_clean(participant, exclude=["community", "household"])
    _check_dates(participant)
    _check_percentages(participant)
    _save_participant(participant)
    if participant.household is not None:
        audit_record(
            acting=acting,
            action=Action.CHANGE,
            household=participant.household,
            subject=f"household {participant.household.reference}: energy sharing "
            f"fields {', '.join(sorted(fields))}",
        )
    return participant


@transaction.atomic
def participant_end(*, acting: Acting, participant: Participant, on: date) -> Participant:
    """The participant leaves the community on `on` (its last day)."""
    require_lead(acting, participant.community, "sharing.manage")
    if participant.left_on is not None and participant.left_on <= on:
        raise ValidationError({"on": _("This participant has already left.")})
    if on < participant.joined_on:
        raise ValidationError({"on": _("A participant cannot leave before it joined.")})
    if on > timezone.localdate() + timedelta(days=366):
        raise ValidationError({"on": _("Give a date at most a year ahead.")})
    participant.left_on = on
    participant.save(update_fields=["left_on"])
    if participant.household is not None:
        audit_record(
            acting=acting,
            action=Action.CHANGE,
            household=participant.household,
            subject=f"household {participant.household.reference}: left energy sharing",
        )
    return participant


@transaction.atomic
def pv_add(
    *,
    acting: Acting,
    participant: Participant,
    kwp: Decimal,
    commissioned_on: date,
    azimuth: int = 180,
    tilt: int = 30,
) -> PvInstallation:
    require_lead(acting, participant.community, "sharing.manage")
    if not participant.produces:
        raise ValidationError(_("Only a producer has PV installations: change its role first."))
    installation = PvInstallation(
        participant=participant,
        kwp=kwp,
        commissioned_on=commissioned_on,
        azimuth=azimuth,
        tilt=tilt,
    )
    _full_clean(installation, exclude=["participant"])
    if commissioned_on.year < 1990:
        raise ValidationError({"commissioned_on": _("Give a date from 1990 on.")})
    installation.save()
    return installation
