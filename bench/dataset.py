"""The national-scale benchmark data set, written fast with bulk inserts.

At scale 1.0: 100,000 households registered by ten organisations (a lead organisation and
welfare offices), all enrolled in one appliance-rental programme; 200,000 units, each installed
under one active contract; 20,000 earlier contracts that ended (on units that were rented out
again); one application, one unit history row and one installation visit per contract; the
monthly charges of every contract from its start (spread over the last five years) up to the
current month; one payment a month per household with its allocations (most households pay
every month, one in ten falls behind).

The small set-up (organisations, users, programme, partners, rental scheme, offers, catalogue,
tariff) goes through the service functions, like the application would do it. The bulk rows
are written with COPY on PostgreSQL and executemany on SQLite, with primary keys assigned here
so that no row needs a round trip. Every database constraint holds by construction: unique
payment references (derived from the contract number), one active contract per unit, a unique
duplicate key per organisation (house numbers are unique per street and postcode), charges once
per contract and month, settled amounts equal to their allocations.

Runs inside a configured Django process on an empty, migrated database (see bench/run.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

SEED = 20261127
BENCH_PASSWORD = "bench-wijk-2026"
COORDINATOR = "bench-coordinator"
PROGRAMME_SLUG = "bench-rental"
HOUSEHOLDS = 100_000
ACTIVE_CONTRACTS = 200_000
ENDED_SHARE = 0.10  # ended contracts, as a share of the active ones
# Households pay each month's charges with one transfer during that month; most pay every
# month, some fall behind (they pay a month with this probability). The current month is not
# paid yet, so the benchmark can delete and bill it again.
ARREARS_SHARE = 0.10
ARREARS_PAY_PROBABILITY = 0.6
CHUNK = 50_000

OFFERS = {
    # category: (tenant fee, subsidy) per month
    "washing_machine": (Decimal("8.50"), Decimal("12.00")),
    "fridge": (Decimal("6.00"), Decimal("9.00")),
    "fridge_freezer": (Decimal("7.50"), Decimal("10.50")),
    "dryer": (Decimal("8.00"), Decimal("11.00")),
    "dishwasher": (Decimal("7.00"), Decimal("10.00")),
}
CATALOGUE = (
    ("washing_machine", "Bosch", "Serie 4 WAN28207", "A", {"kwh_per_100_cycles": "47.0"}),
    ("washing_machine", "Miele", "WWA028 WPS", "A", {"kwh_per_100_cycles": "49.0"}),
    ("fridge", "Liebherr", "Rd 2620", "D", {"kwh_per_year": "110.0"}),
    ("fridge_freezer", "Bosch", "KGN36VLED", "C", {"kwh_per_year": "160.0"}),
    ("dryer", "AEG", "TR8T60680", "A+++", {"kwh_per_100_cycles": "15.0"}),
    ("dishwasher", "Siemens", "SN23HI60AE", "D", {"kwh_per_100_cycles": "85.0"}),
)
WELFARE_OFFICES = (
    ("ocmw-oostende", "OCMW Oostende", "Oostende", "8400"),
    ("ocmw-brugge", "OCMW Brugge", "Brugge", "8000"),
    ("sh-roeselare", "Sociaal Huis Roeselare", "Roeselare", "8800"),
    ("sh-kortrijk", "Sociaal Huis Kortrijk", "Kortrijk", "8500"),
    ("ocmw-gent", "OCMW Gent", "Gent", "9000"),
    ("ocmw-antwerpen", "OCMW Antwerpen", "Antwerpen", "2000"),
    ("ocmw-leuven", "OCMW Leuven", "Leuven", "3000"),
    ("ocmw-hasselt", "OCMW Hasselt", "Hasselt", "3500"),
)
CITIES = [(city, postcode) for _slug, _name, city, postcode in WELFARE_OFFICES]


# ------------------------------------------------------------------------------ bulk writing
class BulkWriter:
    """Buffers rows per table and writes them in chunks: COPY on PostgreSQL, executemany on
    SQLite. Tables flush in the order they were registered, parents before children, so that
    each chunk's foreign keys already exist when its transaction commits."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.tables: dict[type[models.Model], tuple[str, list[str]]] = {}
        self.buffers: dict[type[models.Model], list[Sequence[Any]]] = {}
        self.counts: dict[str, int] = {}

    def table(self, model: type[models.Model], fields: Iterable[str]) -> None:
        columns = [str(model._meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]
        self.tables[model] = (model._meta.db_table, columns)
        self.buffers[model] = []
        self.counts.setdefault(model._meta.label, 0)

    def add(self, model: type[models.Model], row: Sequence[Any]) -> None:
        buffer = self.buffers[model]
        buffer.append(row)
        if len(buffer) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for model, rows in self.buffers.items():
            if rows:
                self._write(model, rows)
                self.counts[model._meta.label] += len(rows)
                self.buffers[model] = []

    def _write(self, model: type[models.Model], rows: list[Sequence[Any]]) -> None:
        table, columns = self.tables[model]
        qn = connection.ops.quote_name
        cols = ", ".join(qn(c) for c in columns)
        with transaction.atomic(), connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})", rows)

    # Values in the form the database driver takes them: psycopg adapts dates, datetimes and
    # decimals itself; for SQLite they are written the way Django stores them (text, UTC).
    def dt(self, value: datetime) -> Any:
        if self.vendor == "postgresql":
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")

    def d(self, value: date | None) -> Any:
        if value is None or self.vendor == "postgresql":
            return value
        return value.isoformat()

    def dec(self, value: Decimal | None) -> Any:
        if value is None or self.vendor == "postgresql":
            return value
        return str(value)


