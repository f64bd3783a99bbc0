"""Appliance rental (the Papillon model): catalogue, units, applications, contracts, visits,
service tickets, monthly charges, payments and collection, resident access."""

import secrets
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import Organisation, Programme
from households.models import Household

ZERO = Decimal("0.00")
PROGRAMME_PATHS = ("programme__lead_organisation", "programme__partners__organisation")
# A household's rental records are visible where the household is (core.tenancy).
HOUSEHOLD_PATHS = ("household__organisation", "programme__lead_organisation")


class Category(models.TextChoices):
    WASHING_MACHINE = "washing_machine", _("Washing machine")
    DRYER = "dryer", _("Tumble dryer")
    FRIDGE = "fridge", _("Fridge")
    FREEZER = "freezer", _("Freezer")
    FRIDGE_FREEZER = "fridge_freezer", _("Fridge-freezer")
    DISHWASHER = "dishwasher", _("Dishwasher")


class AgeBand(models.TextChoices):
    UNDER_5 = "<5", _("less than 5 years")
    FROM_5_TO_10 = "5-10", _("5 to 10 years")
    FROM_10_TO_15 = "10-15", _("10 to 15 years")
    OVER_15 = ">15", _("more than 15 years")
    UNKNOWN = "unknown", _("unknown")


class LabelScale(models.TextChoices):
    EU_2021 = "2021", _("A–G (since 2021)")
    EU_OLD = "old", _("A+++ to D (before 2021)")


class RentalScheme(models.Model):
    """The rental configuration of an appliance-rental programme."""

    tenant_paths: ClassVar[tuple[str, ...]] = PROGRAMME_PATHS

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="rental_scheme"
    )
    max_appliances = models.PositiveSmallIntegerField(
        _("maximum appliances per household"), default=3, validators=[MinValueValidator(1)]
    )
    collector = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("collecting organisation"),
    )
    supplier = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    ticket_reminder_days = models.PositiveSmallIntegerField(
        _("remind when a ticket is open longer than (days)"), default=10
    )

    class Meta:
        verbose_name = _("rental scheme")
        verbose_name_plural = _("rental schemes")

    def __str__(self) -> str:
        return str(self.programme)


