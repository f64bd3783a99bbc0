"""Requests for a service: by staff, through the public form, or handed over by another
programme; cancelling, no-show and feedback."""

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.models import Programme
from core.services import audit_record
from core.tenancy import Acting
from core.validators import clean_phone, local_today
from jobs import geo, planning
from jobs import rules as pure
from jobs.bureau import minutes_of, require_lead, rules_of
from jobs.models import Feedback, JobRequest, ProgrammeRules, Service, key_hash, new_key
from jobs.services.handback import report_back

DAYS_AHEAD = 90


def price_estimate(*, rules: ProgrammeRules, service: Service) -> Decimal:
    """What the resident will pay: each crew member's started hours, or the fixed price."""
    one = pure.price(
        pricing=rules.pricing,
        minutes=service.duration_minutes,
        price_per_hour=rules.price_per_hour,
        fixed_price=service.fixed_price,
    )
    return one if rules.pricing == "fixed" else one * service.crew_size


def _postcode_centre(
    *, rules: ProgrammeRules, postcode: str, field: str, staff: bool
) -> tuple[float, float]:
    """The postcode's centre. The table covers the bureaus' areas only: a well-formed postcode
    it lacks (9000 Gent for Oostende) is most likely outside the served area, and the message
    says where the bureau works instead of "we do not know" it."""
    organisation = rules.programme.lead_organisation
    country = organisation.country
    if not geo.postcode_well_formed(country, postcode):
        message = (
            _("A Belgian postcode has 4 digits, such as 8400. Check the postcode.")
            if country == "BE"
            else _("A Dutch postcode has 4 digits and 2 letters, such as 6821 AB. Check it.")
        )
        raise ValidationError({field: message})
    centre = geo.postcode_centre(country, postcode)
    if centre is not None:
        return centre
    values = {
        "postcode": postcode.strip(),
        "radius": km_text(rules.served_radius_km),
        "place": organisation.city or organisation.name,
        "phone": organisation.phone,
    }
    if staff:
        message = _(
            "We cannot place postcode %(postcode)s: it is not in the area we serve, %(radius)s "
            "km around %(place)s. If the address is close by all the same, enter its latitude "
            "and longitude (or pick it on the map)."
        )
    elif organisation.phone:
        message = _(
            "We cannot place postcode %(postcode)s: we work only %(radius)s km around "
            "%(place)s. If you live close by all the same, call us at %(phone)s."
        )
    else:
        message = _(
            "We cannot place postcode %(postcode)s: we work only %(radius)s km around "
            "%(place)s. If you live close by all the same, call us."
        )
    raise ValidationError({field: message % values})


def km_text(km: float | Decimal) -> str:
    """A distance in the reader's numbers, one decimal unless whole: "21,4", "6"."""
    tenth = Decimal(str(km)).quantize(Decimal("0.1"))
    return number_format(tenth, 0 if tenth == tenth.to_integral_value() else 1)


def locate(
    *,
    rules: ProgrammeRules,
    postcode: str,
    lat: float | None,
    lon: float | None,
    field: str,
    staff: bool = False,
) -> tuple[float, float]:
    """Coordinates of an address (entered, else the postcode's centre), inside the area.
    `staff`: the one asking can enter coordinates (staff form, API), so an unknown postcode's
    message says how."""
    if lat is None or lon is None:
        lat, lon = _postcode_centre(rules=rules, postcode=postcode, field=field, staff=staff)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError({field: _("These are not coordinates on earth.")})
    depot = planning.Location(rules.depot_lat, rules.depot_lon)
    distance = planning.distance_km(depot, planning.Location(lat, lon))
    if distance > float(rules.served_radius_km):
        raise ValidationError(
            {
                field: _(
                    "Sorry, we do not work at this address: it is %(distance)s km from the "
                    "bureau, and we work up to %(radius)s km away."
                )
                % {
                    # In the reader's numbers: "21,4 km" on Dutch and French pages.
                    "distance": km_text(distance),
                    "radius": km_text(rules.served_radius_km),
                }
            }
        )
    return lat, lon


