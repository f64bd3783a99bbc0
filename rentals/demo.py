"""Demo data for appliance rental: two programmes with a history since 2024.

A demo loader registered in rentals/programme.py; it runs after the households are in.
Everything goes through the rental services, acting as the people who would really do it
(the coordinator sets up, the welfare office's intake worker signs, the technician installs,
the collector books payments).

The history is told relative to a fixed demo day, DEMO_TODAY, so that every run builds the
same data. The services stamp "now" on a few timestamps (applied, signed, done, opened,
resolved, unit events); those of the history are set back to the day they happened, so
pages show a believable timeline. Only what must show work on the day the demo is used —
the technician's visits of the coming days — is planned relative to the real date, once.

Which households rent is decided per household from a seed of its identity, so the history
scales with the households that exist and a second run finds everything in place and changes
nothing. The scheme's collector of the West-Flemish programme is OCMW Oostende; as the four
welfare offices are also collecting partners, each collects the fees of the households it
registered (selectors.collector_for). In Arnhem the residents' initiative (the lead) collects.
"""

import random
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db.models import Max, Min, Model
from django.urls import reverse
from django.utils import timezone
from stdnum.eu import at_02

from core.demo import REGISTRAR, SEED, LoadResult, be_iban, nl_iban
from core.models import Organisation, Programme, ProgrammePartner
from core.tenancy import Acting, operator_acting
from core.validators import clean_sepa_creditor_id, local_today
from households.models import Enrolment, Household
from households.services import enrolment_end
from rentals import letters, selectors, services
from rentals.models import (
    Allocation,
    ApplianceModel,
    Application,
    ArrearsStep,
    BankImport,
    BankLine,
    Charge,
    Contract,
    ContractUnit,
    Offer,
    Payment,
    PaymentMethod,
    RentalScheme,
    ResidentAccess,
    Ticket,
    Unit,
    UnitEvent,
    UnitStatus,
    Visit,
)

DEMO_TODAY = date(2026, 11, 27)
LAST_INSTALL = date(2026, 10, 30)
LAST_BILLED_MONTH = date(2026, 10, 1)
# The bank statements imported as CAMT.053 files; earlier transfers are booked one by one.
CAMT_MONTHS = (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1))
DEMO_PIN = "123456"
TECHNICIAN = "technician"
WINDOWS = ("08:00–12:00", "12:00–16:00", "09:00–13:00")
# Days from the real date at which the coming installations are planned; 0 = today.
UPCOMING_OFFSETS = (0, 1, 2, 3, 5, 7)

D = Decimal


# --- Programme set-up --------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSpec:
    category: str
    brand: str
    model_name: str
    eprel: str
    energy_class: str
    capacity: str
    serial_prefix: str
    label_scale: str = "2021"
    kwh_per_year: str | None = None
    kwh_per_100_cycles: str | None = None
    cycles_per_year: int | None = None
    water: str | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "brand": self.brand,
            "model_name": self.model_name,
            "eprel_number": self.eprel,
            "energy_class": self.energy_class,
            "label_scale": self.label_scale,
            "kwh_per_year": D(self.kwh_per_year) if self.kwh_per_year else None,
            "kwh_per_100_cycles": D(self.kwh_per_100_cycles) if self.kwh_per_100_cycles else None,
            "cycles_per_year": self.cycles_per_year,
            "water_litres_per_cycle": D(self.water) if self.water else None,
            "capacity": self.capacity,
        }


@dataclass(frozen=True)
class SchemeSpec:
    programme: str
    collector: str
    supplier: str
    coordinator: str  # username of the lead's coordinator
    technician: str | None  # username of the supplier's technician, if the demo has one
    offers: dict[str, tuple[str, str]]  # category → (tenant fee, subsidy)
    catalogue: tuple[ModelSpec, ...]
    first_install: date
    renter_share: float
    upcoming_share: float
    waiting_share: float
    # Spare units in stock per category beyond what the history uses; 0 means a waiting list.
    spare: dict[str, int]
    category_weights: dict[str, int]
    waiting_weights: dict[str, int]
    methods: dict[str, int]  # payment method → weight (budget management follows the household)
    country: str = "BE"


WVL_CATALOGUE = (
    ModelSpec(
        "washing_machine",
        "Bosch",
        "Serie 6 WGG14409NL",
        "1051734",
        "A",
        "9 kg",
        "BOW",
        kwh_per_100_cycles="49.0",
        cycles_per_year=220,
        water="48.0",
    ),
    ModelSpec(
        "washing_machine",
        "Samsung",
        "WW80T554AAW/S2",
        "360825",
        "A",
        "8 kg",
        "SAW",
        kwh_per_100_cycles="51.0",
        cycles_per_year=220,
        water="46.0",
    ),
    ModelSpec(
        "dryer",
        "Bosch",
        "Serie 6 WQG23509NL",
        "297361",
        "A+++",
        "8 kg warmtepomp",
        "BOD",
        label_scale="old",
        kwh_per_year="176.0",
    ),
    ModelSpec(
        "fridge",
        "Liebherr",
        "Rd 3700 Pure",
        "1128451",
        "D",
        "371 l",
        "LIR",
        kwh_per_year="118.0",
    ),
    ModelSpec(
        "fridge",
        "Beko",
        "TSE1424N",
        "443012",
        "E",
        "128 l tafelmodel",
        "BEK",
        kwh_per_year="104.0",
    ),
    ModelSpec(
        "freezer",
        "Siemens",
        "iQ300 GS29NVWEP",
        "560233",
        "E",
        "200 l",
        "SIF",
        kwh_per_year="172.0",
    ),
    ModelSpec(
        "fridge_freezer",
        "Samsung",
        "RB34T602DWW",
        "374811",
        "D",
        "344 l",
        "SAK",
        kwh_per_year="196.0",
    ),
    ModelSpec(
        "dishwasher",
        "Bosch",
        "Serie 4 SMS4HVW33E",
        "1211906",
        "D",
        "13 couverts",
        "BOV",
        kwh_per_100_cycles="74.0",
        cycles_per_year=280,
        water="9.5",
    ),
)

ARNHEM_CATALOGUE = (
    ModelSpec(
        "washing_machine",
        "AEG",
        "L6FBN84GW",
        "1009127",
        "A",
        "8 kg",
        "AEW",
        kwh_per_100_cycles="50.0",
        cycles_per_year=220,
        water="47.0",
    ),
    ModelSpec(
        "fridge",
        "Liebherr",
        "Rd 3700 Pure",
        "1128451",
        "D",
        "371 l",
        "LIR",
        kwh_per_year="118.0",
    ),
    ModelSpec(
        "freezer",
        "Liebherr",
        "FNd 4254 Prime",
        "1132270",
        "D",
        "238 l",
        "LIF",
        kwh_per_year="150.0",
    ),
    ModelSpec(
        "fridge_freezer",
        "Bosch",
        "Serie 4 KGN36VWEA",
        "425331",
        "E",
        "326 l",
        "BOK",
        kwh_per_year="244.0",
    ),
)

