"""The job bureau's records: programme rules, the service catalogue, requests, workers and
their trajectories, the day plan (assignments), hours and feedback.

Every record leads to the programme's lead organisation (`tenant_paths`): the bureau is run by
the lead; partners see none of it. The rules themselves live in jobs/rules.py (pure) and
jobs/services/ (writes).
"""

import hashlib
import secrets
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.models import Language, Organisation, Programme

LEAD: tuple[str, ...] = ("programme__lead_organisation",)


class Category(models.TextChoices):
    """Activity categories (the Flemish wijk-werken activity list, grouped)."""

    ODD_JOBS = "odd_jobs", _("Odd jobs in and around the house")
    GARDEN = "garden", _("Garden work")
    CLEARING = "clearing", _("Clearing and tidying")
    GRAVE_CARE = "grave_care", _("Grave care")
    MOVING = "moving", _("Help with moving house")
    TRANSPORT = "transport", _("Cargo-bike transport")
    APPLIANCES = "appliances", _("Delivering and collecting appliances")
    ERRANDS = "errands", _("Errands and small administration")


class Skill(models.TextChoices):
    CARRYING = "carrying", _("Lifting and carrying")
    CARGO_BIKE = "cargo_bike", _("Riding a cargo bike")
    DRIVING = "driving", _("Driving a van")
    GARDENING = "gardening", _("Gardening")
    DIY = "diy", _("Odd jobs (DIY)")
    APPLIANCE_INSTALLATION = "appliance_installation", _("Appliance installation")
    CLEANING = "cleaning", _("Cleaning")


class Pricing(models.TextChoices):
    PER_STARTED_HOUR = "per_started_hour", _("One cheque per started hour")
    FIXED = "fixed", _("A fixed price per service")


class Preset(models.TextChoices):
    WIJK_WERKEN = "wijk_werken", _("Flemish wijk-werken")
    NL_VOLUNTEER = "nl_volunteer", _("Dutch volunteer allowance")
    CUSTOM = "custom", _("Own rules")