def _check_when(
    *, programme: Programme, service: Service, day: date, start: time, end: time
) -> None:
    if start.tzinfo is not None or end.tzinfo is not None:  # "12:00+05:00" through the API
        raise ValidationError(
            {"window_start": _("Give the times as the bureau's local time, without a time zone.")}
        )
    today = local_today(programme.lead_organisation)
    errors: dict[str, str] = {}
    if day < today or day > today + timedelta(days=DAYS_AHEAD):
        errors["preferred_day"] = _("Choose a day from today up to %(days)s days ahead.") % {
            "days": DAYS_AHEAD
        }
    if end <= start:
        errors["window_end"] = _("The end of the time window must be after its start.")
    elif minutes_of(end) - minutes_of(start) < service.duration_minutes:
        errors["window_end"] = _(
            "This job takes %(minutes)s minutes: the time window is too short for it."
        ) % {"minutes": service.duration_minutes}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def _create(
    *,
    programme: Programme,
    service: Service,
    channel: str,
    name: str,
    street: str,
    postcode: str,
    preferred_day: date,
    window_start: time,
    window_end: time,
    city: str = "",
    phone: str = "",
    email: str = "",
    language: str = "nl",
    notes: str = "",
    lat: float | None = None,
    lon: float | None = None,
    dropoff_street: str = "",
    dropoff_postcode: str = "",
    dropoff_lat: float | None = None,
    dropoff_lon: float | None = None,
    household: Any = None,
    household_id: int | None = None,
    by: Any = None,
    external_ref: str = "",
    save: bool = True,
) -> JobRequest:
    if service.programme_id != programme.pk or not service.active:
        raise ValidationError({"service": _("Choose a service of this bureau.")})
    rules = rules_of(programme)
    if service.category not in rules.allowed_categories:
        raise ValidationError({"service": _("This service is not offered in this programme.")})
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Tell us your name.")
    if not street.strip():
        errors["street"] = _("Tell us the street and number.")
    if phone:
        try:
            phone = clean_phone(phone, programme.lead_organisation.country)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    if not phone and not email and channel != JobRequest.Channel.RENTAL:
        errors["phone"] = _("Give a phone number or an e-mail address, so we can reach you.")
    # A drop-off address is both or nothing ("We do not know postcode  " said the form).
    if dropoff_street.strip() and not dropoff_postcode.strip():
        errors["dropoff_postcode"] = _("Give the postcode of the address to take things to.")
    elif dropoff_postcode.strip() and not dropoff_street.strip():
        errors["dropoff_street"] = _("Give the street and number to take things to.")
    if errors:
        raise ValidationError(errors)
    _check_when(
        programme=programme, service=service, day=preferred_day, start=window_start, end=window_end
    )
    staff = channel == JobRequest.Channel.STAFF  # staff form and API: coordinates can be given
    lat, lon = locate(
        rules=rules, postcode=postcode, lat=lat, lon=lon, field="postcode", staff=staff
    )
    drop: tuple[float | None, float | None] = (None, None)
    if (dropoff_lat is not None or dropoff_lon is not None) and not dropoff_street.strip():
        raise ValidationError(
            {"dropoff_street": _("Give the street and number of the drop-off too.")}
        )
    if dropoff_postcode or dropoff_street:
        drop = locate(
            rules=rules,
            postcode=dropoff_postcode,
            lat=dropoff_lat,
            lon=dropoff_lon,
            field="dropoff_postcode",
            staff=staff,
        )
    job = JobRequest(
        programme=programme,
        service=service,
        household=household,
        channel=channel,
        name=name.strip(),
        phone=phone,
        email=email,
        language=language,
        street=street.strip(),
        postcode=postcode.strip(),
        city=city.strip(),
        lat=lat,
        lon=lon,
        dropoff_street=dropoff_street.strip(),
        dropoff_postcode=dropoff_postcode.strip(),
        dropoff_lat=drop[0],
        dropoff_lon=drop[1],
        preferred_day=preferred_day,
        window_start=window_start,
        window_end=window_end,
        notes=notes,
        price_estimate=price_estimate(rules=rules, service=service),
        created_by=by,
        external_ref=external_ref,
    )
    if household_id is not None:
        job.household_id = household_id
    if save:
        job.save()
    return job


