"""Energy sharing: the community of a programme, its participants and their meters, the meter
data (compact: one row per participant and local day holding the quarter-hours as float64
bytes), the imports that wrote it and the monthly allocation results.

Visibility (core.tenancy): everything of a community is visible to the programme's lead
organisation; a household's participation, meter data and results also to the organisation
that registered the household. Partners of the programme see the community's settings only.
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from numpy.typing import NDArray

from core.models import Language, Programme
from sharing.pure.allocation import Key
from sharing.pure.meterdata import ean_is_valid

LEAD = "community__programme__lead_organisation"


def validate_ean(value: str) -> None:
    if value and not ean_is_valid(value):
        raise ValidationError(
            _("“%(ean)s” is not a valid EAN: 18 digits with a check digit."),
            params={"ean": value},
            code="bad_ean",
        )


def floats(data: "bytes | memoryview") -> NDArray[np.float64]:
    return np.frombuffer(bytes(data), dtype=np.float64)


class KeyPreset(models.TextChoices):
    FIXED = "fixed", _("Fixed percentages")
    RELATIVE = "relative", _("Relative (fixed, then pro rata)")
    OPTIMAL = "optimal", _("Optimal (fixed, unused shares passed on)")
    PRO_RATA = "pro_rata", _("Pro rata to consumption")
    EQUAL = "equal", _("Equal shares")
    SOCIAL_PRIORITY = "social_priority", _("Social priority (vulnerable participants first)")


def key_for(preset: str, percentages: list[float], social_cap: float) -> Key:
    """The engine's key for a preset; percentages are shares in [0, 1] in participant order."""
    if preset == KeyPreset.FIXED:
        return Key.fixed(percentages)
    if preset == KeyPreset.RELATIVE:
        return Key.relative(percentages)
    if preset == KeyPreset.OPTIMAL:
        return Key.optimal(percentages)
    if preset == KeyPreset.PRO_RATA:
        return Key.pro_rata()
    if preset == KeyPreset.EQUAL:
        return Key.equal()
    if preset == KeyPreset.SOCIAL_PRIORITY:
        return Key.social_priority(social_cap)
    raise ValueError(preset)