class Offer(models.Model):
    """What a household pays per month for an appliance of a category, and the subsidy."""

    tenant_paths: ClassVar[tuple[str, ...]] = PROGRAMME_PATHS

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="offers")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    tenant_fee = models.DecimalField(
        _("tenant fee per month (EUR)"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("500"))],
    )
    subsidy = models.DecimalField(
        _("subsidy per month (EUR)"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("500"))],
    )
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"), default=120, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["programme", "category"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.UniqueConstraint(fields=["programme", "category"], name="offer_per_category"),
            models.CheckConstraint(
                condition=Q(tenant_fee__gte=0) & Q(subsidy__gte=0), name="offer_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.get_category_display()}"


class ApplianceModel(models.Model):
    """A model in a programme's catalogue, with its declared consumption."""

    tenant_paths: ClassVar[tuple[str, ...]] = PROGRAMME_PATHS

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="appliance_models"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    brand = models.CharField(_("brand"), max_length=60)
    model_name = models.CharField(_("model"), max_length=100)
    eprel_number = models.CharField(_("EPREL number"), max_length=20, blank=True)
    energy_class = models.CharField(_("energy class"), max_length=4)
    label_scale = models.CharField(
        _("label scale"), max_length=4, choices=LabelScale.choices, default=LabelScale.EU_2021
    )
    kwh_per_year = models.DecimalField(
        _("declared kWh a year"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    kwh_per_100_cycles = models.DecimalField(
        _("kWh per 100 cycles"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    cycles_per_year = models.PositiveSmallIntegerField(_("cycles a year"), null=True, blank=True)
    water_litres_per_cycle = models.DecimalField(
        _("water litres per cycle"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    capacity = models.CharField(_("capacity"), max_length=30, blank=True)

    class Meta:
        ordering = ["category", "brand", "model_name"]
        verbose_name = _("appliance model")
        verbose_name_plural = _("appliance models")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "brand", "model_name"], name="appliance_model_unique"
            ),
            models.CheckConstraint(
                condition=Q(kwh_per_year__isnull=False)
                | (Q(kwh_per_100_cycles__isnull=False) & Q(cycles_per_year__isnull=False)),
                name="appliance_model_consumption_declared",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand} {self.model_name}"

    @property
    def yearly_kwh(self) -> Decimal:
        if self.kwh_per_year is not None:
            return self.kwh_per_year
        if self.kwh_per_100_cycles is None or self.cycles_per_year is None:
            raise RuntimeError("self.kwh_per_100_cycles and self.cycles_per_year must be set")
        return (self.kwh_per_100_cycles * self.cycles_per_year / 100).quantize(Decimal("0.1"))


class UnitStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    IN_STOCK = "in_stock", _("In stock")
    RESERVED = "reserved", _("Reserved")
    INSTALLED = "installed", _("Installed")
    IN_REPAIR = "in_repair", _("In repair")
    RETURNED = "returned", _("Returned")
    REFURBISHING = "refurbishing", _("Refurbishing")
    RETIRED = "retired", _("Retired and recycled")


# The lifecycle of a unit; any other move is refused.
UNIT_TRANSITIONS: dict[str, frozenset[str]] = {
    UnitStatus.ORDERED: frozenset({UnitStatus.IN_STOCK, UnitStatus.RETIRED}),
    UnitStatus.IN_STOCK: frozenset({UnitStatus.RESERVED, UnitStatus.IN_REPAIR, UnitStatus.RETIRED}),
    UnitStatus.RESERVED: frozenset({UnitStatus.INSTALLED, UnitStatus.IN_STOCK}),
    UnitStatus.INSTALLED: frozenset({UnitStatus.IN_REPAIR, UnitStatus.RETURNED}),
    UnitStatus.IN_REPAIR: frozenset(
        {UnitStatus.INSTALLED, UnitStatus.IN_STOCK, UnitStatus.RETURNED, UnitStatus.RETIRED}
    ),
    UnitStatus.RETURNED: frozenset(
        {UnitStatus.REFURBISHING, UnitStatus.IN_STOCK, UnitStatus.RETIRED}
    ),
    UnitStatus.REFURBISHING: frozenset({UnitStatus.IN_STOCK, UnitStatus.RETIRED}),
    UnitStatus.RETIRED: frozenset(),
}


class Unit(models.Model):
    """One physical appliance, rented out over its life to one household after another."""

    tenant_paths: ClassVar[tuple[str, ...]] = PROGRAMME_PATHS

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="units")
    appliance_model = models.ForeignKey(
        ApplianceModel, on_delete=models.PROTECT, related_name="units", verbose_name=_("model")
    )
    serial = models.CharField(_("serial number"), max_length=60)
    refurbished = models.BooleanField(_("refurbished"), default=False)
    status = models.CharField(
        _("status"), max_length=15, choices=UnitStatus.choices, default=UnitStatus.ORDERED
    )
    label_code = models.CharField(max_length=16, unique=True, default="", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["appliance_model", "serial"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["appliance_model", "serial"], name="unit_serial_unique_per_model"
            ),
        ]
        # The dashboard's units per appliance and status, counted from the index alone.
        indexes = [
            models.Index(
                fields=["programme", "appliance_model", "status"], name="unit_by_model_status"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appliance_model} #{self.serial}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self.label_code:
            self.label_code = "U" + secrets.token_hex(6).upper()
        super().save(*args, **kwargs)


class UnitEvent(models.Model):
    """Every status change of a unit: who, when, from and to."""

    tenant_paths: ClassVar[tuple[str, ...]] = tuple("unit__" + p for p in PROGRAMME_PATHS)

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=15, choices=UnitStatus.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=UnitStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.unit}: {self.from_status} → {self.to_status}"


class Application(models.Model):
    """A household asks for an appliance and describes the old one; it waits for a free unit."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CONTRACTED = "contracted", _("Contract made")
        CANCELLED = "cancelled", _("Cancelled")

    tenant_paths: ClassVar[tuple[str, ...]] = HOUSEHOLD_PATHS

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="rental_applications"
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications")
    category = models.CharField(_("appliance"), max_length=20, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.WAITING
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    has_old_appliance = models.BooleanField(_("has an old appliance to replace"), default=True)
    old_age_band = models.CharField(
        _("age of the old appliance"),
        max_length=8,
        choices=AgeBand.choices,
        default=AgeBand.UNKNOWN,
    )
    old_label = models.CharField(_("energy label of the old appliance"), max_length=4, blank=True)
    old_label_scale = models.CharField(
        _("label scale of the old appliance"),
        max_length=4,
        choices=LabelScale.choices,
        blank=True,
    )
    old_measured_kwh = models.DecimalField(
        _("measured kWh a year (plug meter)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    priority = models.BooleanField(_("priority"), default=False)
    priority_reason = models.TextField(_("reason for priority"), blank=True)
    priority_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-priority", "applied_at", "pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(priority=False) | ~Q(priority_reason=""),
                name="application_priority_needs_reason",
            ),
        ]
        # The waiting list per appliance (dashboard): a few rows among 220,000 applications.
        indexes = [
            models.Index(
                fields=["programme", "category", "priority"],
                condition=Q(status="waiting"),
                name="application_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.get_category_display()}"


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    CASH = "cash", _("Cash")
    BUDGET_MANAGEMENT = "budget_management", _("Deduction by budget management")


class Contract(models.Model):
    """A rental contract: draft → signed → active (installed) → ended. Fees fixed at signing.
    A draft or signed contract that was never installed can be cancelled instead (kept, with
    the reason)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", pgettext_lazy("contract", "Cancelled")

    class EndReason(models.TextChoices):
        TERM_COMPLETED = "term_completed", _("Term completed")
        MOVED = "moved", _("Moved")
        RETURNED = "returned", _("Returned")
        DECEASED = "deceased", _("Deceased")

    tenant_paths: ClassVar[tuple] = (*HOUSEHOLD_PATHS, "collector")

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="contract"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="rental_contracts"
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="contracts")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="contracts")
    # Who collects the fees: see rentals.selectors.collector_for.
    collector = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("collecting organisation"),
    )
    category = models.CharField(_("appliance"), max_length=20, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    tenant_fee = models.DecimalField(
        _("tenant fee per month (EUR)"), max_digits=7, decimal_places=2
    )
    subsidy = models.DecimalField(_("subsidy per month (EUR)"), max_digits=7, decimal_places=2)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    payment_method = models.CharField(
        _("payment method"),
        max_length=20,
        choices=PaymentMethod.choices,
        default=PaymentMethod.TRANSFER,
    )
    payment_reference = models.CharField(_("payment reference"), max_length=30, unique=True)
    mandate_id = models.CharField(_("direct-debit mandate"), max_length=35, blank=True)
    mandate_signed_on = models.DateField(_("mandate signed on"), null=True, blank=True)
    debtor_iban = models.CharField(_("IBAN for direct debit"), max_length=34, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    start_date = models.DateField(_("installed on"), null=True, blank=True)
    end_date = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=EndReason.choices, blank=True
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            # One active (or signed, waiting for installation) contract per unit.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(status__in=["signed", "active"]),
                name="contract_one_active_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(tenant_fee__gte=0) & Q(subsidy__gte=0),
                name="contract_fees_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(start_date__isnull=False),
                name="contract_active_has_start",
            ),
            # Cancelled only before the installation, always with when and why.
            models.CheckConstraint(
                condition=~Q(status="cancelled")
                | (
                    Q(cancelled_at__isnull=False)
                    & ~Q(cancel_reason="")
                    & Q(start_date__isnull=True)
                ),
                name="contract_cancelled_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="contract_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "status"]),
            # The dashboard's households with an appliance: an index-only DISTINCT, no hash of
            # 200,000 contracts (bench/README.md, "Pages").
            models.Index(
                fields=["programme", "household"],
                condition=Q(status="active"),
                name="contract_active_household",
            ),
            models.Index(
                fields=["programme", "category"],
                condition=Q(status="active"),
                name="contract_active_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_reference} · {self.get_category_display()}"


class ContractUnit(models.Model):
    """Which unit served a contract when: a broken unit is swapped, the contract stays."""

    tenant_paths: ClassVar[tuple[str, ...]] = tuple("contract__" + p for p in HOUSEHOLD_PATHS)

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="unit_history")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    installed_on = models.DateField()
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["installed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.contract} · {self.unit}"


class Visit(models.Model):
    class Kind(models.TextChoices):
        INSTALLATION = "installation", _("Delivery and installation")
        REPAIR = "repair", _("Repair")
        SWAP = "swap", _("Replacement")
        RETURN = "return", _("Collection at the end")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Disposal(models.TextChoices):
        NONE = "", _("No old appliance")
        RECYCLED = "recycled", _("Taken away for recycling")
        LEFT = "left", _("Household keeps it")

    tenant_paths: ClassVar[tuple[str, ...]] = (
        *("contract__" + p for p in HOUSEHOLD_PATHS),
        "technician_organisation",
    )

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    planned_on = models.DateField(_("date"))
    window = models.CharField(_("time window"), max_length=20, blank=True)
    technician_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("service partner"),
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rental_visits",
        verbose_name=_("technician"),
    )
    ticket = models.ForeignKey(
        "Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    disposal = models.CharField(
        _("old appliance"), max_length=10, choices=Disposal.choices, blank=True
    )
    report = models.TextField(_("report"), blank=True)

    class Meta:
        ordering = ["planned_on", "window", "pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.planned_on}"


class Ticket(models.Model):
    """A breakdown reported by phone, at the desk or by the resident."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        DESK = "desk", _("At the desk")
        RESIDENT = "resident", _("By the resident online")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PLANNED = "planned", _("Visit planned")
        RESOLVED = "resolved", _("Resolved")

    class Resolution(models.TextChoices):
        REPAIRED = "repaired", _("Repaired")
        REPLACED = "replaced", _("Replaced")

    tenant_paths: ClassVar[tuple[str, ...]] = tuple("contract__" + p for p in HOUSEHOLD_PATHS)

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="tickets")
    channel = models.CharField(_("reported"), max_length=10, choices=Channel.choices)
    description = models.TextField(_("what is wrong"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    resolution = models.CharField(
        _("resolution"), max_length=10, choices=Resolution.choices, blank=True
    )
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Reporting the same breakdown again adds to the open ticket (services.tickets).
    reports = models.PositiveSmallIntegerField(_("reports"), default=1)
    last_reported_at = models.DateTimeField(null=True, blank=True)

    OPEN_STATUSES = ("open", "planned")

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("service ticket")
        verbose_name_plural = _("service tickets")
        constraints = [
            # One open ticket per contract, and so per installed unit: a contract has one
            # unit at a time (a swap moves the contract to the replacement).
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(status__in=["open", "planned"]),
                name="ticket_one_open_per_contract",
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved")
                | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="ticket_resolved_has_resolution",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class Charge(models.Model):
    """What one contract costs for one month: the tenant's part and the subsidy part."""

    tenant_paths: ClassVar[tuple] = (
        *("contract__" + p for p in HOUSEHOLD_PATHS),
        "contract__collector",
    )

    # No index of its own: the unique (contract, month) index starts with the contract and
    # serves every lookup by contract; a fourth index only slowed each billing run's 200,000
    # inserts (bench/README.md, "Billing run").
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="charges", db_index=False
    )
    month = models.DateField(_("month"))  # the first day of the month
    tenant_amount = models.DecimalField(_("tenant part"), max_digits=8, decimal_places=2)
    subsidy_amount = models.DecimalField(_("subsidy part"), max_digits=8, decimal_places=2)
    settled = models.DecimalField(
        _("paid"), max_digits=8, decimal_places=2, default=ZERO
    )  # sum of the payment allocations, kept in step by the services
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["month", "pk"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        constraints = [
            models.UniqueConstraint(fields=["contract", "month"], name="charge_once_per_month"),
            models.CheckConstraint(
                condition=Q(tenant_amount__gte=0) & Q(subsidy_amount__gte=0),
                name="charge_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(settled__gte=0) & Q(settled__lte=F("tenant_amount")),
                name="charge_never_overpaid",
            ),
        ]
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.contract} · {self.month:%Y-%m}"

    @property
    def open_amount(self) -> Decimal:
        return self.tenant_amount - self.settled


class Payment(models.Model):
    """Money received from a household by the collecting organisation, for one rental
    programme: it settles that programme's charges only (docs/payments.md, "Which programme a
    payment belongs to"), and the programme's lead sees it; the lead of another programme the
    household is enrolled in does not."""

    tenant_paths: ClassVar[tuple] = (
        "household__organisation",
        "collector",
        "programme__lead_organisation",
    )

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="payments")
    collector = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Null only for a payment recorded before payments had a programme that led to no
    # contract of its collector (migration 0008): then only its collector and the
    # registering organisation see it.
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(
        _("amount (EUR)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100000"))],
    )
    received_on = models.DateField(_("received on"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    bank_line = models.OneToOneField(
        "BankLine", on_delete=models.PROTECT, null=True, blank=True, related_name="payment"
    )
    # What the allocations have not used yet: credit for later charges. Kept by the services.
    unallocated = models.DecimalField(max_digits=9, decimal_places=2, default=ZERO)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=Q(unallocated__gte=0) & Q(unallocated__lte=F("amount")),
                name="payment_unallocated_within_amount",
            ),
        ]
        indexes = [
            models.Index(
                fields=["collector", "household"],
                condition=Q(unallocated__gt=0),
                name="payment_with_credit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.received_on}"


class Allocation(models.Model):
    """The part of a payment that settles a charge (oldest charge first)."""

    tenant_paths: ClassVar[tuple[str, ...]] = tuple("payment__" + p for p in ("collector",))

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive"),
            models.UniqueConstraint(fields=["payment", "charge"], name="allocation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} → {self.charge}"


class BankImport(models.Model):
    """One imported bank statement file of a collecting organisation."""

    tenant_paths: ClassVar[tuple[str, ...]] = ("collector",)

    collector = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    file_format = models.CharField(max_length=10)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.filename


class BankLine(models.Model):
    class Status(models.TextChoices):
        MATCHED = "matched", _("Matched")
        UNMATCHED = "unmatched", _("To resolve")
        RESOLVED = "resolved", _("Resolved by hand")
        IGNORED = "ignored", _("Not a rental payment")

    tenant_paths: ClassVar[tuple[str, ...]] = ("bank_import__collector",)

    bank_import = models.ForeignKey(BankImport, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveIntegerField()
    booked_on = models.DateField()
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    counterparty = models.CharField(max_length=140, blank=True)
    iban = models.CharField(max_length=34, blank=True)
    text = models.CharField(max_length=500, blank=True)
    reference = models.CharField(max_length=40, blank=True)
    bank_id = models.CharField(max_length=80, blank=True)  # the bank's own entry reference
    status = models.CharField(max_length=10, choices=Status.choices)

    class Meta:
        ordering = ["bank_import", "number"]
        constraints = [
            # The same bank entry imported twice (another file covering the same days).
            models.UniqueConstraint(
                fields=["bank_id"], condition=~Q(bank_id=""), name="bankline_entry_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_import} #{self.number}"


class ArrearsStep(models.Model):
    """A gentle, human step when a household falls behind. Never an automatic termination."""

    class Level(models.IntegerChoices):
        REMINDER_LETTER = 1, _("Plain reminder letter")
        SOCIAL_WORKER_CONTACT = 2, _("Social worker asked to make contact")
        CASE_REVIEW = 3, _("Case review")

    # The step is taken by the collector for the household's arrears in one rental programme.
    tenant_paths: ClassVar[tuple] = (
        "household__organisation",
        "collector",
        "programme__lead_organisation",
    )

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="arrears_steps")
    # Null only for steps taken before steps had them that no contract explains (0008).
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    collector = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("step"), choices=Level.choices)
    taken_on = models.DateField(default=timezone.localdate)
    arrears = models.DecimalField(max_digits=9, decimal_places=2)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    # The reminder letter as it was made when the step was taken (a PDF in the household's
    # language, rentals.letters), kept so the record shows what the household received.
    letter = models.BinaryField(blank=True, default=b"", editable=False)

    class Meta:
        ordering = ["-taken_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.household} · {self.get_level_display()}"


class ResidentAccess(models.Model):
    """The personal link and PIN printed on a household's letters. The resident page shows
    all of the household's rentals, so the link is the registering organisation's and that of
    the lead of each rental programme the household applied to; not of the lead of another
    kind of programme the household is enrolled in."""

    tenant_paths: ClassVar[tuple] = (
        "household__organisation",
        "household__rental_applications__programme__lead_organisation",
    )

    household = models.OneToOneField(
        Household, on_delete=models.CASCADE, related_name="resident_access"
    )
    key = models.CharField(max_length=40, unique=True)
    pin_hash = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"resident access of {self.household_id}"


class MonthTotal(models.Model):
    """A programme's charges of one month, summed: what the dashboard and the billing page
    show. Kept by billing and payment allocation in their own transactions
    (rentals/services/totals.py); never edited by hand.

    Amounts are whole cents: SQLite keeps decimals as floating point, and sums of floats added
    to one by one drift from the charges by fractions of a cent.
    """

    tenant_paths: ClassVar[tuple[str, ...]] = ("programme__lead_organisation",)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))  # the first day of the month
    charges = models.PositiveIntegerField(default=0)
    billed_cents = models.BigIntegerField(default=0)  # the tenants' parts
    subsidy_cents = models.BigIntegerField(default=0)
    collected_cents = models.BigIntegerField(default=0)  # settled by payments

    class Meta:
        ordering = ["programme", "month"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "month"], name="month_total_once"),
            models.CheckConstraint(
                condition=Q(charges__gte=0) & Q(billed_cents__gte=0) & Q(subsidy_cents__gte=0),
                name="month_total_not_negative",
            ),
            # A charge is never settled beyond its tenant part, so neither is a month.
            models.CheckConstraint(
                condition=Q(collected_cents__gte=0) & Q(collected_cents__lte=F("billed_cents")),
                name="month_total_never_overpaid",
            ),
            models.CheckConstraint(
                condition=Q(charges__gt=0)
                | (Q(billed_cents=0) & Q(subsidy_cents=0) & Q(collected_cents=0)),
                name="month_total_no_sums_without_charges",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} · {self.month:%Y-%m}"

    @property
    def billed(self) -> Decimal:
        return Decimal(self.billed_cents).scaleb(-2)

    @property
    def subsidy(self) -> Decimal:
        return Decimal(self.subsidy_cents).scaleb(-2)

    @property
    def collected(self) -> Decimal:
        return Decimal(self.collected_cents).scaleb(-2)


class OpenHousehold(models.Model):
    """A household with a charge of the programme not fully paid, and the month of its oldest
    such charge: the dashboard counts the households in arrears from these rows (those whose
    oldest open month is before the current one) instead of searching millions of charges.
    Kept with MonthTotal, by the same writes (rentals/services/totals.py)."""

    tenant_paths: ClassVar[tuple[str, ...]] = HOUSEHOLD_PATHS

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    oldest_open_month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "household"], name="open_household_once"),
        ]
        indexes = [
            models.Index(fields=["programme", "oldest_open_month"], name="open_household_month")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} · {self.oldest_open_month:%Y-%m}"


class KeptCount(models.Model):
    """How many units or contracts of a programme have a status, per appliance category, and
    how many households have an active contract: what the dashboard shows, read from a few
    rows instead of counted over 200,000 units and contracts (bench/README.md, "Pages").

    Kept by the unit and contract writes in their own transactions (rentals/services/counts.py:
    `move_unit`, `unit_create`, `contract_draft`, `contract_sign`, the installation visit,
    `contract_end`); never edited by hand. A new write that changes a unit's or contract's
    status must call `counts.unit_moved` or `counts.contract_moved` (a test checks that the
    services assign statuses nowhere else); `rental_figures_rebuild` repairs drift."""

    class Kind(models.TextChoices):
        UNITS = "units"
        CONTRACTS = "contracts"
        # category and status blank: households with at least one active contract
        HOUSEHOLDS_WITH_APPLIANCE = "households"

    tenant_paths: ClassVar[tuple[str, ...]] = ("programme__lead_organisation",)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    category = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=15, blank=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "category", "status"], name="kept_count_once"
            ),
            models.CheckConstraint(condition=Q(n__gte=0), name="kept_count_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} · {self.kind} {self.category} {self.status}: {self.n}"