def request_create(*, acting: Acting, programme: Programme, **fields: Any) -> JobRequest:
    """A request taken by staff (phone, desk), optionally for a registered household."""
    require_lead(acting, programme, "job.request")
    household = fields.get("household")
    if household is not None:
        from core.tenancy import scoped
        from households.models import Household

        if not scoped(Household, acting).filter(pk=household.pk).exists():
            raise ValidationError({"household": _("Choose a household your organisation sees.")})
    request = _create(
        programme=programme, channel=JobRequest.Channel.STAFF, by=acting.user, **fields
    )
    audit_record(
        acting=acting,
        action="create",
        subject=f"job request {request.reference}",
        household=household,
    )
    return request


def request_preview_public(*, programme: Programme, **fields: Any) -> JobRequest:
    """Every check of the public form, and the price estimate, without saving anything: the
    resident sees the price before confirming."""
    if programme.kind != Programme.Kind.JOB_BUREAU or not programme.active:
        raise ValidationError(_("This bureau takes no requests."))
    return _create(programme=programme, channel=JobRequest.Channel.PUBLIC, save=False, **fields)


def request_submit_public(*, programme: Programme, **fields: Any) -> tuple[JobRequest, str]:
    """A resident's request through the public form; returns the request and the secret
    key of its feedback link (only a hash is kept)."""
    if programme.kind != Programme.Kind.JOB_BUREAU or not programme.active:
        raise ValidationError(_("This bureau takes no requests."))
    key = new_key()
    request = _create(programme=programme, channel=JobRequest.Channel.PUBLIC, **fields)
    request.feedback_key_hash = key_hash(key)
    request.save(update_fields=["feedback_key_hash"])
    return request, key


def _close(*, acting: Acting, request: JobRequest, status: str) -> JobRequest:
    require_lead(acting, request.programme, "job.plan")
    if request.status not in (JobRequest.Status.NEW, JobRequest.Status.PLANNED):
        raise ValidationError(_("This request is already closed."))
    request.assignments.all().delete()
    request.status = status
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    audit_record(
        acting=acting, action="change", subject=f"job request {request.reference}: {status}"
    )
    report_back(request)
    return request


@transaction.atomic
def request_cancel(*, acting: Acting, request: JobRequest) -> JobRequest:
    return _close(acting=acting, request=request, status=JobRequest.Status.CANCELLED)


@transaction.atomic
def request_no_show(*, acting: Acting, request: JobRequest) -> JobRequest:
    if request.preferred_day > local_today(request.programme.lead_organisation):
        raise ValidationError(_("Nobody can be missed before the day of the job."))
    return _close(acting=acting, request=request, status=JobRequest.Status.NO_SHOW)


def _feedback(request: JobRequest, smiley: int, comment: str) -> Feedback:
    if request.status != JobRequest.Status.DONE:
        raise ValidationError(_("You can tell us how it went once the job is done."))
    if smiley not in Feedback.Smiley.values:
        raise ValidationError({"smiley": _("Choose one of the three faces.")})
    feedback, _created = Feedback.objects.update_or_create(
        request=request, defaults={"smiley": smiley, "comment": comment[:2000]}
    )
    return feedback


@transaction.atomic
def feedback_give(*, key: str, smiley: int, comment: str = "") -> Feedback:
    """The resident's own feedback, through the secret link of the request."""
    request = JobRequest.objects.filter(feedback_key_hash=key_hash(key), anonymised=False).first()
    if request is None or not key:
        raise PermissionDenied("unknown feedback link")
    return _feedback(request, smiley, comment)


@transaction.atomic
def feedback_record(
    *, acting: Acting, request: JobRequest, smiley: int, comment: str = ""
) -> Feedback:
    """Feedback a resident gave by phone or at the door, written down by staff."""
    require_lead(acting, request.programme, "job.request")
    return _feedback(request, smiley, comment)