class ProgrammeRules(models.Model):
    """The rules of one job-bureau programme; see docs/jobs.md for the presets' sources."""

    tenant_paths: ClassVar[tuple[str, ...]] = LEAD

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="job_rules")
    preset = models.CharField(_("preset"), max_length=20, choices=Preset.choices)
    max_hours_month = models.PositiveSmallIntegerField(_("hours a month at most"), null=True)
    max_hours_year = models.PositiveSmallIntegerField(_("hours a year at most"), null=True)
    max_trajectory_months = models.PositiveSmallIntegerField(
        _("months of a trajectory at most"), null=True, blank=True
    )
    pricing = models.CharField(_("price rule"), max_length=20, choices=Pricing.choices)
    price_per_hour = models.DecimalField(
        _("price per started hour"), max_digits=7, decimal_places=2, default=Decimal("0")
    )
    registration_fee = models.DecimalField(
        _("yearly registration fee"), max_digits=7, decimal_places=2, default=Decimal("0")
    )
    cheque_validity_months = models.PositiveSmallIntegerField(
        _("cheque valid for (months)"), null=True, blank=True
    )
    allowance_per_hour = models.DecimalField(
        _("allowance per hour or cheque"), max_digits=7, decimal_places=2, default=Decimal("0")
    )
    km_allowance = models.DecimalField(
        _("allowance per km"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    km_threshold = models.PositiveSmallIntegerField(
        _("km allowance above a round trip of (km)"), default=0
    )
    allowance_cap_month = models.DecimalField(
        _("allowance a month at most"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    allowance_cap_year = models.DecimalField(
        _("allowance a year at most"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    allowed_categories = models.JSONField(_("allowed activity categories"), default=list)
    # Where the bureau keeps its cargo bikes and what it serves.
    depot_lat = models.FloatField(_("bureau latitude"))
    depot_lon = models.FloatField(_("bureau longitude"))
    served_radius_km = models.DecimalField(
        _("served area (km around the bureau)"), max_digits=5, decimal_places=1, default=5
    )
    cargo_bikes = models.PositiveSmallIntegerField(_("cargo bikes"), default=0)
    cargo_bike_capacity = models.PositiveSmallIntegerField(_("cargo bike load"), default=100)
    vans = models.PositiveSmallIntegerField(_("vans"), default=0)
    van_capacity = models.PositiveSmallIntegerField(_("van load"), default=500)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("job bureau rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(price_per_hour__gte=0)
                & Q(registration_fee__gte=0)
                & Q(allowance_per_hour__gte=0)
                & Q(km_allowance__gte=0),
                name="jobs_rules_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(served_radius_km__gt=0), name="jobs_rules_radius_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.get_preset_display()}"


class Service(models.Model):
    """One service of the catalogue."""

    tenant_paths: ClassVar[tuple[str, ...]] = LEAD

    class Needs(models.TextChoices):
        NOTHING = "", _("Nothing special")
        CARGO_BIKE = "cargo_bike", _("A cargo bike")
        VAN = "van", _("A van")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="job_services")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("activity category"), max_length=20, choices=Category.choices)
    fixed_price = models.DecimalField(
        _("fixed price"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    # {"carrying": 1}: skill -> minimum level (1-3)
    required_skills = models.JSONField(_("required skills"), default=dict, blank=True)
    crew_size = models.PositiveSmallIntegerField(
        _("crew size"), default=1, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("expected duration (minutes)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(600)],
    )
    needs = models.CharField(
        _("needs"), max_length=20, choices=Needs.choices, default="", blank=True
    )
    load = models.PositiveSmallIntegerField(_("load"), default=0)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        constraints = [
            models.CheckConstraint(
                condition=Q(crew_size__gte=1) & Q(duration_minutes__gte=15),
                name="jobs_service_crew_and_duration",
            ),
            models.UniqueConstraint(fields=["programme", "name"], name="jobs_service_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


def new_key() -> str:
    return secrets.token_urlsafe(24)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class JobRequest(models.Model):
    """A resident's request for a service."""

    tenant_paths: ClassVar[tuple[str, ...]] = LEAD

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("job request", "New")
        PLANNED = "planned", pgettext_lazy("job request", "Planned")
        DONE = "done", pgettext_lazy("job request", "Done")
        CANCELLED = "cancelled", pgettext_lazy("job request", "Cancelled")
        NO_SHOW = "no_show", pgettext_lazy("job request", "Nobody home")

    class Channel(models.TextChoices):
        STAFF = "staff", _("Phone or desk")
        PUBLIC = "public", _("Public form")
        RENTAL = "rental", _("Rental visit")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="job_requests")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="requests")
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="job_requests",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.NL
    )
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    dropoff_street = models.CharField(_("drop-off: street and number"), max_length=200, blank=True)
    dropoff_postcode = models.CharField(_("drop-off: postcode"), max_length=10, blank=True)
    dropoff_lat = models.FloatField(null=True, blank=True)
    dropoff_lon = models.FloatField(null=True, blank=True)
    preferred_day = models.DateField(_("preferred day"))
    window_start = models.TimeField(_("from"))
    window_end = models.TimeField(_("until"))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    price_estimate = models.DecimalField(_("price estimate"), max_digits=8, decimal_places=2)
    # Why the last planning run left it out (jobs/messages.py turns it into words).
    plan_reason = models.CharField(max_length=40, blank=True)
    plan_params = models.JSONField(default=dict, blank=True)
    feedback_key_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    anonymised = models.BooleanField(default=False)
    # A rental visit handed over through the seam (core/handoffs.py), by id only.
    external_ref = models.CharField(max_length=60, blank=True)
    # Who pays with cheques (wijk-werken); else the household's cheque user, if any.
    cheque_holder = models.ForeignKey(
        "ChequeHolder",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("pays with the cheques of"),
    )

    class Meta:
        ordering = ["preferred_day", "window_start", "pk"]
        verbose_name = _("job request")
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")), name="jobs_request_window_order"
            ),
            models.CheckConstraint(
                condition=Q(price_estimate__gte=0), name="jobs_request_price_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["programme", "preferred_day", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.service}"

    @property
    def reference(self) -> str:
        return f"J{self.pk:06d}"


class Worker(models.Model):
    """A neighbourhood worker in a trajectory."""

    tenant_paths: ClassVar[tuple[str, ...]] = LEAD

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="job_workers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="job_workers",
        verbose_name=_("login"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.NL
    )
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    referred_by = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred by"),
    )
    agreement_start = models.DateField(_("agreement starts"))
    agreement_end = models.DateField(_("agreement ends"))
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coached_workers",
        verbose_name=_("coach"),
    )
    feed_key_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Right to be forgotten (jobs/services/privacy.py): the record stays as "Worker 17" for
    # the hours, allowances and outflow counts; name, postcode, login and feed key are gone.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["first_name", "last_name"]
        verbose_name = _("worker")
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement_end__gte=F("agreement_start")),
                name="jobs_worker_agreement_order",
            ),
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True)
                | Q(
                    first_name="",
                    last_name="",
                    postcode="",
                    user__isnull=True,
                    coach__isnull=True,
                    feed_key_hash="",
                ),
                name="jobs_worker_erased_is_anonymous",
            ),
            models.UniqueConstraint(
                fields=["programme", "user"],
                condition=Q(user__isnull=False),
                name="jobs_worker_one_per_user",
            ),
        ]

    def __str__(self) -> str:
        if self.erased_at:
            return self.anonymous_name
        return f"{self.first_name} {self.last_name}"

    @property
    def anonymous_name(self) -> str:
        """How an erased worker is named on statements, invoices and lists."""
        return gettext("Worker %(number)s") % {"number": self.pk}

    @property
    def short_name(self) -> str:
        """The first name (crews, invoices), or "Worker 17" once erased."""
        return self.anonymous_name if self.erased_at else self.first_name