class Community(models.Model):
    """The energy-sharing settings of one programme (kind energy_sharing)."""

    tenant_paths: ClassVar[tuple[str, ...]] = (
        "programme__lead_organisation",
        "programme__partners__organisation",
    )

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="sharing_community"
    )
    sharing_price = models.DecimalField(
        _("sharing price (EUR/kWh)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
    )
    supplier_price = models.DecimalField(
        _("supplier price (EUR/kWh)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("What a participant pays its supplier for a kWh from the grid."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("energy community")
        verbose_name_plural = _("energy communities")
        constraints = [
            models.CheckConstraint(
                condition=Q(sharing_price__gte=0) & Q(supplier_price__gte=0),
                name="sharing_community_prices_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="sharing_community_location_on_earth",
            ),
        ]

    def __str__(self) -> str:
        return str(self.programme)

    def key_on(self, day: date) -> "KeyChoice | None":
        """The key valid on a day: the latest one chosen from that day or before."""
        return self.keys.filter(valid_from__lte=day).order_by("-valid_from").first()


class KeyChoice(models.Model):
    """The community's key from a date on, until the next choice starts."""

    tenant_paths: ClassVar[tuple[str, ...]] = (
        "community__programme__lead_organisation",
        "community__programme__partners__organisation",
    )

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="keys")
    valid_from = models.DateField(_("valid from"))
    preset = models.CharField(_("key"), max_length=20, choices=KeyPreset.choices)
    social_cap = models.DecimalField(
        _("vulnerable participants' first share of their demand"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.500"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Only for the social-priority key: 0.5 means half their consumption."),
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["community", "-valid_from"]
        verbose_name = _("allocation key")
        verbose_name_plural = _("allocation keys")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "valid_from"], name="sharing_key_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(social_cap__gte=0, social_cap__lte=1),
                name="sharing_key_social_cap_share",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_preset_display()} ({self.valid_from})"


class Participant(models.Model):
    class Kind(models.TextChoices):
        HOUSEHOLD = "household", _("Household")
        ORGANISATION = "organisation", _("Organisation")

    class ParticipantRole(models.TextChoices):
        PRODUCER = "producer", _("Producer")
        CONSUMER = "consumer", _("Consumer")
        BOTH = "both", _("Producer and consumer")

    tenant_paths: ClassVar[tuple[str, ...]] = (LEAD, "household__organisation")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sharing_participations",
        verbose_name=_("household"),
    )
    # An organisation taking part (a school, a shop): its name; empty for a household.
    name = models.CharField(_("name"), max_length=200, blank=True)
    # The language of an organisation's statements; a household's are in its own language.
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.NL
    )
    ean = models.CharField(
        _("EAN"),
        max_length=18,
        blank=True,
        validators=[validate_ean],
        help_text=_("The 18 digits of the connection, starting with 54."),
    )
    role = models.CharField(_("role"), max_length=10, choices=ParticipantRole.choices)
    vulnerable = models.BooleanField(
        _("vulnerable"), default=False, help_text=_("For example entitled to the social tariff.")
    )
    key_percentage = models.DecimalField(
        _("key percentage"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Its share in the fixed, relative and optimal keys."),
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["community", "kind", "name", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "ean"],
                condition=~Q(ean=""),
                name="sharing_participant_unique_ean",
            ),
            models.UniqueConstraint(
                fields=["community", "household"],
                condition=Q(household__isnull=False),
                name="sharing_participant_household_once",
            ),
            models.CheckConstraint(
                condition=(Q(kind="household") & Q(household__isnull=False))
                | (Q(kind="organisation") & Q(household__isnull=True) & ~Q(name="")),
                name="sharing_participant_household_or_organisation",
            ),
            models.CheckConstraint(
                condition=Q(key_percentage__gte=0, key_percentage__lte=100),
                name="sharing_participant_key_percentage",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="sharing_participant_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.household_id is not None:
            household = self.household
            if household is None:
                return ""
            if household.erased_at is None:
                return f"{household.first_name} {household.last_name}".strip()
            return str(_("Household %(reference)s") % {"reference": household.reference})
        return self.name

    @property
    def programme(self) -> Programme:
        return self.community.programme

    @property
    def statement_language(self) -> str:
        if self.household is not None and self.household.language:
            return str(self.household.language)
        return self.language

    @property
    def produces(self) -> bool:
        return self.role in (self.ParticipantRole.PRODUCER, self.ParticipantRole.BOTH)

    @property
    def consumes(self) -> bool:
        return self.role in (self.ParticipantRole.CONSUMER, self.ParticipantRole.BOTH)

    def takes_part_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


class PvInstallation(models.Model):
    tenant_paths: ClassVar[tuple[str, ...]] = (
        "participant__community__programme__lead_organisation",
        "participant__household__organisation",
    )

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="pv_installations"
    )
    kwp = models.DecimalField(
        _("peak power (kWp)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    azimuth = models.PositiveSmallIntegerField(
        _("orientation (degrees)"),
        default=180,
        validators=[MaxValueValidator(359)],
        help_text=_("The direction the panels face: 90 east, 180 south, 270 west."),
    )
    tilt = models.PositiveSmallIntegerField(
        _("tilt (degrees)"),
        default=30,
        validators=[MaxValueValidator(90)],
        help_text=_("0 is flat, 90 is upright."),
    )
    commissioned_on = models.DateField(_("in service since"))

    class Meta:
        ordering = ["participant", "commissioned_on", "pk"]
        verbose_name = _("PV installation")
        verbose_name_plural = _("PV installations")
        constraints = [
            models.CheckConstraint(condition=Q(kwp__gt=0), name="sharing_pv_kwp_positive"),
            models.CheckConstraint(
                condition=Q(azimuth__lte=359) & Q(tilt__lte=90), name="sharing_pv_angles"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kwp} kWp"


class MeterImport(models.Model):
    """One imported meter-data file; its hash refuses the same file twice."""

    tenant_paths: ClassVar[tuple[str, ...]] = (LEAD,)

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    lines = models.PositiveIntegerField(_("lines"))
    eans = models.PositiveIntegerField(_("EANs"))
    days = models.PositiveIntegerField(_("days"))
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("meter-data import")
        verbose_name_plural = _("meter-data imports")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "sha256"], name="sharing_import_file_once"
            ),
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="sharing_import_days_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.filename


class MeterUpload(models.Model):
    """A meter-data file waiting for its import run (sharing/runs.py): compressed, in the
    database (private: no URL serves it, and every web server and worker reads it), deleted
    by the run when it ends, whatever came of it. Only the import it became is kept."""

    tenant_paths: ClassVar[tuple[str, ...]] = (LEAD,)

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="uploads")
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content = models.BinaryField(help_text="zlib-compressed file")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("meter-data upload")
        verbose_name_plural = _("meter-data uploads")

    def __str__(self) -> str:
        return self.filename


