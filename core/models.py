import datetime
import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Country(models.TextChoices):
    BE = "BE", _("Belgium")
    NL = "NL", _("Netherlands")


class Language(models.TextChoices):
    NL = "nl", _("Dutch")
    FR = "fr", _("French")
    EN = "en", _("English")


class TimeZone(models.TextChoices):
    BRUSSELS = "Europe/Brussels", _("Brussels")
    AMSTERDAM = "Europe/Amsterdam", _("Amsterdam")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COMMUNITY = "community", _("Community organisation")
        WELFARE_OFFICE = "welfare_office", _("Welfare office")
        MUNICIPALITY = "municipality", _("Municipality")
        SUPPLIER = "supplier", _("Supplier")
        COOPERATIVE = "cooperative", _("Cooperative")
        EMPLOYMENT_SERVICE = "employment_service", _("Employment service")

    tenant_paths: ClassVar[tuple[str, ...]] = ("pk",)

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.NL
    )
    time_zone = models.CharField(
        _("time zone"), max_length=40, choices=TimeZone.choices, default=TimeZone.BRUSSELS
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    enterprise_number = models.CharField(_("enterprise or KvK number"), max_length=20, blank=True)
    # Needed only by an organisation that collects by SEPA direct debit.
    sepa_creditor_id = models.CharField(_("SEPA creditor identifier"), max_length=35, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(country__in=["BE", "NL"]), name="organisation_country_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organisation admin")
    COORDINATOR = "coordinator", _("Coordinator")
    INTAKE_WORKER = "intake_worker", _("Intake worker")
    TECHNICIAN = "technician", _("Technician")
    JOB_COACH = "job_coach", _("Job coach")
    NEIGHBOURHOOD_WORKER = "neighbourhood_worker", _("Neighbourhood worker")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A user's role in an organisation; a user may hold several roles in several organisations."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("organisation",)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class Programme(models.Model):
    class Kind(models.TextChoices):
        APPLIANCE_RENTAL = "appliance_rental", _("Appliance rental")
        JOB_BUREAU = "job_bureau", _("Job bureau")
        ENERGY_SHARING = "energy_sharing", _("Energy sharing")

    tenant_paths: ClassVar[tuple[str, ...]] = ("lead_organisation", "partners__organisation")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="led_programmes",
        verbose_name=_("lead organisation"),
    )
    description = models.TextField(_("description"), blank=True)
    # Which facts make a household eligible; see core/eligibility.py for the format.
    eligibility_rules = models.JSONField(_("eligibility rules"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    def tariff_on(self, day: datetime.date) -> "Tariff | None":
        """The tariff valid on a day: the latest one that started on or before it."""
        return self.tariffs.filter(valid_from__lte=day).order_by("-valid_from").first()


class ProgrammePartner(models.Model):
    class Role(models.TextChoices):
        REFERRER = "referrer", _("Referrer")
        COLLECTOR = "collector", _("Collector")
        SUPPLIER = "supplier", _("Supplier")

    tenant_paths: ClassVar[tuple[str, ...]] = (
        "programme__lead_organisation",
        "programme__partners__organisation",
    )

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships"
    )
    role = models.CharField(_("partner role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("programme partner")
        verbose_name_plural = _("programme partners")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation", "role"], name="partner_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class Tariff(models.Model):
    """Prices and factors valid from a date until the next tariff of the programme starts."""

    tenant_paths: ClassVar[tuple[str, ...]] = (
        "programme__lead_organisation",
        "programme__partners__organisation",
    )

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tariffs")
    valid_from = models.DateField(_("valid from"))
    electricity_standard = models.DecimalField(
        _("electricity, standard (EUR/kWh)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
    )
    electricity_social = models.DecimalField(
        _("electricity, social tariff (EUR/kWh)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
    )
    water = models.DecimalField(
        _("water (EUR/m³)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
    )
    co2 = models.DecimalField(
        _("CO₂ (kg/kWh)"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["programme", "-valid_from"]
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "valid_from"], name="tariff_one_per_start_date"
            ),
            models.CheckConstraint(
                condition=Q(electricity_standard__gte=0)
                & Q(electricity_social__gte=0)
                & Q(water__gte=0)
                & Q(co2__gte=0),
                name="tariff_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.valid_from}"


class AuditEvent(models.Model):
    """Who viewed, changed, exported or erased personal data, when, for which organisation."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        ENROL = "enrol", _("enrolled")
        EXPORT = "export", _("exported")
        ERASE = "erase", _("erased")

    tenant_paths: ClassVar[tuple[str, ...]] = ("organisation",)

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audit_events"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # What was touched, without personal data: e.g. "household H7K2M9QX", "fields: phone".
    subject = models.CharField(_("subject"), max_length=200)
    via = models.CharField(_("via"), max_length=10, default="web")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject}"


def api_token_expiry() -> Any:
    """When a token made now expires: WIJK_API_TOKEN_DAYS (default 90) from now."""
    return timezone.now() + timedelta(days=settings.WIJK_API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for the API; it acts for one user in one organisation.

    Only a SHA-256 hash is stored; the token itself is shown once, when it is made. It
    works until `expires_at`, or until it is revoked (core.tokens).
    """

    tenant_paths: ClassVar[tuple[str, ...]] = ("organisation",)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    # What the person calls it ("laptop", "reporting script"), to tell their tokens apart.
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), default=api_token_expiry)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token of {self.user} for {self.organisation}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "wijk_" + secrets.token_urlsafe(32)


class Notification(models.Model):
    """Something a person should know or do, in the app and by e-mail (core.notifications).

    The text is never stored translated: `kind` names a registered message and `params` fill
    it, so each reader sees it in their own language. Params hold no personal data beyond a
    household's reference (the same rule as the audit log's subjects).
    """

    tenant_paths: ClassVar[tuple[str, ...]] = ("organisation",)

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # The organisation the recipient works for when the notification concerns them.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Sending the same thing twice is one notification: e.g. "visit-unassigned:12".
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "organisation", "read_at"], name="notification_inbox"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "organisation", "key"],
                condition=~Q(key=""),
                name="notification_one_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Run(models.Model):
    """Long work done in the background (core.runs): who started what, when, how far it got,
    what came of it, and why it failed, in words for the person who started it.

    At most one run of a kind is queued or running per target (a database constraint): starting
    the same run again while one is active gives the active one (`core.runs.run_start`).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("run status", "waiting")
        RUNNING = "running", pgettext_lazy("run status", "running")
        DONE = "done", pgettext_lazy("run status", "done")
        FAILED = "failed", pgettext_lazy("run status", "failed")

    class Via(models.TextChoices):
        WEB = "web", _("web")
        API = "api", _("API")
        COMMAND = "command", _("command")

    ACTIVE: ClassVar[tuple[str, ...]] = (Status.QUEUED, Status.RUNNING)
    FINISHED: ClassVar[tuple[str, ...]] = (Status.DONE, Status.FAILED)

    tenant_paths: ClassVar[tuple[str, ...]] = ("organisation",)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="runs")
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="runs"
    )
    kind = models.CharField(_("kind"), max_length=80)
    # What makes two runs "the same run" (core.runs.RunKind.target); with the kind it is the
    # key of the one-active-run constraint.
    target_key = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, default=Via.WEB)
    # The language of the person who started it: step labels and errors are written in it.
    language = models.CharField(max_length=10, default="nl")
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Every change of status or progress; a running run that stays unchanged too long is stale.
    updated_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    back_url = models.CharField(max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("run")
        verbose_name_plural = _("runs")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_key"],
                condition=Q(status__in=["queued", "running"]),
                name="run_one_active_per_target",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="run_status_known",
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")),
                name="run_progress_within_total",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["done", "failed"], finished_at__isnull=False)
                | Q(status__in=["queued", "running"], finished_at__isnull=True),
                name="run_finished_when_done_or_failed",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "kind", "-created_at"])]

    # Set by core.runs.run_start: True for a run it made, False when it joined an active one.
    is_new: bool = False

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("run_detail", kwargs={"run_pk": self.pk})

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int | None:
        """How far it got, 0–100; None while the total is not known."""
        if not self.progress_total:
            return 100 if self.status == self.Status.DONE else None
        return self.progress_done * 100 // self.progress_total
