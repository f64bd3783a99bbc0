"""Practice sheets, their translations and results, exchange requests, feed subscriptions
and the remote practices they bring, and the record of adopted programme packages."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Language, Organisation, Programme


class Theme(models.TextChoices):
    ENERGY_POVERTY = "energy_poverty", _("Energy poverty")
    WORK = "work", _("Work")
    HOUSING = "housing", _("Housing")
    PARTICIPATION = "participation", _("Participation")
    ENERGY = "energy", _("Energy")


class Practice(models.Model):
    """A practice sheet of one organisation. Its texts are PracticeText rows, one per
    language; `themes` is stored as ",work,energy," so a theme filters on both databases."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone, also without an account")
        MEMBERS = "members", _("Logged-in organisations only")

    tenant_paths: ClassVar[tuple[str, ...]] = ("organisation",)

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="practices"
    )
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    themes = models.CharField(_("themes"), max_length=200, blank=True)
    programme_kind = models.CharField(
        _("programme kind"), max_length=30, choices=Programme.Kind.choices, blank=True
    )
    # Live figures come from this programme (one the organisation leads) through impact.
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("programme with live figures"),
    )
    original_language = models.CharField(
        _("written in"), max_length=2, choices=Language.choices, default=Language.NL
    )
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # URBACT / Movisie checklist: what the sheet shows the reader.
    participatory = models.BooleanField(_("residents take part in shaping it"), default=False)
    measured = models.BooleanField(_("results are measured"), default=False)
    transferable = models.BooleanField(_("described so others can adopt it"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "pk"]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="practice_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="practice_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    @property
    def theme_list(self) -> list[str]:
        return [t for t in self.themes.split(",") if t]

    def theme_labels(self) -> list[str]:
        labels = dict(Theme.choices)
        return [str(labels.get(t, t)) for t in self.theme_list]


class PracticeText(models.Model):
    """The sheet's texts in one language."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("practice__organisation",)

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=2000)
    target_group = models.TextField(_("target group"), blank=True, max_length=2000)
    problem = models.TextField(_("the problem"), blank=True, max_length=5000)
    # One step a line.
    approach = models.TextField(_("the approach, step by step"), blank=True, max_length=8000)
    partners = models.TextField(_("partners"), blank=True, max_length=3000)
    costs = models.TextField(_("costs and resources"), blank=True, max_length=3000)
    preconditions = models.TextField(_("preconditions"), blank=True, max_length=3000)
    relevance = models.TextField(_("why it matters"), blank=True, max_length=3000)
    participation = models.TextField(_("how residents take part"), blank=True, max_length=3000)
    lessons = models.TextField(_("lessons learned"), blank=True, max_length=5000)
    success_factors = models.TextField(_("what made it work"), blank=True, max_length=3000)
    transfer_notes = models.TextField(
        _("what to watch when transferring it"), blank=True, max_length=3000
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["practice", "language"]
        verbose_name = _("practice text")
        verbose_name_plural = _("practice texts")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "language"], name="practice_text_one_per_language"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def steps(self) -> list[str]:
        return [line.strip() for line in self.approach.splitlines() if line.strip()]


class PracticeResult(models.Model):
    """A result typed in, with its source and date."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("practice__organisation",)

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="results")
    label = models.CharField(_("what was measured"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    # How many households or persons it is about: fewer than 5 is never published.
    about = models.PositiveIntegerField(_("households or persons it is about"), null=True)
    source = models.CharField(_("source"), max_length=300)
    measured_on = models.DateField(_("measured on"))

    class Meta:
        ordering = ["practice", "-measured_on", "pk"]
        verbose_name = _("practice result")
        verbose_name_plural = _("practice results")

    def __str__(self) -> str:
        return self.label


class ExchangeRequest(models.Model):
    """Another organisation asks the practice's owner for a conversation, visit or documents."""

    class Kind(models.TextChoices):
        CONVERSATION = "conversation", _("A conversation")
        VISIT = "visit", _("A visit")
        DOCUMENTS = "documents", _("Documents")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    tenant_paths: ClassVar[tuple[str, ...]] = ("requester", "practice__organisation")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="exchanges")
    requester = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="exchange_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("what you ask for"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    proposed_dates = models.CharField(_("proposed dates"), max_length=300, blank=True)
    meeting_link = models.URLField(_("online meeting link"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("exchange request")
        verbose_name_plural = _("exchange requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "answered", "closed"]),
                name="exchange_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.practice}"


class ExchangeMessage(models.Model):
    tenant_paths: ClassVar[tuple[str, ...]] = (
        "request__requester",
        "request__practice__organisation",
    )

    request = models.ForeignKey(ExchangeRequest, on_delete=models.CASCADE, related_name="messages")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("exchange message")
        verbose_name_plural = _("exchange messages")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.text[:40]}"


class Subscription(models.Model):
    """Another installation's practice feed the organisation follows."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("organisation",)

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="feed_subscriptions"
    )
    url = models.URLField(_("feed address"), max_length=500)
    title = models.CharField(_("title"), max_length=200, blank=True)
    etag = models.CharField(max_length=200, blank=True)
    last_pulled_at = models.DateTimeField(_("last pulled"), null=True, blank=True)
    last_ok_at = models.DateTimeField(_("last update"), null=True, blank=True)
    last_error = models.CharField(_("last problem"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organisation", "url"]
        verbose_name = _("feed subscription")
        verbose_name_plural = _("feed subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "url"], name="subscription_once_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class RemotePractice(models.Model):
    """A practice of another installation, as its feed last gave it (texts sanitised)."""

    # Remote practices are public on their own installation; the subscribing organisation
    # owns the copy (and removes it with the subscription).
    tenant_paths: ClassVar[tuple[str, ...]] = ("subscription__organisation",)

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="practices"
    )
    remote_id = models.CharField(max_length=500)
    url = models.URLField(max_length=500)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    content_html = models.TextField(blank=True)  # sanitised with nh3
    language = models.CharField(max_length=2, blank=True)
    languages = models.CharField(max_length=20, blank=True)  # ",nl,en,"
    themes = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True)
    programme_kind = models.CharField(max_length=30, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    figures = models.JSONField(default=list, blank=True)
    package_url = models.URLField(max_length=500, blank=True)
    remote_updated = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-remote_updated", "pk"]
        verbose_name = _("remote practice")
        verbose_name_plural = _("remote practices")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "remote_id"], name="remote_practice_once"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def theme_labels(self) -> list[str]:
        labels = dict(Theme.choices)
        return [str(labels.get(t, t)) for t in self.themes.split(",") if t]


class PackageImport(models.Model):
    """A programme package adopted by an organisation: the same package (by its digest)
    imported again gives the same programme, never a second one (a constraint)."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("organisation",)

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="package_imports"
    )
    digest = models.CharField(max_length=64)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("adopted from"), max_length=300, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("adopted package")
        verbose_name_plural = _("adopted packages")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "digest"], name="package_import_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.programme}"