class WorkerSkill(models.Model):
    tenant_paths: ClassVar[tuple[str, ...]] = ("worker__programme__lead_organisation",)

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="skills")
    skill = models.CharField(_("skill"), max_length=30, choices=Skill.choices)
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )

    class Meta:
        ordering = ["skill"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "skill"], name="jobs_skill_once"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=3), name="jobs_skill_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.skill} {self.level}"


class Availability(models.Model):
    """A weekly availability window (weekday 0 = Monday)."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("worker__programme__lead_organisation",)

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MinValueValidator(0), MaxValueValidator(6)]
    )
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="jobs_availability_order"),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="jobs_availability_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.weekday} {self.start}-{self.end}"


class AvailabilityException(models.Model):
    """A day off (no times) or a day with other hours than usual."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("worker__programme__lead_organisation",)

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="exceptions")
    day = models.DateField(_("day"))
    start = models.TimeField(_("from"), null=True, blank=True)
    end = models.TimeField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__isnull=False, end__gt=F("start")),
                name="jobs_exception_times",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.day}"


class Outcome(models.TextChoices):
    PAID_JOB = "paid_job", _("Paid job")
    TRAINING = "training", _("Training")
    VOLUNTEERING = "volunteering", _("Volunteering")
    STOPPED = "stopped", _("Stopped")
    OTHER = "other", _("Other")