SCHEMES = (
    SchemeSpec(
        programme="huren-wvl",
        collector="ocmw-oostende",
        supplier="elektro-vandamme",
        coordinator="coordinator",
        technician=TECHNICIAN,
        offers={
            "washing_machine": ("7.50", "2.00"),
            "dryer": ("8.50", "2.00"),
            "fridge": ("7.00", "2.00"),
            "freezer": ("7.50", "2.00"),
            "fridge_freezer": ("8.50", "2.00"),
            "dishwasher": ("8.00", "2.00"),
        },
        catalogue=WVL_CATALOGUE,
        first_install=date(2024, 1, 8),
        renter_share=0.46,
        upcoming_share=0.03,
        waiting_share=0.045,
        spare={"washing_machine": 4, "fridge": 3, "freezer": 2, "fridge_freezer": 2},
        category_weights={
            "washing_machine": 30,
            "fridge": 18,
            "freezer": 15,
            "fridge_freezer": 17,
            "dryer": 10,
            "dishwasher": 10,
        },
        waiting_weights={
            "dryer": 35,
            "dishwasher": 30,
            "fridge_freezer": 15,
            "washing_machine": 10,
            "freezer": 10,
        },
        methods={"transfer": 55, "direct_debit": 25, "cash": 20},
    ),
    SchemeSpec(
        programme="huren-arnhem",
        collector="spijkerkwartier",  # the lead itself; rental_scheme_configure allows that
        supplier="witgoed-gelderland",
        coordinator="arnhem",
        technician=None,
        offers={
            "washing_machine": ("9.00", "0.00"),
            "fridge": ("8.50", "0.00"),
            "freezer": ("9.00", "0.00"),
            "fridge_freezer": ("9.50", "0.00"),
        },
        catalogue=ARNHEM_CATALOGUE,
        first_install=date(2025, 9, 15),
        renter_share=0.45,
        upcoming_share=0.04,
        waiting_share=0.06,
        spare={"washing_machine": 2, "fridge": 1},
        category_weights={"washing_machine": 35, "fridge": 20, "freezer": 15, "fridge_freezer": 30},
        waiting_weights={"freezer": 50, "fridge_freezer": 50},
        methods={"transfer": 60, "direct_debit": 40},
        country="NL",
    ),
)

# Units that never went out: (category, status they end in, note), per programme.
EXTRA_UNITS = {
    "huren-wvl": (
        ("washing_machine", UnitStatus.ORDERED, ""),
        ("washing_machine", UnitStatus.ORDERED, ""),
        ("fridge", UnitStatus.IN_REPAIR, "Deur beschadigd bij levering; wacht op onderdeel."),
        ("freezer", UnitStatus.RETIRED, "Transportschade, niet te herstellen; gerecycleerd."),
    ),
    "huren-arnhem": (("washing_machine", UnitStatus.ORDERED, ""),),
}


def sepa_creditor_id(org: Organisation) -> str:
    """A valid SEPA creditor identifier built from the organisation's registration number:
    Belgium ZZZ + enterprise number, the Netherlands ZZZ + KvK number + 0000."""
    national = org.enterprise_number if org.country == "BE" else f"{org.enterprise_number}0000"
    base = f"{org.country}00ZZZ{national}"
    return f"{org.country}{at_02.calc_check_digits(base)}ZZZ{national}"


# --- The plan: which household rents what, when -------------------------------------------------


@dataclass
class RentalPlan:
    """One appliance of one household."""

    category: str
    applied_on: date
    signed_on: date | None = None
    installed_on: date | None = None  # None: planned in the coming days, or waiting
    old: dict[str, Any] = field(default_factory=dict)
    disposal: str = ""
    window: str = ""


@dataclass
class HouseholdPlan:
    household: Household
    scheme: SchemeSpec
    role: str  # "renter", "upcoming" (installation in the coming days) or "waiting"
    rentals: list[RentalPlan]
    method: str = PaymentMethod.TRANSFER
    debtor_iban: str = ""
    behaviour: str = "regular"  # regular, behind1, behind2, behind3, partial
    arrears_steps: bool = False
    end: tuple[str, date, date] | None = None  # reason, ended on, collected on

    @property
    def key(self) -> str:
        return household_key(self.household)

    @property
    def first_install(self) -> date | None:
        dates = [r.installed_on for r in self.rentals if r.installed_on]
        return min(dates) if dates else None


def household_key(household: Household) -> str:
    return f"{household.organisation.slug}|{household.duplicate_key}"


def _rng(*parts: object) -> random.Random:
    return random.Random("-".join(str(p) for p in (SEED, "rentals", *parts)))


def _stable_int(text: str) -> int:
    return zlib.crc32(text.encode())