def next_pk(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1


def reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# ------------------------------------------------------------------------------ identifiers
def household_reference(n: int) -> str:
    """A unique reference for household n: a bijection of n (mod 31^7), in the readable
    alphabet of households.models, so it looks random but never repeats."""
    from households.models import REFERENCE_ALPHABET

    value = (n * 1_000_003) % 31**7
    chars = []
    for _ in range(7):
        value, digit = divmod(value, 31)
        chars.append(REFERENCE_ALPHABET[digit])
    return "H" + "".join(chars)


def unit_label(n: int) -> str:
    """A unique label code for unit n (an odd multiplier is a bijection modulo 2^48)."""
    return f"U{(n * 0x9E3779B97F4B) % 16**12:012X}"


def month_add(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


# ------------------------------------------------------------------------------ set-up
def setup(log: Callable[[str], None]) -> dict[str, Any]:
    """Organisations, users, programme, partners, scheme, offers, catalogue: via the services."""
    from core.models import Organisation, Programme, Role
    from core.services import (
        membership_add,
        organisation_create,
        programme_create,
        programme_partner_add,
        tariff_create,
        user_create,
    )
    from core.tenancy import acting_for
    from rentals.services import appliance_model_create, offer_set, rental_scheme_configure

    lead = organisation_create(
        fields={
            "name": "Samenlevingsopbouw Vlaanderen (bench)",
            "slug": "bench-lead",
            "kind": Organisation.Kind.COMMUNITY,
            "country": "BE",
            "city": "Brussel",
            "postcode": "1000",
        }
    )
    offices = [
        organisation_create(
            fields={
                "name": name,
                "slug": slug,
                "kind": Organisation.Kind.WELFARE_OFFICE,
                "country": "BE",
                "city": city,
                "postcode": postcode,
            }
        )
        for slug, name, city, postcode in WELFARE_OFFICES
    ]
    supplier = organisation_create(
        fields={
            "name": "Witgoed Vlaanderen bv (bench)",
            "slug": "bench-supplier",
            "kind": Organisation.Kind.SUPPLIER,
            "country": "BE",
        }
    )
    coordinator = user_create(
        username=COORDINATOR, password=BENCH_PASSWORD, first_name="Bench", last_name="Coordinator"
    )
    membership_add(organisation=lead, user=coordinator, role=Role.COORDINATOR)
    intake_users = []
    for office in offices:
        user = user_create(username=f"bench-intake-{office.slug}", password=BENCH_PASSWORD)
        membership_add(organisation=office, user=user, role=Role.INTAKE_WORKER)
        intake_users.append(user)
    technician = user_create(username="bench-technician", password=BENCH_PASSWORD)
    membership_add(organisation=supplier, user=technician, role=Role.TECHNICIAN)

    acting = acting_for(coordinator, lead.pk)
    assert acting is not None
    programme = programme_create(
        acting=acting,
        name="Zuinige toestellen huren (bench)",
        slug=PROGRAMME_SLUG,
        kind=Programme.Kind.APPLIANCE_RENTAL,
    )
    for office in offices:
        programme_partner_add(
            acting=acting, programme=programme, organisation=office, role="referrer"
        )
    programme_partner_add(
        acting=acting, programme=programme, organisation=supplier, role="supplier"
    )
    rental_scheme_configure(
        acting=acting, programme=programme, collector=lead, supplier=supplier, max_appliances=3
    )
    for category, (fee, subsidy) in OFFERS.items():
        offer_set(
            acting=acting, programme=programme, category=category, tenant_fee=fee, subsidy=subsidy
        )
    catalogue = []
    for category, brand, model_name, energy_class, consumption in CATALOGUE:
        fields: dict[str, Any] = {k: Decimal(v) for k, v in consumption.items()}
        if "kwh_per_100_cycles" in fields:
            fields["cycles_per_year"] = 220
        catalogue.append(
            appliance_model_create(
                acting=acting,
                programme=programme,
                category=category,
                brand=brand,
                model_name=model_name,
                energy_class=energy_class,
                **fields,
            )
        )
    tariff_create(
        acting=acting,
        programme=programme,
        valid_from=month_add(timezone.localdate().replace(day=1), -72),
        electricity_standard=Decimal("0.3200"),
        electricity_social=Decimal("0.2100"),
        water=Decimal("5.5000"),
        co2=Decimal("0.1600"),
    )
    log(f"set-up: {len(offices) + 2} organisations, programme {programme.pk}")
    return {
        "lead": lead,
        "offices": offices,
        "supplier": supplier,
        "coordinator": coordinator,
        "intake_users": intake_users,
        "technician": technician,
        "programme": programme,
        "catalogue": catalogue,
    }


# ------------------------------------------------------------------------------ bulk data
def _name_pools(rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    from faker import Faker

    fake = Faker("nl_BE")
    fake.seed_instance(SEED)
    first = sorted({fake.first_name() for _ in range(3000)})
    last = sorted({fake.last_name() for _ in range(6000)})
    streets = sorted({fake.street_name() for _ in range(3000)})
    rng.shuffle(first)
    rng.shuffle(last)
    rng.shuffle(streets)
    return first, last, streets


def generate(
    *, scale: float = 1.0, charge_months: int = 60, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Fill the (empty, migrated) database; returns rows per table and seconds per phase."""
    from households.models import Consent, Enrolment, Household, fold
    from money.proration import charge_split
    from money.references import payment_reference_for
    from rentals.models import (
        Allocation,
        Application,
        Charge,
        Contract,
        ContractUnit,
        Payment,
        PaymentMethod,
        Unit,
        UnitStatus,
        Visit,
    )

    rng = random.Random(SEED)
    phases: dict[str, float] = {}
    started = time.perf_counter()
    mark = started

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = round(now - mark, 2)
        mark = now
        log(f"  {name}: {phases[name]:.1f} s")

    ctx = setup(log)
    phase("set-up via services")
    lead, offices, programme = ctx["lead"], ctx["offices"], ctx["programme"]
    coordinator, technician = ctx["coordinator"], ctx["technician"]
    supplier = ctx["supplier"]
    catalogue = ctx["catalogue"]
    registrars = [lead, *offices]
    registrar_users = [coordinator, *ctx["intake_users"]]

    n_households = max(10, round(HOUSEHOLDS * scale))
    n_active = max(20, round(ACTIVE_CONTRACTS * scale))
    n_ended = round(n_active * ENDED_SHARE)
    today = timezone.localdate()
    current_month = today.replace(day=1)
    first_month = month_add(current_month, -59)  # five years of months, the current included
    charge_from = month_add(current_month, -(charge_months - 1))
    tz = timezone.get_current_timezone()

    def at(day: date, hour: int = 10) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=tz)

    w = BulkWriter()
    first_names, last_names, streets = _name_pools(rng)

    # --- households, enrolments, consents
    w.table(
        Household,
        [
            "id", "organisation", "reference", "first_name", "last_name", "birth_year",
            "street", "house_number", "box", "postcode", "city", "country", "language",
            "contact_channel", "phone", "email", "size", "social_tariff", "welfare_client",
            "debt_support", "net_monthly_income", "search_text", "duplicate_key",
            "created_at", "updated_at", "erased_at", "demo",
        ],
    )  # fmt: skip
    w.table(
        Enrolment,
        [
            "id", "household", "programme", "status", "rule_results", "override_reason",
            "decided_at", "decided_by", "ended_at",
        ],
    )  # fmt: skip
    w.table(
        Consent,
        ["id", "household", "purpose", "given_on", "withdrawn_on", "recorded_by", "recorded_at"],
    )
    hh_pk0, enr_pk0, con_pk0 = next_pk(Household), next_pk(Enrolment), next_pk(Consent)
    household_pks: list[int] = []
    household_org: list[int] = []
    used_numbers: dict[tuple[str, str], int] = {}
    incomes = [Decimal(f"{x}.00") for x in range(900, 2600, 25)]
    for i in range(n_households):
        pk = hh_pk0 + i
        # 10 % registered by the lead, the rest spread over the welfare offices.
        org_i = 0 if i % 10 == 0 else 1 + i % len(offices)
        org = registrars[org_i]
        city, postcode = CITIES[rng.randrange(len(CITIES))]
        street = streets[rng.randrange(len(streets))]
        # A new house number per street and postcode keeps the duplicate key unique.
        place = (fold(street), postcode)
        number = used_numbers.get(place, 0) + 1
        used_numbers[place] = number
        h = Household(
            first_name=first_names[rng.randrange(len(first_names))],
            # Skewed, like real surnames: the most common one has about 1 % of households.
            last_name=last_names[int(len(last_names) * rng.random() ** 2)],
            street=street,
            house_number=str(number),
            box="",
            postcode=postcode,
            city=city,
            reference=household_reference(pk),
        )
        h.refresh_keys()
        created = at(first_month + timedelta(days=rng.randrange(60 * 30)))
        w.add(
            Household,
            (
                pk, org.pk, h.reference, h.first_name, h.last_name, rng.randint(1940, 2004),
                h.street, h.house_number, "", postcode, city, "BE", "nl", "phone",
                f"04{rng.randrange(10**8):08d}", "", rng.randint(1, 6), rng.random() < 0.6,
                rng.random() < 0.7, "none", w.dec(incomes[rng.randrange(len(incomes))]),
                h.search_text, h.duplicate_key, w.dt(created), w.dt(created), None, False,
            ),
        )  # fmt: skip
        w.add(
            Enrolment,
            (
                enr_pk0 + i, pk, programme.pk, "enrolled", "[]", "", w.dt(created),
                registrar_users[org_i].pk, None,
            ),
        )  # fmt: skip
        w.add(
            Consent,
            (con_pk0 + i, pk, "programme", w.d(created.date()), None, registrar_users[org_i].pk,
             w.dt(created)),
        )  # fmt: skip
        household_pks.append(pk)
        household_org.append(org_i)
    w.flush()
    phase("households, enrolments, consents")

    # --- units (one per active contract), all installed
    w.table(
        Unit,
        ["id", "programme", "appliance_model", "serial", "refurbished", "status", "label_code",
         "created_at"],
    )  # fmt: skip
    unit_pk0 = next_pk(Unit)
    by_category: dict[str, list[Any]] = {}
    for m in catalogue:
        by_category.setdefault(m.category, []).append(m)
    categories = list(OFFERS)
    # (unit pk, category, start date of its active contract)
    units: list[tuple[int, str, date]] = []
    span_days = (today - first_month).days
    for i in range(n_active):
        pk = unit_pk0 + i
        category = categories[rng.randrange(len(categories))]
        model = by_category[category][rng.randrange(len(by_category[category]))]
        start = first_month + timedelta(days=rng.randrange(span_days + 1))
        refurbished = rng.random() < 0.15
        w.add(
            Unit,
            (pk, programme.pk, model.pk, f"BN{pk:08d}", refurbished, UnitStatus.INSTALLED,
             unit_label(pk), w.dt(at(start) - timedelta(days=40))),
        )  # fmt: skip
        units.append((pk, category, start))
    w.flush()
    phase("units")

    # --- contracts: every unit has one active contract; 10 % of the units served an earlier
    # household first (contract ended, unit returned and rented out again).
    # (pk, household pk, category, unit pk, start, end)
    contracts: list[tuple[int, int, str, int, date, date | None]] = []
    contract_pk0 = next_pk(Contract)
    per_household = (1, 2, 3, 2)  # on average 2 appliances a household, at most 3
    unit_iter = iter(units)
    done = False
    while not done:
        for h_i, household_pk in enumerate(household_pks):
            for _ in range(per_household[h_i % 4]):
                nxt = next(unit_iter, None)
                if nxt is None:
                    done = True
                    break
                unit_pk, category, start = nxt
                contracts.append(
                    (contract_pk0 + len(contracts), household_pk, category, unit_pk, start, None)
                )
            if done:
                break
    # Earlier contracts on units whose current contract started at least a year in.
    late_units = [u for u in units if (u[2] - first_month).days > 365]
    rng.shuffle(late_units)
    for unit_pk, category, next_start in late_units[:n_ended]:
        # Ended at least two weeks before the unit's next contract started.
        latest_end = next_start - timedelta(days=14)
        room = (latest_end - first_month).days
        ended_start = first_month + timedelta(days=rng.randrange(room - 60))
        room = (latest_end - ended_start).days
        ended_end = ended_start + timedelta(days=30 + rng.randrange(room - 30))
        household_pk = household_pks[rng.randrange(len(household_pks))]
        contracts.append(
            (contract_pk0 + len(contracts), household_pk, category, unit_pk, ended_start, ended_end)
        )
    contracts.sort(key=lambda c: (c[1], c[4]))  # by household, then start

    w.table(
        Application,
        [
            "id", "household", "programme", "category", "status", "applied_at",
            "has_old_appliance", "old_age_band", "old_label", "old_label_scale",
            "old_measured_kwh", "priority", "priority_reason", "priority_by", "created_by",
        ],
    )  # fmt: skip
    w.table(
        Contract,
        [
            "id", "application", "household", "programme", "unit", "category", "status",
            "tenant_fee", "subsidy", "term_months", "payment_method", "payment_reference",
            "mandate_id", "mandate_signed_on", "debtor_iban", "created_at", "signed_at",
            "signed_by", "start_date", "end_date", "end_reason",
        ],
    )  # fmt: skip
    w.table(ContractUnit, ["id", "contract", "unit", "installed_on", "removed_on"])
    w.table(
        Visit,
        ["id", "contract", "kind", "status", "planned_on", "window", "technician_organisation",
         "technician", "ticket", "done_at", "disposal", "report"],
    )  # fmt: skip
    # The collecting organisation per contract (a field added later): here always the
    # scheme's collector, the lead, as no welfare office collects in this programme.
    has_collector = any(f.name == "collector" for f in Contract._meta.fields)
    if has_collector:
        table, columns = w.tables[Contract]
        w.tables[Contract] = (table, [*columns, Contract._meta.get_field("collector").column])
    app_pk0, cu_pk0, visit_pk0 = next_pk(Application), next_pk(ContractUnit), next_pk(Visit)
    bands = ["<5", "5-10", "10-15", ">15", "unknown"]
    end_reasons = ["moved", "returned", "deceased"]
    hh_index = {pk: i for i, pk in enumerate(household_pks)}
    for n, (pk, household_pk, category, unit_pk, start, end) in enumerate(contracts):
        fee, subsidy = OFFERS[category]
        applied = at(start - timedelta(days=20 + rng.randrange(60)))
        signed = at(start - timedelta(days=7))
        user = registrar_users[household_org[hh_index[household_pk]]]
        w.add(
            Application,
            (app_pk0 + n, household_pk, programme.pk, category, "contracted", w.dt(applied),
             True, bands[rng.randrange(5)], "", "", None, False, "", None, user.pk),
        )  # fmt: skip
        w.add(
            Contract,
            (
                pk, app_pk0 + n, household_pk, programme.pk, unit_pk, category,
                "active" if end is None else "ended", w.dec(fee), w.dec(subsidy), 120,
                PaymentMethod.TRANSFER, payment_reference_for(pk, "BE"), "", None, "",
                w.dt(applied + timedelta(days=1)), w.dt(signed), user.pk, w.d(start),
                w.d(end), "" if end is None else end_reasons[rng.randrange(3)],
                *((lead.pk,) if has_collector else ()),
            ),
        )  # fmt: skip
        w.add(ContractUnit, (cu_pk0 + n, pk, unit_pk, w.d(start), w.d(end)))
        w.add(
            Visit,
            (visit_pk0 + n, pk, "installation", "done", w.d(start), "08:00-12:00",
             supplier.pk, technician.pk, None, w.dt(at(start, 11)), "recycled", ""),
        )  # fmt: skip
    w.flush()
    phase("applications, contracts, unit history, visits")

    # --- charges, payments, allocations
    w.table(
        Charge,
        ["id", "contract", "month", "tenant_amount", "subsidy_amount", "settled", "created_at"],
    )
    payment_fields = ["id", "household", "collector", "amount", "received_on", "method",
                      "reference", "bank_line", "recorded_by", "recorded_at"]  # fmt: skip
    # Every payment here is allocated in full: no credit left (a field added later on).
    has_credit = any(f.name == "unallocated" for f in Payment._meta.fields)
    w.table(Payment, payment_fields + (["unallocated"] if has_credit else []))
    w.table(Allocation, ["id", "payment", "charge", "amount"])
    charge_pk, payment_pk, alloc_pk = next_pk(Charge), next_pk(Payment), next_pk(Allocation)
    collector = lead  # the rental scheme's collector
    current_i, charge_from_i = month_index(current_month), month_index(charge_from)
    months = {month_index(month_add(first_month, k)): month_add(first_month, k) for k in range(60)}
    month_db = {i: w.d(m) for i, m in months.items()}
    created_db = {i: w.dt(at(m, 3)) for i, m in months.items()}
    zero = w.dec(Decimal("0.00"))
    dec_cache: dict[Decimal, Any] = {}

    def dec(value: Decimal) -> Any:
        cached = dec_cache.get(value)
        if cached is None:
            cached = dec_cache[value] = w.dec(value)
        return cached

    k = 0
    while k < len(contracts):
        household_pk = contracts[k][1]
        j = k
        while j < len(contracts) and contracts[j][1] == household_pk:
            j += 1
        pays = 1.0 if rng.random() >= ARREARS_SHARE else ARREARS_PAY_PROBABILITY
        paid_months = {mi for mi in range(charge_from_i, current_i) if rng.random() < pays}
        # month index -> [(charge pk, tenant amount, reference)]
        to_pay: dict[int, list[tuple[int, Decimal, str]]] = {}
        for pk, _h, category, _unit, start, end in contracts[k:j]:
            fee, subsidy = OFFERS[category]
            m0 = month_index(start)
            m1 = min(current_i, month_index(end)) if end else current_i
            for mi in range(max(m0, charge_from_i), m1 + 1):
                if mi == m0 or (end is not None and mi == m1):
                    tenant, sub = charge_split(
                        tenant_fee=fee, subsidy=subsidy, start=start, end=end, month=months[mi]
                    )
                else:
                    tenant, sub = fee, subsidy
                paid = mi in paid_months
                w.add(
                    Charge,
                    (charge_pk, pk, month_db[mi], dec(tenant), dec(sub),
                     dec(tenant) if paid else zero, created_db[mi]),
                )  # fmt: skip
                if paid:
                    to_pay.setdefault(mi, []).append(
                        (charge_pk, tenant, payment_reference_for(pk, "BE"))
                    )
                charge_pk += 1
        for mi, charges in sorted(to_pay.items()):
            received = months[mi] + timedelta(days=4 + rng.randrange(20))
            total = sum((amount for _c, amount, _r in charges), Decimal("0.00"))
            w.add(
                Payment,
                (payment_pk, household_pk, collector.pk, dec(total), w.d(received),
                 PaymentMethod.TRANSFER, charges[0][2], None, coordinator.pk,
                 w.dt(at(received, 15)), *((zero,) if has_credit else ())),
            )  # fmt: skip
            for charge, amount, _ref in charges:
                w.add(Allocation, (alloc_pk, payment_pk, charge, dec(amount)))
                alloc_pk += 1
            payment_pk += 1
        k = j
    w.flush()
    phase("charges, payments, allocations")

    # The rows above bypass the services, so what they keep is made from the rows: the totals
    # from the charges, the counts from the units, contracts and enrolments.
    from households.counts import enrolment_counts_rebuild
    from rentals.services.counts import rental_counts_rebuild
    from rentals.services.totals import month_totals_rebuild

    month_totals_rebuild(programme=programme)
    rental_counts_rebuild(programme)
    enrolment_counts_rebuild(programme)
    phase("monthly totals, open households, kept counts")

    reset_sequences([Household, Enrolment, Consent, Unit, Application, Contract, ContractUnit,
                     Visit, Charge, Payment, Allocation])  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    phase("sequences and ANALYZE")

    return {
        "scale": scale,
        "charge_months": charge_months,
        "programme_pk": programme.pk,
        "lead_pk": lead.pk,
        "coordinator": COORDINATOR,
        "current_month": current_month.isoformat(),
        "rows": dict(sorted(w.counts.items())),
        "phases_s": phases,
        "seconds": round(time.perf_counter() - started, 1),
    }