class Trajectory(models.Model):
    """The worker's way towards work: goals, assessments, notes, outcome and follow-up."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("worker__programme__lead_organisation",)

    worker = models.OneToOneField(Worker, on_delete=models.CASCADE, related_name="trajectory")
    goals = models.TextField(_("goals"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(_("ended on"), null=True, blank=True)
    followup_6 = models.CharField(
        _("after 6 months"), max_length=20, choices=Outcome.choices, blank=True
    )
    followup_12 = models.CharField(
        _("after 12 months"), max_length=20, choices=Outcome.choices, blank=True
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome_on__isnull=False),
                name="jobs_trajectory_outcome_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker}"

    @property
    def programme(self) -> Programme:
        return self.worker.programme


class Assessment(models.Model):
    """A competence score (1-5) on a day; the trajectory page charts them over time."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("trajectory__worker__programme__lead_organisation",)

    class Competence(models.TextChoices):
        PUNCTUALITY = "punctuality", _("Punctuality")
        TEAMWORK = "teamwork", _("Working together")
        CUSTOMER = "customer", _("Contact with residents")
        CRAFT = "craft", _("Craft")
        INDEPENDENCE = "independence", _("Working independently")

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="assessments")
    on = models.DateField(_("date"))
    competence = models.CharField(_("competence"), max_length=20, choices=Competence.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["on", "competence"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="jobs_assessment_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trajectory} · {self.on} {self.competence}"


class CoachingNote(models.Model):
    """Restricted: only job coaches of the bureau read them (permission worker.coach)."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("trajectory__worker__programme__lead_organisation",)

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.trajectory} · {self.at:%Y-%m-%d}"


class Assignment(models.Model):
    """One crew place of a planned request: who, from when to when."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("request__programme__lead_organisation",)

    request = models.ForeignKey(JobRequest, on_delete=models.CASCADE, related_name="assignments")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="assignments")
    place = models.PositiveSmallIntegerField(default=0)  # 0: the driver of a bike or van
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    order = models.PositiveSmallIntegerField(default=0)  # in the worker's route
    equipment = models.CharField(max_length=20, blank=True)
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "place"]
        constraints = [
            models.UniqueConstraint(fields=["request", "place"], name="jobs_assignment_place"),
            models.UniqueConstraint(fields=["request", "worker"], name="jobs_assignment_worker"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="jobs_assignment_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.worker}"

    @property
    def programme(self) -> Programme:
        return self.request.programme


class Hours(models.Model):
    """Hours a worker registered for a job; a coach approves them. A worker is never in two
    places at once: on PostgreSQL an exclusion constraint, on SQLite a trigger (migration
    0001), and the service says so in words first."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("worker__programme__lead_organisation",)

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="hours")
    request = models.ForeignKey(
        JobRequest, on_delete=models.PROTECT, related_name="hours", null=True, blank=True
    )
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    minutes = models.PositiveIntegerField()
    km = models.DecimalField(_("km (round trip)"), max_digits=6, decimal_places=1, default=0)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    registered_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("hours")
        verbose_name_plural = _("hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="jobs_hours_order"
            ),
            models.CheckConstraint(condition=Q(km__gte=0), name="jobs_hours_km"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(approved_at__isnull=False),
                name="jobs_hours_approval_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def programme(self) -> Programme:
        return self.worker.programme


class Feedback(models.Model):
    tenant_paths: ClassVar[tuple[str, ...]] = ("request__programme__lead_organisation",)

    class Smiley(models.IntegerChoices):
        SAD = 1, _("Not good")
        NEUTRAL = 2, _("Fine")
        HAPPY = 3, _("Very good")

    request = models.OneToOneField(JobRequest, on_delete=models.CASCADE, related_name="feedback")
    smiley = models.PositiveSmallIntegerField(_("how was it?"), choices=Smiley.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(smiley__gte=1) & Q(smiley__lte=3), name="jobs_feedback_smiley"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.smiley}"

    @property
    def programme(self) -> Programme:
        return self.request.programme


class VisitSource(models.Model):
    """A programme of another organisation whose visits this bureau agreed to take
    (core/handoffs.py). A bureau takes the visits of its own organisation's programmes
    without one."""

    tenant_paths: ClassVar[tuple[str, ...]] = LEAD

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="visit_sources")
    source = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="job_bureau_links",
        verbose_name=_("programme"),
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    agreed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source__name"]
        verbose_name = _("programme whose visits the bureau takes")
        constraints = [
            models.UniqueConstraint(fields=["programme", "source"], name="jobs_visit_source_once"),
            models.CheckConstraint(
                condition=~Q(programme=F("source")), name="jobs_visit_source_other"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} ← {self.source}"


class ChequeHolder(models.Model):
    """Who buys cheques and pays jobs with them: a resident (optionally a registered
    household) or an organisation (a municipality, welfare office, school, non-profit)."""

    tenant_paths: ClassVar[tuple[str, ...]] = LEAD

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        ORGANISATION = "organisation", _("Organisation")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cheque_holders"
    )
    kind = models.CharField(_("who"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="job_cheque_holders",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    anonymised = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("cheque user")

    def __str__(self) -> str:
        return self.name


class ChequePurchase(models.Model):
    """A number of cheques bought on a day, valid until a day (the rule "cheque validity",
    counted from the purchase; no end when the programme sets none)."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("holder__programme__lead_organisation",)

    holder = models.ForeignKey(ChequeHolder, on_delete=models.PROTECT, related_name="purchases")
    bought_on = models.DateField(_("bought on"))
    quantity = models.PositiveSmallIntegerField(_("number of cheques"))
    price_each = models.DecimalField(_("price per cheque"), max_digits=7, decimal_places=2)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["bought_on", "pk"]
        verbose_name = _("cheque purchase")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=500),
                name="jobs_cheque_purchase_quantity",
            ),
            models.CheckConstraint(
                condition=Q(price_each__gte=0), name="jobs_cheque_purchase_price"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("bought_on")),
                name="jobs_cheque_purchase_validity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} · {self.quantity} · {self.bought_on}"


class Cheque(models.Model):
    """One cheque of a purchase (number 1…quantity)."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("purchase__holder__programme__lead_organisation",)

    purchase = models.ForeignKey(ChequePurchase, on_delete=models.CASCADE, related_name="cheques")
    number = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["purchase__valid_until", "purchase__bought_on", "purchase_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["purchase", "number"], name="jobs_cheque_number"),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_id}-{self.number}"


class ChequeUse(models.Model):
    """A cheque spent on approved hours. One use per cheque at most: the one-to-one field is
    a unique constraint in the database, so nothing is spent twice."""

    tenant_paths: ClassVar[tuple[str, ...]] = (
        "cheque__purchase__holder__programme__lead_organisation",
    )

    cheque = models.OneToOneField(Cheque, on_delete=models.PROTECT, related_name="use")
    hours = models.ForeignKey(Hours, on_delete=models.PROTECT, related_name="cheque_uses")
    spent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["spent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.cheque} → {self.hours_id}"