def _weighted_sample(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    pool = dict(weights)
    chosen: list[str] = []
    while pool and len(chosen) < k:
        pick = rng.choices(list(pool), weights=list(pool.values()))[0]
        chosen.append(pick)
        del pool[pick]
    return chosen


# Yearly kWh a plug meter shows on an old appliance of 10–15 years (order of magnitude of the
# default table in docs/savings-model.md); younger and older ones scale with AGE_FACTOR.
OLD_KWH = {
    "washing_machine": 190,
    "dryer": 520,
    "fridge": 260,
    "freezer": 420,
    "fridge_freezer": 480,
    "dishwasher": 300,
}
AGE_FACTOR = {"<5": 0.6, "5-10": 0.8, "10-15": 1.0, ">15": 1.25, "unknown": 1.0}


def _old_appliance(rng: random.Random, category: str) -> dict[str, Any]:
    if rng.random() < 0.08:
        return {"has_old_appliance": False, "old_age_band": "unknown"}
    age = rng.choices([">15", "10-15", "5-10", "<5", "unknown"], weights=[34, 33, 15, 4, 14])[0]
    old: dict[str, Any] = {"has_old_appliance": True, "old_age_band": age}
    if age != "unknown" and rng.random() < 0.3:
        if age == "<5":  # bought after March 2021: the new label
            old["old_label"], old["old_label_scale"] = rng.choice("EFG"), "2021"
        else:
            old["old_label_scale"] = "old"
            old["old_label"] = rng.choices(["A+", "A", "B", "C"], weights=[15, 45, 30, 10])[0]
    if rng.random() < 0.15:
        kwh = OLD_KWH[category] * AGE_FACTOR[age] * rng.uniform(0.8, 1.25)
        old["old_measured_kwh"] = D(f"{kwh:.1f}")
    return old


def _spread(rng: random.Random, start: date, end: date) -> date:
    # Somewhat more installations lately, as a programme grows.
    span = (end - start).days
    return start + timedelta(days=int(span * rng.random() ** 0.85))


def household_plan(spec: SchemeSpec, household: Household) -> HouseholdPlan | None:
    """The rental story of one household; the same on every run for the same household."""
    key = household_key(household)
    rng = _rng(spec.programme, key)
    draw = rng.random()
    if draw < spec.renter_share:
        role = "renter"
    elif draw < spec.renter_share + spec.upcoming_share:
        role = "upcoming"
    elif draw < spec.renter_share + spec.upcoming_share + spec.waiting_share:
        role = "waiting"
    else:
        return None
    rentals: list[RentalPlan] = []
    if role == "renter":
        count = rng.choices([1, 2, 3], weights=[72, 23, 5])[0]
        first = _spread(rng, spec.first_install, LAST_INSTALL)
        for n, category in enumerate(_weighted_sample(rng, spec.category_weights, count)):
            installed = first
            if n and rng.random() < 0.5:
                installed = first + timedelta(days=rng.randint(30, 400))
                if installed > LAST_INSTALL:
                    installed = first
            rentals.append(
                RentalPlan(
                    category=category,
                    applied_on=installed - timedelta(days=rng.randint(14, 45)),
                    signed_on=installed - timedelta(days=rng.randint(3, 12)),
                    installed_on=installed,
                )
            )
    else:
        weights = spec.category_weights if role == "upcoming" else spec.waiting_weights
        category = _weighted_sample(rng, weights, 1)[0]
        if role == "upcoming":
            rentals.append(
                RentalPlan(
                    category=category,
                    applied_on=DEMO_TODAY - timedelta(days=rng.randint(12, 40)),
                    signed_on=DEMO_TODAY - timedelta(days=rng.randint(2, 8)),
                )
            )
        else:
            rentals.append(
                RentalPlan(
                    category=category,
                    applied_on=DEMO_TODAY - timedelta(days=rng.randint(2, 90)),
                )
            )
    for rental in rentals:
        rental.old = _old_appliance(rng, rental.category)
        if rental.old["has_old_appliance"]:
            rental.disposal = "recycled" if rng.random() < 0.94 else "left"
        rental.window = rng.choice(WINDOWS)
    plan = HouseholdPlan(household=household, scheme=spec, role=role, rentals=rentals)
    if household.debt_support == "budget_management" and spec.country == "BE":
        plan.method = PaymentMethod.BUDGET_MANAGEMENT
    else:
        plan.method = rng.choices(list(spec.methods), weights=list(spec.methods.values()))[0]
    seed = _stable_int(key)
    plan.debtor_iban = nl_iban(seed) if spec.country == "NL" else be_iban(seed)
    plan.behaviour = rng.choices(
        ["regular", "behind1", "behind2", "behind3", "partial"], weights=[83, 5, 4, 4, 4]
    )[0]
    plan.arrears_steps = rng.random() < 0.7
    last = max((r.installed_on for r in rentals if r.installed_on), default=None)
    if role == "renter" and last and rng.random() < 0.07:
        earliest = last + timedelta(days=120)
        latest = date(2026, 9, 30)
        if earliest < latest:
            ended = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
            reason = rng.choices(["moved", "deceased"], weights=[7, 3])[0]
            plan.end = (reason, ended, ended + timedelta(days=rng.randint(3, 12)))
            plan.behaviour = "regular"
    return plan


def programme_plans(spec: SchemeSpec, programme: Programme) -> list[HouseholdPlan]:
    enrolments = (
        Enrolment.objects.filter(
            programme=programme,
            status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.ENDED],
            household__erased_at__isnull=True,
            household__demo=True,  # never a household registered by hand
            household__organisation__slug__in=list(REGISTRAR),
            # No contract without consent: households without it get no rental story.
            household__consents__purpose="programme",
            household__consents__withdrawn_on__isnull=True,
        )
        .distinct()
        .select_related("household__organisation")
        .order_by("pk")
    )
    plans = [household_plan(spec, e.household) for e in enrolments]
    return sorted((p for p in plans if p is not None), key=lambda p: p.key)


# --- Loading -----------------------------------------------------------------------------------


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _next_working_day(day: date) -> date:
    return day + timedelta(days=1) if day.weekday() == 6 else day


COUNTED: tuple[type[Model], ...] = (
    RentalScheme,
    Offer,
    ApplianceModel,
    Unit,
    UnitEvent,
    Application,
    Contract,
    ContractUnit,
    Visit,
    Ticket,
    Charge,
    Payment,
    Allocation,
    BankImport,
    BankLine,
    ArrearsStep,
    ResidentAccess,
)


# How the counts of what was made are printed by demo_data.
COUNT_LABELS = {
    "RentalScheme": "rental schemes",
    "Offer": "rental offers",
    "ApplianceModel": "appliance models",
    "Unit": "units",
    "UnitEvent": "unit events",
    "Application": "rental applications",
    "Contract": "rental contracts",
    "ContractUnit": "unit installations",
    "Visit": "visits",
    "Ticket": "service tickets",
    "Charge": "charges",
    "Payment": "payments",
    "Allocation": "payment allocations",
    "BankImport": "bank statements",
    "BankLine": "bank lines",
    "ArrearsStep": "arrears steps",
    "ResidentAccess": "resident links",
}


def _counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