class MeterDay(models.Model):
    """A participant's quarter-hours of one local day (92, 96 or 100 of them), in kWh, as
    float64 bytes in time order from the day's local midnight."""

    tenant_paths: ClassVar[tuple[str, ...]] = (
        "participant__community__programme__lead_organisation",
        "participant__household__organisation",
    )

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="meter_days"
    )
    day = models.DateField(_("day"))
    quarter_hours = models.PositiveSmallIntegerField()
    offtake = models.BinaryField()
    injection = models.BinaryField()
    # One byte per quarter-hour: 1 when a file had a line for it.
    present = models.BinaryField()
    offtake_kwh = models.FloatField(_("offtake (kWh)"))
    injection_kwh = models.FloatField(_("injection (kWh)"))
    meter_import = models.ForeignKey(
        MeterImport, on_delete=models.PROTECT, related_name="meter_days"
    )

    class Meta:
        ordering = ["participant", "day"]
        verbose_name = _("meter day")
        verbose_name_plural = _("meter days")
        constraints = [
            models.UniqueConstraint(fields=["participant", "day"], name="sharing_meter_day_once"),
            models.CheckConstraint(
                condition=Q(quarter_hours__in=[92, 96, 100]), name="sharing_meter_day_length"
            ),
            models.CheckConstraint(
                condition=Q(offtake_kwh__gte=0) & Q(injection_kwh__gte=0),
                name="sharing_meter_day_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.day}"


class AllocationRun(models.Model):
    """The allocation of one community month; running it again replaces its results."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    tenant_paths: ClassVar[tuple[str, ...]] = (LEAD,)

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="runs")
    month = models.DateField(_("month"))  # its first day
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    keys = models.CharField(_("keys"), max_length=200, blank=True)
    quarter_hours = models.PositiveIntegerField(default=0)
    days_with_data = models.PositiveIntegerField(default=0)
    # The whole community per quarter-hour of the month, float64 bytes (for the dashboard).
    pool = models.BinaryField(default=b"")
    shared = models.BinaryField(default=b"")
    offtake = models.BinaryField(default=b"")
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ran_at = models.DateTimeField(default=timezone.now)
    times_run = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["community", "-month"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="sharing_run_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="sharing_run_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.month:%Y-%m}"


class MonthResult(models.Model):
    """A participant's totals of one allocation run, in kWh."""

    tenant_paths: ClassVar[tuple[str, ...]] = (
        "participant__community__programme__lead_organisation",
        "participant__household__organisation",
    )

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="results")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="month_results"
    )
    offtake = models.FloatField(_("offtake (kWh)"))
    injection = models.FloatField(_("injection (kWh)"))
    received = models.FloatField(_("received (kWh)"))
    given_back = models.FloatField(_("given back (kWh)"))
    shared_injection = models.FloatField(_("shared (kWh)"))

    class Meta:
        ordering = ["run", "participant"]
        verbose_name = _("month result")
        verbose_name_plural = _("month results")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "participant"], name="sharing_result_once_per_run"
            ),
            models.CheckConstraint(
                condition=Q(offtake__gte=0)
                & Q(injection__gte=0)
                & Q(received__gte=0)
                & Q(given_back__gte=0)
                & Q(shared_injection__gte=0),
                name="sharing_result_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.participant_id}"

    @property
    def self_sufficiency(self) -> float | None:
        """The share of its consumption that came from the community."""
        return self.received / self.offtake if self.offtake > 0 else None


class Flow(models.Model):
    """kWh one producer gave one receiver in a run's month."""

    tenant_paths: ClassVar[tuple[str, ...]] = (
        "run__community__programme__lead_organisation",
        "receiver__household__organisation",
    )

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="flows")
    producer = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="flows_out")
    receiver = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="flows_in")
    kwh = models.FloatField()

    class Meta:
        ordering = ["run", "receiver", "-kwh"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "producer", "receiver"], name="sharing_flow_once"
            ),
            models.CheckConstraint(condition=Q(kwh__gt=0), name="sharing_flow_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.producer_id} → {self.receiver_id}: {self.kwh:.3f}"
