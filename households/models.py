import secrets
import unicodedata
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from core.models import Country, Language, Organisation, Programme

# Readable references: no 0/O, 1/I/L, so they survive being read over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    return "H" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(7))


def enrolled_in_lead(prefix: str = "") -> tuple[str, dict[str, list[str]]]:
    """The tenancy path to the lead organisation of the programmes a household is (or was)
    enrolled in; a refused application does not show a household to the lead."""
    return (
        f"{prefix}enrolments__programme__lead_organisation",
        {f"{prefix}enrolments__status__in": ["enrolled", "ended"]},
    )


def fold(text: str) -> str:
    """Lower case without accents or spaces, for search and duplicate detection."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if c.isalnum()).lower()


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    SMS = "sms", _("Text message (SMS)")
    EMAIL = "email", _("E-mail")


class DebtSupport(models.TextChoices):
    NONE = "none", _("None")
    BUDGET_MANAGEMENT = "budget_management", _("Budget management")
    DEBT_SETTLEMENT = "debt_settlement", _("Collective debt settlement")


class HouseholdQuerySet(models.QuerySet["Household"]):
    def active(self) -> "HouseholdQuerySet":
        return self.filter(erased_at__isnull=True)

    def search(self, text: str) -> "HouseholdQuerySet":
        """Households matching every word in their name, address, postcode or reference."""
        qs = self
        for word in (text or "").split()[:6]:
            # search_text holds name, address, postcode and reference, folded; one indexed
            # column (a trigram index on PostgreSQL) answers every word.
            qs = qs.filter(search_text__contains=fold(word))
        return qs


class Household(models.Model):
    """A household in the shared registry, registered by one organisation.

    Personal data is minimised: the contact person's name and birth year (never a birth date),
    an address, the channel to reach them and the facts that eligibility rules need.
    """

    tenant_paths: ClassVar[tuple] = ("organisation", enrolled_in_lead())

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("registered by"),
    )
    reference = models.CharField(_("reference"), max_length=12, unique=True, default=new_reference)
    # Made by `manage.py demo_data`: the demo loaders only ever touch their own households,
    # never ones registered by hand in the same database.
    demo = models.BooleanField(default=False, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    street = models.CharField(_("street"), max_length=200)
    house_number = models.CharField(_("house number"), max_length=10)
    box = models.CharField(_("box"), max_length=10, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, db_index=True)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    contact_channel = models.CharField(
        _("preferred contact"), max_length=10, choices=ContactChannel.choices
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    size = models.PositiveSmallIntegerField(
        _("household size"), default=1, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    social_tariff = models.BooleanField(_("entitled to the social energy tariff"), default=False)
    welfare_client = models.BooleanField(_("client of the welfare office"), default=False)
    debt_support = models.CharField(
        _("budget management or debt settlement"),
        max_length=20,
        choices=DebtSupport.choices,
        default=DebtSupport.NONE,
    )
    net_monthly_income = models.DecimalField(
        _("net monthly income (EUR)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # Folded name, address and reference, kept up to date by the services for fast search.
    search_text = models.CharField(max_length=600, editable=False, db_index=True)
    # Folded name and address: the same household registered twice by one organisation.
    duplicate_key = models.CharField(max_length=400, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "duplicate_key"],
                condition=Q(erased_at__isnull=True),
                name="household_unique_per_organisation",
            ),
            models.CheckConstraint(condition=Q(size__gte=1), name="household_size_positive"),
            models.CheckConstraint(
                condition=Q(net_monthly_income__isnull=True) | Q(net_monthly_income__gte=0),
                name="household_income_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(country__in=["BE", "NL"]), name="household_country_known"
            ),
        ]

    def __str__(self) -> str:
        if self.erased_at:
            return str(_("Erased household %(reference)s") % {"reference": self.reference})
        return f"{self.first_name} {self.last_name}"

    @property
    def name(self) -> str:
        return str(self)

    @property
    def street_line(self) -> str:
        """Street, number and box; the box gets its own word ("bus" in Dutch): a bare "54 8"
        reads as one number."""
        if not self.street:
            return ""
        if self.box:
            return pgettext("address", "%(street)s %(number)s box %(box)s") % {
                "street": self.street,
                "number": self.house_number,
                "box": self.box,
            }
        return f"{self.street} {self.house_number}".strip()

    @property
    def address_line(self) -> str:
        place = f"{self.postcode} {self.city}".strip()
        return ", ".join(part for part in (self.street_line, place) if part)

    def refresh_keys(self) -> None:
        self.duplicate_key = "|".join(
            fold(part)
            for part in (self.last_name, self.postcode, self.street, self.house_number, self.box)
        )
        self.search_text = " ".join(
            fold(part)
            for part in (
                self.first_name,
                self.last_name,
                self.street,
                self.city,
                self.postcode,
                self.reference,
            )
        )

    def facts(self) -> dict:
        """The eligibility facts, as plain values for core.eligibility."""
        return {
            "social_tariff": self.social_tariff,
            "welfare_client": self.welfare_client,
            "debt_support": self.debt_support,
            "net_monthly_income": self.net_monthly_income,
            "size": self.size,
            "postcode": self.postcode,
        }


class Consent(models.Model):
    class Purpose(models.TextChoices):
        PROGRAMME = "programme", _("Taking part in a programme")
        CONTACT = "contact", _("Being contacted about programmes")
        PARTNER_SHARING = "partner_sharing", _("Sharing data with partner organisations")
        ENERGY_DATA = "energy_data", _("Using meter data for energy sharing")

    tenant_paths: ClassVar[tuple] = ("household__organisation", enrolled_in_lead("household__"))

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.given_on})"


class RestrictedNote(models.Model):
    """A social worker's note; only the organisation that wrote it can read it."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("organisation",)

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="notes")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("note"), max_length=4000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-written_at", "-pk"]
        verbose_name = _("restricted note")
        verbose_name_plural = _("restricted notes")

    def __str__(self) -> str:
        return f"note {self.pk} on {self.household_id}"


class Enrolment(models.Model):
    """A household's place in a programme, with the eligibility decision that admitted it."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        REFUSED = "refused", _("Not eligible")
        ENDED = "ended", _("Ended")

    tenant_paths: ClassVar[tuple[str, ...]] = (
        "household__organisation",
        "programme__lead_organisation",
    )

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="enrolments")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # One entry per rule: {"rule": ..., "passed": bool, "detail": {...}}; see eligibility.py.
    rule_results = models.JSONField(_("eligibility per rule"), default=list)
    override_reason = models.TextField(_("reason for override"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "programme"], name="enrolment_once_per_programme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.programme}"


class EnrolmentCount(models.Model):
    """How many enrolments of a programme have a status: the programme page and the rental
    dashboard read one row instead of counting 100,000 enrolments (bench/README.md, "Pages").
    Kept by the enrolment services (households/counts.py) in the transaction that changes the
    status; never edited by hand. A write that changes an enrolment's status elsewhere must call
    `households.counts.enrolment_moved`, or the count drifts (`enrolment_counts_rebuild`
    repairs it)."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("programme__lead_organisation",)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "status"], name="enrolment_count_once"),
            models.CheckConstraint(condition=Q(n__gte=0), name="enrolment_count_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} · {self.status}: {self.n}"