class RentalDemo:
    def __init__(
        self,
        result: LoadResult,
        orgs: dict[str, Organisation],
        actings: dict[str, Acting],
        programmes: dict[str, Programme],
        adopted: frozenset[str] = frozenset(),
    ) -> None:
        self.result = result
        self.orgs = orgs
        self.actings = actings
        self.programmes = programmes
        self.adopted = adopted  # programmes adopted from a package in this run
        self.technician = actings[TECHNICIAN].user
        # The staff who book the payments of each collecting organisation.
        self.collector_actings = {orgs[slug].pk: actings[user] for slug, user in REGISTRAR.items()}
        self.last_event = UnitEvent.objects.aggregate(m=Max("pk"))["m"] or 0

    # Timestamps of what the services just did are set back to the day it happened.
    def _events_on(self, when: datetime) -> None:
        UnitEvent.objects.filter(pk__gt=self.last_event).update(at=when)
        self.last_event = UnitEvent.objects.aggregate(m=Max("pk"))["m"] or self.last_event

    def _registrar(self, household: Household) -> Acting:
        return self.actings[REGISTRAR[household.organisation.slug]]

    def _visitor(self, spec: SchemeSpec) -> Acting:
        """Who records visits as done: the supplier's technician, or the lead's coordinator."""
        return self.actings[spec.technician or spec.coordinator]

    def run(self) -> None:
        before = _counts()
        plans: dict[str, list[HouseholdPlan]] = {}
        for spec in SCHEMES:
            programme = self.programmes[spec.programme]
            plans[spec.programme] = programme_plans(spec, programme)
            self.set_up(spec, programme, plans[spec.programme])
        everything = [p for spec in SCHEMES for p in plans[spec.programme]]
        self.history(everything)
        for spec in SCHEMES:
            self.tickets(spec, plans[spec.programme])
        self.endings(everything)
        self.upcoming(everything)
        self.waiting(everything)
        for spec in SCHEMES:
            programme = self.programmes[spec.programme]
            self.billing(programme)
            self.payments(spec, programme, plans[spec.programme])
            self.arrears(plans[spec.programme])
        self.resident_access(everything)
        after = _counts()
        for name, n in after.items():
            if n != before[name]:
                self.result.count(COUNT_LABELS.get(name, name), n - before[name])

    # --- set-up: scheme, offers, catalogue, units
    def configure(self, spec: SchemeSpec, programme: Programme, adopted: bool = False) -> None:
        """The scheme, the offers and the catalogue. Run before the households too
        (load_set_up, order 7), so that practices/demo.py can adopt a programme's package.
        A programme just adopted from another's package (`adopted`) is adapted to its own
        spec: its collector and supplier, its fees, the categories it offers."""
        coordinator = self.actings[spec.coordinator]
        collector, supplier = self.orgs[spec.collector], self.orgs[spec.supplier]
        scheme = RentalScheme.objects.filter(programme=programme).first()
        if scheme is None or (
            adopted and (scheme.collector_id, scheme.supplier_id) != (collector.pk, supplier.pk)
        ):
            services.rental_scheme_configure(
                acting=coordinator,
                programme=programme,
                collector=collector,
                supplier=supplier,
                max_appliances=scheme.max_appliances if scheme else 3,
                ticket_reminder_days=scheme.ticket_reminder_days if scheme else 10,
            )
        offers = {o.category: o for o in Offer.objects.filter(programme=programme)}
        for category, (fee, subsidy) in spec.offers.items():
            offer = offers.get(category)
            if offer is None or (
                adopted and (offer.tenant_fee, offer.subsidy) != (D(fee), D(subsidy))
            ):
                services.offer_set(
                    acting=coordinator,
                    programme=programme,
                    category=category,
                    tenant_fee=D(fee),
                    subsidy=D(subsidy),
                    term_months=120,
                )
        if adopted:  # the adopter rents fewer kinds of appliance than the source
            for category in sorted(set(offers) - set(spec.offers)):
                services.offer_remove(acting=coordinator, programme=programme, category=category)
        existing = {
            (m.brand, m.model_name) for m in ApplianceModel.objects.filter(programme=programme)
        }
        for model_spec in spec.catalogue:
            if (model_spec.brand, model_spec.model_name) not in existing:
                services.appliance_model_create(
                    acting=coordinator, programme=programme, **model_spec.fields()
                )

    def set_up(self, spec: SchemeSpec, programme: Programme, plans: list[HouseholdPlan]) -> None:
        collector = self.orgs[spec.collector]
        partners = programme.partners.filter(role=ProgrammePartner.Role.COLLECTOR)
        found = {collector, *(p.organisation for p in partners.select_related("organisation"))}
        for org in sorted(found, key=lambda o: o.slug):
            if not org.sepa_creditor_id:
                # An installation admin's act, like organisation_create: the collector's bank
                # gave it this identifier for its direct debits.
                org.sepa_creditor_id = clean_sepa_creditor_id(sepa_creditor_id(org))
                org.save(update_fields=["sepa_creditor_id"])
                self.result.count("SEPA creditor identifiers")
        self.configure(spec, programme, adopted=spec.programme in self.adopted)
        models: dict[str, list[ApplianceModel]] = defaultdict(list)
        existing = {
            (m.brand, m.model_name): m for m in ApplianceModel.objects.filter(programme=programme)
        }
        for model_spec in spec.catalogue:
            models[model_spec.category].append(existing[(model_spec.brand, model_spec.model_name)])
        self._units(spec, programme, plans, models)

    def _units(
        self,
        spec: SchemeSpec,
        programme: Programme,
        plans: list[HouseholdPlan],
        models: dict[str, list[ApplianceModel]],
    ) -> None:
        """Enough units for the history and the coming installations, plus the spares; the
        serial numbers are numbered per model, so a second run finds them all."""
        needed: dict[str, int] = defaultdict(int)
        for plan in plans:
            if plan.role != "waiting":
                for rental in plan.rentals:
                    needed[rental.category] += 1
        for category, spare in spec.spare.items():
            needed[category] += spare
        coordinator = self.actings[spec.coordinator]
        prefix = {m.model_name: m.serial_prefix for m in spec.catalogue}
        known = set(
            Unit.objects.filter(programme=programme).values_list("appliance_model_id", "serial")
        )
        delivered = _at(spec.first_install - timedelta(days=21), 9)
        for category in spec.offers:
            category_models = models.get(category, [])
            if not category_models:
                continue
            extras = [e for e in EXTRA_UNITS.get(spec.programme, ()) if e[0] == category]
            # Round robin over the models of the category, so contracts alternate models.
            for n in range(needed[category] + len(extras)):
                model = category_models[n % len(category_models)]
                number = n // len(category_models) + 1
                serial = f"{prefix[model.model_name]}{number:06d}"
                if (model.pk, serial) in known:
                    continue
                extra = extras[n - needed[category]] if n >= needed[category] else None
                unit = services.unit_create(
                    acting=coordinator,
                    appliance_model=model,
                    serial=serial,
                    refurbished=extra is None and number % 5 == 3,
                    status=UnitStatus.ORDERED if extra else UnitStatus.IN_STOCK,
                )
                Unit.objects.filter(pk=unit.pk).update(created_at=delivered)
                if extra and extra[1] != UnitStatus.ORDERED:
                    services.unit_transition(
                        acting=coordinator, unit=unit, to=UnitStatus.IN_STOCK, note="geleverd"
                    )
                    services.unit_transition(
                        acting=coordinator, unit=unit, to=extra[1], note=extra[2]
                    )
                self._events_on(delivered)

    # --- history: application, contract, installation
    def history(self, plans: list[HouseholdPlan]) -> None:
        rentals = [
            (rental, plan) for plan in plans if plan.role == "renter" for rental in plan.rentals
        ]
        rentals.sort(key=lambda rp: (rp[0].installed_on, rp[1].key, rp[0].category))
        applied = self._applied()
        for rental, plan in rentals:
            if (plan.household.pk, rental.category) in applied:
                continue
            contract = self._contract(plan, rental)
            if rental.installed_on is None:
                raise RuntimeError("rental.installed_on must be set")
            visit = contract.visits.get(kind=Visit.Kind.INSTALLATION)
            visitor = self._visitor(plan.scheme)
            if plan.scheme.technician:
                services.visit_assign(
                    acting=self.actings[plan.scheme.coordinator],
                    visit=visit,
                    technician=self.technician,
                )
            services.visit_complete(
                acting=visitor,
                visit=visit,
                done_on=rental.installed_on,
                disposal=rental.disposal,
                report=_installation_report(rental),
            )
            done = _at(rental.installed_on, 11 if rental.window.startswith("0") else 14)
            Visit.objects.filter(pk=visit.pk).update(done_at=done)
            self._events_on(done)

    def _applied(self) -> set[tuple[int, str]]:
        return set(
            Application.objects.filter(
                programme__slug__in=[s.programme for s in SCHEMES]
            ).values_list("household_id", "category")
        )

    def _contract(self, plan: HouseholdPlan, rental: RentalPlan) -> Contract:
        """Application, contract and signature, through the services, dated as planned."""
        acting = self._registrar(plan.household)
        programme = self.programmes[plan.scheme.programme]
        application = services.application_create(
            acting=acting,
            household=plan.household,
            programme=programme,
            category=rental.category,
            **rental.old,
        )
        Application.objects.filter(pk=application.pk).update(applied_at=_at(rental.applied_on))
        contract = services.contract_draft(acting=acting, application=application)
        if rental.signed_on is None:
            raise RuntimeError("rental.signed_on must be set")
        direct_debit = plan.method == PaymentMethod.DIRECT_DEBIT
        installation_on = rental.installed_on or self._upcoming_day(plan)
        contract = services.contract_sign(
            acting=acting,
            contract=contract,
            payment_method=plan.method,
            installation_on=installation_on,
            debtor_iban=plan.debtor_iban if direct_debit else "",
            mandate_signed_on=rental.signed_on if direct_debit else None,
        )
        Contract.objects.filter(pk=contract.pk).update(
            created_at=_at(rental.applied_on, 11), signed_at=_at(rental.signed_on, 15)
        )
        Visit.objects.filter(contract=contract).update(window=rental.window)
        self._events_on(_at(rental.signed_on, 15))
        return contract

    def _upcoming_day(self, plan: HouseholdPlan) -> date:
        offset = UPCOMING_OFFSETS[_stable_int(plan.key) % len(UPCOMING_OFFSETS)]
        day = timezone.localdate() + timedelta(days=offset)
        return day if offset == 0 else _next_working_day(day)

    # --- service tickets
    def tickets(self, spec: SchemeSpec, plans: list[HouseholdPlan]) -> None:
        if spec.technician is None:
            return  # the Arnhem programme is young: no breakdowns yet
        programme = self.programmes[spec.programme]
        done = set(
            Ticket.objects.filter(contract__programme=programme).values_list(
                "description", flat=True
            )
        )
        ending = {p.household.pk for p in plans if p.end}
        candidates = sorted(
            Contract.objects.filter(programme=programme, status=Contract.Status.ACTIVE)
            .exclude(household_id__in=ending)
            .select_related("household__organisation", "unit"),
            key=lambda c: (c.start_date, household_key(c.household), c.category),
        )
        used = set(
            Ticket.objects.filter(contract__programme=programme).values_list(
                "contract_id", flat=True
            )
        )
        for ticket_spec in TICKETS:
            if ticket_spec.description in done:
                continue
            opened = ticket_spec.opened or DEMO_TODAY - timedelta(days=ticket_spec.days_ago)
            rng = _rng("ticket", ticket_spec.description)
            eligible = [
                c
                for c in candidates
                if c.pk not in used
                and c.start_date is not None
                and c.start_date <= opened - timedelta(days=60)
                and (
                    ticket_spec.outcome not in ("swap", "plan_swap")
                    or selectors.free_units(programme, c.category).exists()
                )
            ]
            if not eligible:
                continue
            contract = rng.choice(eligible)
            used.add(contract.pk)
            self._ticket(spec, contract, ticket_spec, opened)

    def _ticket(
        self, spec: SchemeSpec, contract: Contract, ticket_spec: "TicketSpec", opened: date
    ) -> None:
        registrar = self._registrar(contract.household)
        coordinator = self.actings[spec.coordinator]
        technician = self.actings[TECHNICIAN]
        if ticket_spec.channel == Ticket.Channel.RESIDENT:
            ticket = services.ticket_open_by_resident(
                household=contract.household,
                contract=contract,
                description=ticket_spec.description,
            )
        else:
            ticket = services.ticket_open(
                acting=registrar,
                contract=contract,
                channel=ticket_spec.channel,
                description=ticket_spec.description,
            )
        Ticket.objects.filter(pk=ticket.pk).update(opened_at=_at(opened, 9, 40))
        self._events_on(_at(opened, 9, 40))
        if ticket_spec.outcome == "open":
            return
        kind = Visit.Kind.SWAP if "swap" in ticket_spec.outcome else Visit.Kind.REPAIR
        if ticket_spec.outcome.startswith("plan"):
            planned_on = timezone.localdate() + timedelta(days=ticket_spec.visit_after)
        else:
            planned_on = opened + timedelta(days=ticket_spec.visit_after)
        visit = services.visit_plan(
            acting=coordinator,
            contract=contract,
            kind=kind,
            planned_on=planned_on,
            window=WINDOWS[ticket_spec.visit_after % len(WINDOWS)],
            technician=self.technician,
            ticket=ticket,
        )
        if ticket_spec.outcome.startswith("plan"):
            return
        replacement = None
        if kind == Visit.Kind.SWAP:
            replacement = selectors.free_units(contract.programme, contract.category).first()
        old_unit = contract.unit_id
        services.visit_complete(
            acting=technician,
            visit=visit,
            done_on=planned_on,
            report=ticket_spec.report,
            replacement=replacement,
        )
        done = _at(planned_on, 15)
        Visit.objects.filter(pk=visit.pk).update(done_at=done)
        Ticket.objects.filter(pk=ticket.pk).update(resolved_at=done)
        if ticket_spec.after_swap:
            services.unit_transition(
                acting=technician,
                unit=Unit.objects.get(pk=old_unit),
                to=ticket_spec.after_swap[0],
                note=ticket_spec.after_swap[1],
            )
        self._events_on(done)

    # --- contracts that ended: moved or deceased, the unit collected and refurbished
    def endings(self, plans: list[HouseholdPlan]) -> None:
        for plan in plans:
            if plan.end is None:
                continue
            reason, ended, collected = plan.end
            running = Contract.objects.filter(
                household=plan.household,
                programme=self.programmes[plan.scheme.programme],
                status=Contract.Status.ACTIVE,
            ).order_by("pk")
            visitor = self._visitor(plan.scheme)
            for contract in running:
                services.contract_end(
                    acting=self._registrar(plan.household),
                    contract=contract,
                    reason=reason,
                    on=ended,
                    collection_on=collected,
                )
                visit = contract.visits.get(kind=Visit.Kind.RETURN)
                if plan.scheme.technician:
                    services.visit_assign(
                        acting=self.actings[plan.scheme.coordinator],
                        visit=visit,
                        technician=self.technician,
                    )
                services.visit_complete(
                    acting=visitor,
                    visit=visit,
                    done_on=collected,
                    report="Toestel opgehaald en naar de werkplaats gebracht.",
                )
                Visit.objects.filter(pk=visit.pk).update(done_at=_at(collected, 11))
                self._events_on(_at(collected, 11))
                manager = self.actings[plan.scheme.coordinator]
                unit = Unit.objects.get(pk=contract.unit_id)
                services.unit_transition(
                    acting=manager, unit=unit, to=UnitStatus.REFURBISHING, note="nazicht"
                )
                self._events_on(_at(collected + timedelta(days=2), 10))
                worn = _stable_int(unit.serial) % 3 == 0
                services.unit_transition(
                    acting=manager,
                    unit=Unit.objects.get(pk=unit.pk),
                    to=UnitStatus.RETIRED if worn else UnitStatus.IN_STOCK,
                    note="Versleten, gerecycleerd." if worn else "Gereinigd en nagekeken.",
                )
                self._events_on(_at(collected + timedelta(days=16), 10))
            enrolment = Enrolment.objects.filter(
                household=plan.household,
                programme=self.programmes[plan.scheme.programme],
                status=Enrolment.Status.ENROLLED,
            ).first()
            if enrolment is not None:
                enrolment_end(acting=self._registrar(plan.household), enrolment=enrolment)

    # --- the coming days: signed contracts waiting for their installation
    def upcoming(self, plans: list[HouseholdPlan]) -> None:
        applied = self._applied()
        for plan in sorted(plans, key=lambda p: (p.rentals[0].applied_on, p.key)):
            if plan.role != "upcoming":
                continue
            rental = plan.rentals[0]
            if (plan.household.pk, rental.category) in applied:
                continue
            contract = self._contract(plan, rental)
            if plan.scheme.technician:
                services.visit_assign(
                    acting=self.actings[plan.scheme.coordinator],
                    visit=contract.visits.get(kind=Visit.Kind.INSTALLATION),
                    technician=self.technician,
                )

    # --- the waiting list
    def waiting(self, plans: list[HouseholdPlan]) -> None:
        applied = self._applied()
        for plan in sorted(plans, key=lambda p: (p.rentals[0].applied_on, p.key)):
            if plan.role != "waiting":
                continue
            rental = plan.rentals[0]
            if (plan.household.pk, rental.category) in applied:
                continue
            application = services.application_create(
                acting=self._registrar(plan.household),
                household=plan.household,
                programme=self.programmes[plan.scheme.programme],
                category=rental.category,
                **rental.old,
            )
            Application.objects.filter(pk=application.pk).update(
                applied_at=_at(rental.applied_on, 14)
            )
        for spec in SCHEMES:
            programme = self.programmes[spec.programme]
            queue = list(selectors.waiting_list(programme))
            if not queue or any(a.priority for a in queue):
                continue
            # The largest household waiting gets priority: the coordinator's call, with a reason.
            first = max(queue, key=lambda a: (a.household.size, -a.pk))
            services.application_prioritise(
                acting=self.actings[spec.coordinator],
                application=first,
                reason=PRIORITY_REASON,
            )

    # --- billing: one run per month, as the operator would have run it
    def billing(self, programme: Programme) -> None:
        first = Contract.objects.filter(programme=programme).aggregate(m=Min("start_date"))["m"]
        if first is None:
            return
        month = first.replace(day=1)
        while month <= LAST_BILLED_MONTH:
            services.billing_run(
                acting=operator_acting(programme.lead_organisation),
                programme=programme,
                month=month,
            )
            month = (month + timedelta(days=32)).replace(day=1)

    # --- payments
    def payments(self, spec: SchemeSpec, programme: Programme, plans: list[HouseholdPlan]) -> None:
        """Each household pays the organisation that collects its fees (the contract says
        which): most every month, some fall behind. Transfers and direct debits of the last
        months arrive on the collector's bank statements (CAMT.053 files)."""
        owed: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for household_id, month, amount in Charge.objects.filter(
            contract__programme=programme
        ).values_list("contract__household_id", "month", "tenant_amount"):
            owed[household_id][month] += amount
        references: dict[int, str] = {}
        collectors: dict[int, int] = {}
        # The first contract's reference: households keep using the one they know.
        for household_id, reference, collector_id in (
            Contract.objects.filter(programme=programme)
            .order_by("-pk")
            .values_list("household_id", "payment_reference", "collector_id")
        ):
            references[household_id] = reference
            collectors[household_id] = collector_id
        existing = set(
            Payment.objects.filter(household_id__in=list(owed)).values_list(
                "household_id", "received_on", "method"
            )
        )
        statements: dict[int, dict[date, list[StatementEntry]]] = defaultdict(
            lambda: defaultdict(list)
        )
        camt = spec.country == "BE"
        for plan in plans:
            months = owed.get(plan.household.pk)
            if not months:
                continue
            collector_id = collectors[plan.household.pk]
            unpaid = {"behind1": 1, "behind2": 2, "behind3": 4}.get(plan.behaviour, 0)
            last_paid = _add_months(LAST_BILLED_MONTH, -unpaid)
            for month, amount in sorted(months.items()):
                if month > last_paid:
                    continue
                if plan.behaviour == "partial" and month == LAST_BILLED_MONTH:
                    amount = max(amount - D("4.00"), D("1.00"))
                received = self._pay_day(plan, month)
                method = plan.method
                reference = references[plan.household.pk]
                if camt and month in CAMT_MONTHS and method in ("transfer", "direct_debit"):
                    entry = StatementEntry(plan, received, amount, reference)
                    statements[collector_id][month].append(entry)
                    continue
                if (plan.household.pk, received, method) in existing:
                    continue
                services.payment_record(
                    acting=self.collector_actings[collector_id],
                    household=plan.household,
                    amount=amount,
                    received_on=received,
                    method=method,
                    reference=reference if method != "cash" else "",
                )
        for collector_id, by_month in sorted(statements.items()):
            self._bank_statements(programme, self.collector_actings[collector_id], by_month)

    def _pay_day(self, plan: HouseholdPlan, month: date) -> date:
        rng = _rng("pay", plan.key, month)
        first_day = {
            "transfer": rng.randint(1, 9),
            "direct_debit": 9,
            "cash": rng.randint(4, 24),
            "budget_management": rng.randint(2, 6),
        }[plan.method]
        day = month + timedelta(days=first_day)
        start = plan.first_install
        if start and day < start + timedelta(days=2):
            day = start + timedelta(days=2)
        return min(day, DEMO_TODAY)

    def _bank_statements(
        self, programme: Programme, acting: Acting, statements: dict[date, list["StatementEntry"]]
    ) -> None:
        """One CAMT.053 file per month, imported as the collector would upload it. A re-import
        stores nothing: the bank's entry references are already known."""
        org = acting.organisation
        for month in CAMT_MONTHS:
            entries = sorted(statements.get(month, []), key=lambda e: (e.booked_on, e.plan.key))
            # Every month someone pays without the reference: a line for a person to resolve.
            forgetful = next((e for e in entries if e.plan.method == "transfer"), None)
            xml = camt053(org, month, entries, forgetful)
            filename = f"CAMT053_{org.slug}_{month:%Y%m}.xml"
            report = services.bank_statement_import(acting=acting, filename=filename, data=xml)
            if report.errors:
                raise ValueError(f"demo bank statement refused: {report.errors}")
            if report.bank_import is not None:
                BankImport.objects.filter(pk=report.bank_import.pk).update(
                    imported_at=_at(_add_months(month, 1) + timedelta(days=2), 8, 30)
                )
            if month == CAMT_MONTHS[-1]:
                continue  # the last month's stay for the demo user to resolve
            for line in BankLine.objects.filter(
                bank_import__collector=org,
                bank_import__filename=filename,
                status=BankLine.Status.UNMATCHED,
            ):
                if line.counterparty == GIFT_FROM or forgetful is None:
                    services.bank_line_ignore(
                        acting=acting, line=line, reason="Gift voor de buurtwerking, geen huur."
                    )
                else:
                    contract = Contract.objects.filter(
                        household=forgetful.plan.household, programme=programme
                    ).first()
                    if contract is None:
                        raise RuntimeError("contract must be set")
                    services.bank_line_resolve(acting=acting, line=line, contract=contract)

    # --- arrears: the gentle steps a social worker took
    def arrears(self, plans: list[HouseholdPlan]) -> None:
        taken = set(ArrearsStep.objects.values_list("household_id", "level"))
        for plan in plans:
            if plan.behaviour not in ("behind1", "behind2", "behind3") or not plan.arrears_steps:
                continue
            levels = (1,) if plan.behaviour == "behind1" else (1, 2)
            for level in levels:
                if (plan.household.pk, level) in taken:
                    continue
                collector = self._registrar(plan.household).organisation
                if selectors.arrears_next_step(plan.household, collector=collector) != level:
                    break
                letters.arrears_step_take(  # the reminder step comes with its letter
                    acting=self._registrar(plan.household),
                    household=plan.household,
                    level=level,
                    note=ARREARS_NOTES[level],
                )

    # --- the resident page of one household, with a PIN printed by demo_data
    def resident_access(self, plans: list[HouseholdPlan]) -> None:
        renters = [
            p
            for p in plans
            if p.role == "renter"
            and p.end is None
            and p.behaviour == "regular"
            and p.household.organisation.slug == "ocmw-oostende"
        ]
        if not renters:
            return
        plan = max(renters, key=lambda p: (len(p.rentals), p.key))
        access = ResidentAccess.objects.filter(household=plan.household).first()
        if access is None:
            key, _pin = services.resident_access_issue(
                acting=self._registrar(plan.household),
                household=plan.household,
                valid_days=services.MAX_VALID_DAYS,
            )
            # A known PIN for the demo only; a real letter carries the random one.
            ResidentAccess.objects.filter(key=key).update(pin_hash=make_password(DEMO_PIN))
            access = ResidentAccess.objects.get(key=key)
        if check_password(DEMO_PIN, access.pin_hash):
            self.result.resident = (reverse("resident:pin", args=[access.key]), DEMO_PIN)


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _installation_report(rental: RentalPlan) -> str:
    if rental.disposal == "recycled":
        return "Geplaatst en uitgelegd. Oud toestel meegenomen voor recyclage."
    if rental.disposal == "left":
        return "Geplaatst en uitgelegd. Het gezin houdt het oude toestel (tweede woning)."
    return "Geplaatst en uitgelegd. Geen oud toestel."


@dataclass(frozen=True)
class TicketSpec:
    description: str
    channel: str
    outcome: str  # repair, swap, open, plan_repair, plan_swap
    opened: date | None = None  # a fixed day of the history, or
    days_ago: int = 0  # days before DEMO_TODAY
    visit_after: int = 0  # days after opening (history) or from the real date (plan_*)
    report: str = ""
    after_swap: tuple[str, str] | None = None  # what the workshop did with the old unit


TICKETS = (
    # First the ones that give the technician work in the coming days.
    TicketSpec(
        "Het toestel maakt sinds vorige week veel lawaai.",
        Ticket.Channel.PHONE,
        "plan_repair",
        days_ago=4,
        visit_after=1,
    ),
    TicketSpec(
        "Tweede keer defect dit jaar; het toestel slaat telkens af.",
        Ticket.Channel.DESK,
        "plan_swap",
        days_ago=6,
        visit_after=0,
    ),
    TicketSpec(
        "De deur sluit niet goed meer, de rubber is gescheurd.",
        Ticket.Channel.RESIDENT,
        "open",
        days_ago=17,  # longer than the 10 days of the scheme: overdue
    ),
    TicketSpec(
        "Er brandt een rood lampje en het toestel start niet.",
        Ticket.Channel.PHONE,
        "open",
        days_ago=1,
    ),
    TicketSpec(
        "Het toestel lekt water onderaan.",
        Ticket.Channel.PHONE,
        "repair",
        opened=date(2024, 11, 18),
        visit_after=5,
        report="Afvoerslang zat los; vastgezet en getest.",
    ),
    TicketSpec(
        "Het toestel slaat af na een paar minuten en toont een foutcode.",
        Ticket.Channel.DESK,
        "repair",
        opened=date(2025, 6, 3),
        visit_after=8,
        report="Sensor vervangen, werkt weer.",
    ),
    TicketSpec(
        "Het toestel maakt een luid schurend geluid en werkt niet meer.",
        Ticket.Channel.PHONE,
        "swap",
        opened=date(2025, 10, 14),
        visit_after=9,
        report="Motor defect; toestel vervangen door een ander exemplaar.",
        after_swap=(UnitStatus.RETIRED, "Motor defect, herstelling te duur; gerecycleerd."),
    ),
    TicketSpec(
        "Toestel doet niets meer, ook niet na de stekker eruit te halen.",
        Ticket.Channel.RESIDENT,
        "swap",
        opened=date(2026, 5, 20),
        visit_after=6,
        report="Elektronica defect; meteen vervangen, oud toestel naar de werkplaats.",
        after_swap=(UnitStatus.IN_STOCK, "Printplaat vervangen in de werkplaats."),
    ),
)

PRIORITY_REASON = (
    "Groot gezin met jonge kinderen; het oude toestel is stuk en er is geen geld om het te "
    "laten herstellen. Besproken op het teamoverleg."
)
ARREARS_NOTES = {
    1: "Herinneringsbrief in eenvoudige taal verstuurd.",
    2: "Maatschappelijk werker gevraagd om contact op te nemen en een afbetalingsplan te bekijken.",
}


# --- Bank statements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementEntry:
    plan: HouseholdPlan
    booked_on: date
    amount: Decimal
    reference: str  # the contract's payment reference, +++123/4567/89002+++


GIFT_FROM = "VZW De Zonnebloem"
CAMT_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def camt053(
    org: Organisation,
    month: date,
    entries: list[StatementEntry],
    forgetful: StatementEntry | None,
) -> bytes:
    """A CAMT.053 statement of the collector's account for a month: the households'
    transfers, one direct-debit batch, a gift and one transfer without its reference."""
    ET.register_namespace("", CAMT_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{CAMT_NS}}}{tag}", attrib)
        if text is not None:
            element.text = text
        return element

    def chain(parent: ET.Element, path: str, text: str) -> None:
        for tag in path.split("/"):
            parent = sub(parent, tag)
        parent.text = text

    stamp = f"{_add_months(month, 1) + timedelta(days=1):%Y-%m-%d}T06:00:00"
    document = ET.Element(f"{{{CAMT_NS}}}Document")
    statement_root = sub(document, "BkToCstmrStmt")
    header = sub(statement_root, "GrpHdr")
    sub(header, "MsgId", f"DEMO-{org.slug}-{month:%Y%m}")
    sub(header, "CreDtTm", stamp)
    statement = sub(statement_root, "Stmt")
    sub(statement, "Id", f"{month:%Y-%m}")
    sub(statement, "CreDtTm", stamp)
    account = sub(statement, "Acct")
    chain(account, "Id/IBAN", org.iban)
    sub(account, "Ccy", "EUR")
    chain(account, "Ownr/Nm", org.name)

    def entry(
        ref: str, booked: date, amount: Decimal, code: tuple[str, str], details: list[ET.Element]
    ) -> ET.Element:
        ntry = sub(statement, "Ntry")
        sub(ntry, "Amt", f"{amount:.2f}", Ccy="EUR")
        sub(ntry, "CdtDbtInd", "CRDT")
        sub(ntry, "Sts", "BOOK")
        chain(ntry, "BookgDt/Dt", booked.isoformat())
        chain(ntry, "ValDt/Dt", booked.isoformat())
        sub(ntry, "AcctSvcrRef", ref)
        domain = sub(sub(ntry, "BkTxCd"), "Domn")
        sub(domain, "Cd", "PMNT")
        family = sub(domain, "Fmly")
        sub(family, "Cd", code[0])
        sub(family, "SubFmlyCd", code[1])
        details_root = sub(ntry, "NtryDtls")
        for detail in details:
            details_root.append(detail)
        return ntry

    def tx(
        ref: str, amount: Decimal, name: str, iban: str, structured: str, text: str
    ) -> ET.Element:
        element = ET.Element(f"{{{CAMT_NS}}}TxDtls")
        refs = sub(element, "Refs")
        sub(refs, "AcctSvcrRef", ref)
        sub(refs, "EndToEndId", "NOTPROVIDED")
        amount_details = sub(sub(element, "AmtDtls"), "TxAmt")
        sub(amount_details, "Amt", f"{amount:.2f}", Ccy="EUR")
        parties = sub(element, "RltdPties")
        chain(parties, "Dbtr/Nm", name)
        chain(parties, "DbtrAcct/Id/IBAN", iban)
        remittance = sub(element, "RmtInf")
        if structured:
            creditor_ref = sub(sub(remittance, "Strd"), "CdtrRefInf")
            kind = sub(creditor_ref, "Tp")
            chain(kind, "CdOrPrtry/Cd", "SCOR")
            sub(kind, "Issr", "BBA")
            sub(creditor_ref, "Ref", structured)
        else:
            sub(remittance, "Ustrd", text)
        return element

    digits = "".join

    def name_of(plan: HouseholdPlan) -> str:
        return f"{plan.household.last_name.upper()} {plan.household.first_name}"

    def bank_ref(plan: HouseholdPlan, kind: str) -> str:
        return f"{month:%Y%m}{kind}{_stable_int(plan.key):010d}"

    for n, e in enumerate(x for x in entries if x.plan.method == "transfer"):
        ref = bank_ref(e.plan, "T")
        if e is forgetful:
            detail = tx(ref, e.amount, name_of(e.plan), e.plan.debtor_iban, "", "huur toestel")
        elif n % 3 == 0:  # some banks' apps put the reference in the free text
            text = f"huur {e.reference}"
            detail = tx(ref, e.amount, name_of(e.plan), e.plan.debtor_iban, "", text)
        else:
            structured = digits(c for c in e.reference if c.isdigit())
            detail = tx(ref, e.amount, name_of(e.plan), e.plan.debtor_iban, structured, "")
        entry(ref, e.booked_on, e.amount, ("RCDT", "ESCT"), [detail])
    debits = [e for e in entries if e.plan.method == "direct_debit"]
    if debits:
        batch = [
            tx(
                bank_ref(e.plan, "D"),
                e.amount,
                name_of(e.plan),
                e.plan.debtor_iban,
                "",
                f"Huur {e.reference}",
            )
            for e in debits
        ]
        total = sum((e.amount for e in debits), Decimal("0.00"))
        entry(f"{month:%Y%m}DDBATCH", debits[0].booked_on, total, ("RDDT", "ESDD"), batch)
    gift = tx(
        f"{month:%Y%m}GIFT",
        D("25.00"),
        GIFT_FROM,
        be_iban(90_000 + month.month),
        "",
        "Gift buurtwerking",
    )
    entry(f"{month:%Y%m}GIFT", month + timedelta(days=14), D("25.00"), ("RCDT", "ESCT"), [gift])
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)


def load_rentals(
    result: LoadResult,
    orgs: dict[str, Organisation],
    actings: dict[str, Acting],
    programmes: dict[str, Programme],
    adopted: frozenset[str] = frozenset(),
) -> None:
    """Build (or find in place) the rental history of the demo programmes."""
    RentalDemo(result, orgs, actings, programmes, adopted).run()


def load_set_up(
    result: LoadResult,
    orgs: dict[str, Organisation],
    actings: dict[str, Acting],
    programmes: dict[str, Programme],
) -> None:
    """The set-up (scheme, offers, catalogue) of the demo programmes that exist already, before
    the households: the West-Flemish one is then ready to be adopted by Arnhem through its
    package (practices/demo.py)."""
    demo = RentalDemo(result, orgs, actings, programmes)
    for spec in SCHEMES:
        if spec.programme in programmes:
            demo.configure(spec, programmes[spec.programme])


# --- Visits handed to a job bureau (core/handoffs.py) ----------------------------------------

HANDED_POSTCODES = ("8400",)  # the Oostende bureau's area
HANDED_VISITS = 3


def load_handoffs(programmes: dict[str, Programme], actings: dict[str, Acting]) -> int:
    """The West-Flemish programme hands a few coming deliveries in Oostende to a job bureau
    that takes its visits (after the bureaus are loaded); a second run hands none again."""

    programme = programmes.get("huren-wvl")
    if programme is None:
        return 0
    bureaus = selectors.handoff_bureaus(programme)
    if not bureaus:
        return 0
    coordinator = actings["coordinator"]
    visits = list(
        Visit.objects.filter(
            contract__programme=programme,
            kind__in=(Visit.Kind.INSTALLATION, Visit.Kind.RETURN),
            status=Visit.Status.PLANNED,
            planned_on__gte=local_today(programme.lead_organisation),
            contract__household__postcode__in=HANDED_POSTCODES,
        ).order_by("planned_on", "pk")[: HANDED_VISITS * 3]
    )
    states = selectors.handoff_states(visits)
    handed = sum(1 for s in states.values() if s.open)
    for visit in visits:
        if handed >= HANDED_VISITS:
            break
        if visit.pk in states:
            continue
        try:
            services.visit_hand_off(acting=coordinator, visit=visit, bureau_id=bureaus[0].id)
        except ValidationError:
            continue  # e.g. outside the bureau's area, or more than 90 days ahead
        handed += 1
    return handed
