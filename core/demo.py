"""Demo data: a synthetic neighbourhood economy (no real people), loaded by `manage.py demo_data`.

Everything is derived from fixed seeds, so every run builds the same data, and every record is
looked up before it is made, so a second run changes nothing. Writes go through the service
functions, acting as the staff of the organisation that would really make them, so the same
validation, eligibility decisions and audit events apply as in the application.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker
from stdnum import iban as stdnum_iban

from core.models import Organisation, Programme, ProgrammePartner, Role, Tariff
from core.services import (
    membership_add,
    organisation_create,
    programme_create,
    programme_partner_add,
    tariff_create,
)
from core.tenancy import Acting, acting_for
from core.eligibility import income_limit
from households.models import Enrolment, Household, fold
from households.services import consent_record, household_create, household_enrol

DEMO_PASSWORD = "wijk-demo"
DEFAULT_HOUSEHOLDS = 300
SEED = 2026


# --- Identifiers -------------------------------------------------------------------------------


def be_enterprise_number(seed: int) -> str:
    """A Belgian enterprise number (KBO) with a correct mod-97 check: 0 + 7 digits + check."""
    base = f"0{4_000_000 + seed * 7_919 % 5_000_000:07d}"
    return f"{base}{97 - int(base) % 97:02d}"


def kvk_number(seed: int) -> str:
    """A Dutch KvK number: 8 digits, no check digit."""
    return f"{40_000_000 + seed * 104_729 % 50_000_000:08d}"


def be_iban(seed: int) -> str:
    """A Belgian IBAN: bank code, account, national mod-97 check, then the IBAN check."""
    rng = random.Random(f"{SEED}-iban-{seed}")
    # 001 is BNP Paribas Fortis, 063 Belfius, 735 KBC: codes python-stdnum knows.
    account = f"{rng.choice(('001', '063', '735'))}{rng.randint(0, 9_999_999):07d}"
    bban = f"{account}{int(account) % 97 or 97:02d}"
    return f"BE{stdnum_iban.calc_check_digits('BE00' + bban)}{bban}"


def nl_iban(seed: int) -> str:
    rng = random.Random(f"{SEED}-iban-{seed}")
    bban = f"{rng.choice(('INGB', 'RABO', 'TRIO'))}{rng.randint(0, 9_999_999_999):010d}"
    return f"NL{stdnum_iban.calc_check_digits('NL00' + bban)}{bban}"


# --- Organisations, people, programmes -------------------------------------------------------


@dataclass(frozen=True)
class OrgSpec:
    slug: str
    name: str
    kind: str
    city: str
    postcode: str
    street: str
    country: str = "BE"
    language: str = "nl"


ORGANISATIONS = (
    OrgSpec(
        "sowv",
        "Samenlevingsopbouw West-Vlaanderen",
        "community",
        "Brugge",
        "8000",
        "Sint-Jorisstraat 71",
    ),
    OrgSpec(
        "ocmw-oostende",
        "OCMW Oostende",
        "welfare_office",
        "Oostende",
        "8400",
        "Edith Cavellstraat 15",
    ),
    OrgSpec(
        "ocmw-brugge", "OCMW Brugge", "welfare_office", "Brugge", "8000", "Kartuizerinnenstraat 4"
    ),
    OrgSpec(
        "sh-roeselare",
        "Sociaal Huis Roeselare",
        "welfare_office",
        "Roeselare",
        "8800",
        "Zuidstraat 3",
    ),
    OrgSpec(
        "sh-kortrijk",
        "Sociaal Huis Kortrijk",
        "welfare_office",
        "Kortrijk",
        "8500",
        "Budastraat 27",
    ),
    OrgSpec(
        "elektro-vandamme",
        "Elektro Vandamme bv",
        "supplier",
        "Roeselare",
        "8800",
        "Brugsesteenweg 212",
    ),
    OrgSpec(
        "vdab-oostende",
        "VDAB Oostende",
        "employment_service",
        "Oostende",
        "8400",
        "Hendrik Serruyslaan 18",
    ),
    OrgSpec(
        "ec-rabot", "Energiecoöperatie Rabot cv", "cooperative", "Gent", "9000", "Rabotstraat 70"
    ),
    OrgSpec(
        "spijkerkwartier",
        "Bewonersinitiatief Spijkerkwartier",
        "community",
        "Arnhem",
        "6812 AH",
        "Spijkerstraat 120",
        country="NL",
    ),
    OrgSpec(
        "witgoed-gelderland",
        "Witgoedservice Gelderland bv",
        "supplier",
        "Arnhem",
        "6827 BN",
        "Kleefse Waard 20",
        country="NL",
    ),
)


@dataclass(frozen=True)
class PersonSpec:
    username: str
    first_name: str
    last_name: str
    organisation: str
    roles: tuple[str, ...]
    listed: bool = True  # printed in the table of logins; the others act behind the scenes


PEOPLE = (
    PersonSpec("orgadmin", "Griet", "Vandenberghe", "ocmw-oostende", (Role.ORG_ADMIN,)),
    PersonSpec("coordinator", "Lotte", "Verhaeghe", "sowv", (Role.COORDINATOR,)),
    PersonSpec("intake", "Ines", "Demeulemeester", "ocmw-oostende", (Role.INTAKE_WORKER,)),
    PersonSpec("technician", "Tom", "Vandamme", "elektro-vandamme", (Role.TECHNICIAN,)),
    PersonSpec("jobcoach", "Joke", "Desmet", "sowv", (Role.JOB_COACH,)),
    PersonSpec("worker", "Wout", "Claeys", "sowv", (Role.NEIGHBOURHOOD_WORKER,)),
    PersonSpec("viewer", "Vera", "Maes", "ocmw-oostende", (Role.VIEWER,)),
    PersonSpec(
        "arnhem", "Otto", "van den Berg", "spijkerkwartier", (Role.COORDINATOR, Role.JOB_COACH)
    ),
    PersonSpec("gent", "Gert", "De Smedt", "ec-rabot", (Role.COORDINATOR,)),
    PersonSpec(
        "intake-brugge", "Bram", "Goethals", "ocmw-brugge", (Role.INTAKE_WORKER,), listed=False
    ),
    PersonSpec(
        "intake-roeselare", "Roos", "Vanhoutte", "sh-roeselare", (Role.INTAKE_WORKER,), listed=False
    ),
    PersonSpec(
        "intake-kortrijk", "Karim", "El Amrani", "sh-kortrijk", (Role.INTAKE_WORKER,), listed=False
    ),
)

# Who registers and enrols the households of an organisation.
REGISTRAR = {
    "ocmw-oostende": "intake",
    "ocmw-brugge": "intake-brugge",
    "sh-roeselare": "intake-roeselare",
    "sh-kortrijk": "intake-kortrijk",
    "spijkerkwartier": "arnhem",
    "ec-rabot": "gent",
}

WVL_POSTCODES = ["8400", "8000", "8200", "8310", "8800", "8500", "8501", "8510"]
SPIJKERKWARTIER_POSTCODES = ["6811", "6812"]


@dataclass(frozen=True)
class ProgrammeSpec:
    slug: str
    name: str
    kind: str
    lead: str
    description: str
    rules: dict[str, Any]
    partners: tuple[tuple[str, str], ...] = ()
    country: str = "BE"


PROGRAMMES = (
    ProgrammeSpec(
        "huren-wvl",
        "Huishoudtoestellen huren West-Vlaanderen",
        "appliance_rental",
        "sowv",
        "Gezinnen in energiearmoede huren een zuinig huishoudtoestel voor een vast bedrag per "
        "maand, met levering, plaatsing, onderhoud en herstel inbegrepen.",
        {
            "any_of": ["social_tariff", "welfare_client", "income_below"],
            "all_of": ["postcode_served"],
            "income_limits": {
                "1": "1650",
                "2": "2250",
                "3": "2600",
                "4": "2950",
                "extra_person": "350",
            },
            "postcodes": WVL_POSTCODES,
        },
        partners=(
            *(
                (org, role)
                for org in ("ocmw-oostende", "ocmw-brugge", "sh-roeselare", "sh-kortrijk")
                for role in ("referrer", "collector")
            ),
            ("elektro-vandamme", "supplier"),
        ),
    ),
    ProgrammeSpec(
        "wijkfabriek-oostende",
        "Wijkfabriek Oostende",
        "job_bureau",
        "sowv",
        "Werkzoekenden uit de wijk doen klussen die buren nodig hebben, binnen de regels van "
        "wijk-werken: verhuishulp, transport met de bakfiets, tuinwerk, opruimen.",
        {"all_of": ["postcode_served"], "postcodes": ["8400"]},
        partners=(("vdab-oostende", "referrer"), ("ocmw-oostende", "referrer")),
    ),
    ProgrammeSpec(
        "energie-rabot",
        "Buurtstroom Rabot",
        "energy_sharing",
        "ec-rabot",
        "Zonnepanelen op het dak van een school en van winkels; de stroom wordt per kwartier "
        "gedeeld met gezinnen in de buurt.",
        {"all_of": ["postcode_served"], "postcodes": ["9000"]},
    ),
    ProgrammeSpec(
        "huren-arnhem",
        "Witgoed huren Spijkerkwartier",
        "appliance_rental",
        "spijkerkwartier",
        "Overgenomen van de Vlaamse praktijk: huishoudens met een laag inkomen huren een zuinig "
        "apparaat met service, in plaats van een oud apparaat dat veel stroom kost.",
        {
            "any_of": ["welfare_client", "debt_support", "income_below"],
            "all_of": ["postcode_served"],
            "income_limits": {
                "1": "1600",
                "2": "2250",
                "3": "2450",
                "4": "2650",
                "extra_person": "200",
            },
            "postcodes": SPIJKERKWARTIER_POSTCODES,
        },
        partners=(("witgoed-gelderland", "supplier"),),
        country="NL",
    ),
    ProgrammeSpec(
        "buurtbaanbureau-arnhem",
        "Buurtbaanbureau Spijkerkwartier",
        "job_bureau",
        "spijkerkwartier",
        "Buurtbewoners die werk zoeken helpen andere bewoners met klussen, verhuizen en "
        "bakfietsvervoer, en werken zo naar een baan toe.",
        {"all_of": ["postcode_served"], "postcodes": SPIJKERKWARTIER_POSTCODES},
        country="NL",
    ),
)

# (valid from, electricity standard, electricity social, water, CO2). The Netherlands has no
# social energy tariff, so both electricity prices are the same there.
TARIFFS = {
    "BE": (
        (date(2025, 1, 1), "0.3450", "0.1950", "5.0500", "0.1600"),
        (date(2026, 1, 1), "0.3300", "0.1900", "5.2000", "0.1500"),
    ),
    "NL": (
        (date(2025, 1, 1), "0.3150", "0.3150", "1.5500", "0.2900"),
        (date(2026, 1, 1), "0.3000", "0.3000", "1.6000", "0.2700"),
    ),
}


# --- Households --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TownSpec:
    key: str
    registrar: str
    city: str
    country: str
    postcodes: tuple[str, ...]
    streets: tuple[str, ...]
    weight: int
    languages: dict[str, float]
    # (programme slug, share of the town's households that ask to join it)
    programmes: tuple[tuple[str, float], ...]
    # (postcode, city, streets) of a place just outside the area the programmes serve
    outside: tuple[str, str, tuple[str, ...]] | None = None
    welfare_share: float = 0.7
    social_tariff_share: float = 0.5


TOWNS = (
    TownSpec(
        "oostende",
        "ocmw-oostende",
        "Oostende",
        "BE",
        ("8400",),
        (
            "Torhoutsesteenweg",
            "Nieuwpoortsesteenweg",
            "Kapellestraat",
            "Christinastraat",
            "Vlaanderenstraat",
            "Stuiverstraat",
            "Leffingestraat",
            "Elisabethlaan",
            "Frère-Orbanstraat",
            "Zandvoordestraat",
        ),
        80,
        {"nl": 0.78, "fr": 0.10, "en": 0.12},
        (("huren-wvl", 0.85), ("wijkfabriek-oostende", 0.35)),
        outside=("8450", "Bredene", ("Duinenstraat", "Kapelstraat")),
    ),
    TownSpec(
        "brugge",
        "ocmw-brugge",
        "Brugge",
        "BE",
        ("8000", "8200", "8310"),
        (
            "Langestraat",
            "Ezelstraat",
            "Smedenstraat",
            "Gistelse Steenweg",
            "Torhoutse Steenweg",
            "Baron Ruzettelaan",
            "Kortrijkse Steenweg",
            "Maalse Steenweg",
            "Blankenbergse Steenweg",
        ),
        60,
        {"nl": 0.85, "fr": 0.07, "en": 0.08},
        (("huren-wvl", 0.9),),
    ),
    TownSpec(
        "roeselare",
        "sh-roeselare",
        "Roeselare",
        "BE",
        ("8800",),
        (
            "Ooststraat",
            "Noordstraat",
            "Zuidstraat",
            "Brugsesteenweg",
            "Meensesteenweg",
            "Hoogleedsesteenweg",
            "Beversesteenweg",
            "Mandellaan",
            "Rumbeeksesteenweg",
        ),
        40,
        {"nl": 0.88, "fr": 0.05, "en": 0.07},
        (("huren-wvl", 0.9),),
        outside=("8870", "Izegem", ("Roeselarestraat", "Meensestraat", "Kasteelstraat")),
    ),
    TownSpec(
        "kortrijk",
        "sh-kortrijk",
        "Kortrijk",
        "BE",
        ("8500", "8501", "8510"),
        (
            "Doorniksestraat",
            "Lange Steenstraat",
            "Gentsesteenweg",
            "Meensesteenweg",
            "Brugsesteenweg",
            "Overleiestraat",
            "Sint-Denijsestraat",
            "Pijpstraat",
        ),
        50,
        {"nl": 0.70, "fr": 0.22, "en": 0.08},
        (("huren-wvl", 0.9),),
    ),
    TownSpec(
        "arnhem",
        "spijkerkwartier",
        "Arnhem",
        "NL",
        tuple(SPIJKERKWARTIER_POSTCODES),
        (
            "Spijkerstraat",
            "Steenstraat",
            "Sonsbeeksingel",
            "Sweerts de Landasstraat",
            "Boulevard Heuvelink",
            "Nijmeegseweg",
            "Hertogstraat",
            "Emmastraat",
            "Spijkerlaan",
            "Mauritsstraat",
        ),
        50,
        {"nl": 0.82, "en": 0.15, "fr": 0.03},
        (("huren-arnhem", 0.8), ("buurtbaanbureau-arnhem", 0.3)),
        outside=("6824", "Arnhem", ("Velperweg", "Rosendaalseweg")),
        welfare_share=0.4,
        social_tariff_share=0.0,
    ),
    TownSpec(
        "gent",
        "ec-rabot",
        "Gent",
        "BE",
        ("9000",),
        (
            "Rabotstraat",
            "Wondelgemstraat",
            "Bevrijdingslaan",
            "Tolhuislaan",
            "Sleepstraat",
            "Blaisantvest",
            "Gebroeders Vandeveldestraat",
            "Begijnhoflaan",
        ),
        20,
        {"nl": 0.75, "fr": 0.10, "en": 0.15},
        (("energie-rabot", 0.95),),
        welfare_share=0.2,
        social_tariff_share=0.4,
    ),
)

NAME_LOCALES = {
    ("BE", "nl"): "nl_BE",
    ("BE", "fr"): "fr_BE",
    ("NL", "nl"): "nl_NL",
    ("NL", "fr"): "fr_BE",
    ("BE", "en"): "nl_BE",
    ("NL", "en"): "nl_NL",
}
STREET_LOCALE = {"BE": "nl_BE", "NL": "nl_NL"}
# Dutch postcode letters: never SA, SD or SS, and F, I, O, Q, U and Y are not used.
NL_LETTERS = "ABCDEGHJKLMNPRTVWXZ"
FIRST_REGISTRATION = date(2025, 1, 13)
LAST_REGISTRATION = date(2026, 10, 30)


@dataclass
class HouseholdSpec:
    registrar: str
    fields: dict[str, Any]
    programmes: list[str]
    consents: list[tuple[str, date]] = field(default_factory=list)

    @property
    def duplicate_key(self) -> str:
        f = self.fields
        return "|".join(
            fold(str(f.get(name, "")))
            for name in ("last_name", "postcode", "street", "house_number", "box")
        )


def town_counts(total: int) -> dict[str, int]:
    """Share `total` households over the towns by weight (largest remainder), each at least one."""
    weights = sum(t.weight for t in TOWNS)
    exact = {t.key: total * t.weight / weights for t in TOWNS}
    counts = {key: int(value) for key, value in exact.items()}
    by_remainder = sorted(exact, key=lambda k: (counts[k] - exact[k], k))
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    if total >= len(TOWNS):
        for key in counts:
            while counts[key] == 0:
                largest = max(counts, key=lambda k: counts[k])
                counts[largest] -= 1
                counts[key] += 1
    return counts


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _phone(rng: random.Random, country: str) -> str:
    if country == "NL":
        return f"06 {rng.randint(10_000_000, 99_999_999)}"
    return (
        f"04{rng.choice('789')}{rng.randint(0, 9)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)} {rng.randint(10, 99)}"
    )


# Landline number shapes per city; every # becomes a digit.
LANDLINES = {
    "Brugge": "050 ## ## ##",
    "Oostende": "059 ## ## ##",
    "Roeselare": "051 ## ## ##",
    "Kortrijk": "056 ## ## ##",
    "Gent": "09 2## ## ##",
    "Arnhem": "026 3## ## ##",
}


def _landline(rng: random.Random, city: str) -> str:
    return "".join(str(rng.randint(0, 9)) if c == "#" else c for c in LANDLINES[city])


def _postcode(rng: random.Random, country: str, digits: str) -> str:
    if country == "NL":
        return f"{digits} {rng.choice(NL_LETTERS)}{rng.choice(NL_LETTERS)}"
    return digits


def _income(rng: random.Random, town: TownSpec, size: int) -> Decimal | None:
    if rng.random() < 0.1:
        return None  # not asked: the household qualifies on other grounds
    rules = next(p.rules for p in PROGRAMMES if p.slug == town.programmes[0][0])
    limit = income_limit(rules, size) if "income_limits" in rules else Decimal(1800 + 350 * size)
    amount = int(limit * Decimal(rng.uniform(0.55, 1.35)) / 10) * 10
    return Decimal(amount).quantize(Decimal("0.01"))


def town_households(town: TownSpec, count: int) -> list[HouseholdSpec]:
    """The first `count` households of a town; the same list, and prefix, on every run."""
    rng = random.Random(f"{SEED}-{town.key}")
    fakers: dict[str, Faker] = {}

    def faker(locale: str) -> Faker:
        if locale not in fakers:
            fakers[locale] = Faker(locale)
            fakers[locale].seed_instance(f"{SEED}-{town.key}-{locale}")
        return fakers[locale]

    specs: list[HouseholdSpec] = []
    seen: set[str] = set()
    while len(specs) < count:
        language = _pick(rng, town.languages)
        names = faker(NAME_LOCALES[(town.country, language)])
        city, digits, streets = town.city, rng.choice(town.postcodes), town.streets
        # Every 15th household lives just outside the area served (and will be refused).
        if town.outside and len(specs) % 15 == 7:
            digits, city, streets = town.outside
        street = (
            rng.choice(streets)
            if rng.random() < 0.7
            else faker(STREET_LOCALE[town.country]).street_name()
        )
        size = rng.choices(range(1, 7), weights=[30, 25, 17, 14, 9, 5])[0]
        birth_year = rng.randint(1942, 2004)
        channel = _pick(
            rng,
            {"letter": 0.5, "phone": 0.4, "sms": 0.1, "email": 0.05}
            if birth_year < 1960
            else {"letter": 0.2, "phone": 0.4, "sms": 0.2, "email": 0.2},
        )
        first_name, last_name = names.first_name(), names.last_name()
        fields: dict[str, Any] = {
            "first_name": first_name,
            "last_name": last_name,
            "birth_year": birth_year,
            "street": street,
            "house_number": str(rng.randint(1, 180)),
            "box": str(rng.randint(1, 12)) if rng.random() < 0.15 else "",
            "postcode": _postcode(rng, town.country, digits),
            "city": city,
            "country": town.country,
            "language": language,
            "contact_channel": channel,
            "phone": _phone(rng, town.country)
            if channel in ("phone", "sms") or rng.random() < 0.5
            else "",
            "email": f"{fold(first_name)}.{fold(last_name)}@example.org"
            if channel == "email" or rng.random() < 0.15
            else "",
            "size": size,
            "social_tariff": rng.random() < town.social_tariff_share,
            "welfare_client": rng.random() < town.welfare_share,
            "debt_support": _pick(
                rng, {"none": 0.62, "budget_management": 0.24, "debt_settlement": 0.14}
            ),
            "net_monthly_income": _income(rng, town, size),
        }
        registered = FIRST_REGISTRATION + timedelta(
            days=rng.randint(0, (LAST_REGISTRATION - FIRST_REGISTRATION).days)
        )
        # Some households are registered and wait for an intake decision: no programme yet.
        programmes = [slug for slug, share in town.programmes if rng.random() < share]
        consents = [("programme", registered)] if programmes else []
        if rng.random() < 0.3:
            consents.append(("contact", registered))
        if town.country == "BE" and town.key != "gent" and programmes:
            consents.append(("partner_sharing", registered))
        if "energie-rabot" in programmes:
            consents.append(("energy_data", registered + timedelta(days=rng.randint(0, 20))))
        spec = HouseholdSpec(town.registrar, fields, programmes, consents)
        if spec.duplicate_key in seen:
            continue
        seen.add(spec.duplicate_key)
        specs.append(spec)
    return specs


def household_specs(total: int = DEFAULT_HOUSEHOLDS) -> list[HouseholdSpec]:
    counts = town_counts(total)
    return [spec for town in TOWNS for spec in town_households(town, counts[town.key])]


# --- Loading -----------------------------------------------------------------------------------


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # user, name, role, org
    other_logins: list[str] = field(default_factory=list)
    resident: tuple[str, str] | None = None  # path of the demo resident page, and its PIN

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


def _organisations(result: LoadResult) -> dict[str, Organisation]:
    existing = {
        o.slug: o for o in Organisation.objects.filter(slug__in=[s.slug for s in ORGANISATIONS])
    }
    for n, spec in enumerate(ORGANISATIONS, start=1):
        if spec.slug in existing:
            continue
        dutch = spec.country == "NL"
        existing[spec.slug] = organisation_create(
            fields={
                "slug": spec.slug,
                "name": spec.name,
                "kind": spec.kind,
                "country": spec.country,
                "language": spec.language,
                "time_zone": "Europe/Amsterdam" if dutch else "Europe/Brussels",
                "email": f"info@{spec.slug}.example.org",
                "phone": _landline(random.Random(f"{SEED}-{spec.slug}"), spec.city),
                "street": spec.street,
                "postcode": spec.postcode,
                "city": spec.city,
                "iban": nl_iban(n) if dutch else be_iban(n),
                "enterprise_number": kvk_number(n) if dutch else be_enterprise_number(n),
            }
        )
        result.count("organisations")
    return existing


def _people(result: LoadResult, orgs: dict[str, Organisation]) -> dict[str, Acting]:
    User = get_user_model()
    users: dict[str, Any] = {
        u.username: u for u in User.objects.filter(username__in=[p.username for p in PEOPLE])
    }
    hashed: str | None = None
    for person in PEOPLE:
        user = users.get(person.username)
        if user is None:
            # One hash for the shared, public demo password: hashing it for every account would
            # make the load slow for no safety gain.
            hashed = hashed or make_password(DEMO_PASSWORD)
            user = User(
                username=person.username,
                first_name=person.first_name,
                last_name=person.last_name,
                email=f"{person.username}@wijk.example.org",
                password=hashed,
            )
            user.full_clean()
            user.save()
            users[person.username] = user
            result.count("users")
        org = orgs[person.organisation]
        for role in person.roles:
            membership_add(organisation=org, user=user, role=role)
        role_names = ", ".join(str(Role(role).label) for role in person.roles)
        if person.listed:
            result.logins.append(
                (person.username, f"{person.first_name} {person.last_name}", role_names, org.name)
            )
        else:
            result.other_logins.append(person.username)
    actings: dict[str, Acting] = {}
    for person in PEOPLE:
        acting = acting_for(users[person.username], orgs[person.organisation].pk)
        assert acting is not None  # the membership was made just above
        actings[person.username] = acting
    return actings


def _lead_acting(actings: dict[str, Acting], lead: Organisation) -> Acting:
    return next(
        a for a in actings.values() if a.organisation.pk == lead.pk and a.can("programme.manage")
    )


def _programmes(
    result: LoadResult, orgs: dict[str, Organisation], actings: dict[str, Acting]
) -> dict[str, Programme]:
    existing = {p.slug: p for p in Programme.objects.filter(slug__in=[s.slug for s in PROGRAMMES])}
    partners = set(
        ProgrammePartner.objects.filter(
            programme__slug__in=[s.slug for s in PROGRAMMES]
        ).values_list("programme__slug", "organisation__slug", "role")
    )
    tariffs = set(
        Tariff.objects.filter(programme__slug__in=[s.slug for s in PROGRAMMES]).values_list(
            "programme__slug", "valid_from"
        )
    )
    for spec in PROGRAMMES:
        acting = _lead_acting(actings, orgs[spec.lead])
        programme = existing.get(spec.slug)
        if programme is None:
            programme = programme_create(
                acting=acting,
                name=spec.name,
                slug=spec.slug,
                kind=spec.kind,
                description=spec.description,
                eligibility_rules=spec.rules,
            )
            existing[spec.slug] = programme
            result.count("programmes")
        for org_slug, role in spec.partners:
            if (spec.slug, org_slug, role) not in partners:
                programme_partner_add(
                    acting=acting, programme=programme, organisation=orgs[org_slug], role=role
                )
                result.count("partners")
        for valid_from, standard, social, water, co2 in TARIFFS[spec.country]:
            if (spec.slug, valid_from) not in tariffs:
                tariff_create(
                    acting=acting,
                    programme=programme,
                    valid_from=valid_from,
                    electricity_standard=Decimal(standard),
                    electricity_social=Decimal(social),
                    water=Decimal(water),
                    co2=Decimal(co2),
                )
                result.count("tariffs")
    return existing


def _households(
    result: LoadResult,
    specs: Iterable[HouseholdSpec],
    orgs: dict[str, Organisation],
    programmes: dict[str, Programme],
    actings: dict[str, Acting],
) -> None:
    registrar_orgs = [orgs[slug] for slug in REGISTRAR]
    # One query each for what exists already, instead of a look-up per household.
    known = {
        (org_id, key): pk
        for org_id, key, pk in Household.objects.active()
        .filter(organisation__in=registrar_orgs)
        .values_list("organisation_id", "duplicate_key", "pk")
    }
    enrolled = set(
        Enrolment.objects.filter(household__organisation__in=registrar_orgs).values_list(
            "household_id", "programme_id"
        )
    )
    for spec in specs:
        acting = actings[REGISTRAR[spec.registrar]]
        pk = known.get((acting.organisation.pk, spec.duplicate_key))
        if pk is None:
            household = household_create(acting=acting, fields=spec.fields, via="demo")
            result.count("households")
            for purpose, given_on in spec.consents:
                consent_record(
                    acting=acting, household=household, purpose=purpose, given_on=given_on
                )
                result.count("consents")
            missing = [programmes[slug] for slug in spec.programmes]
        else:
            missing = [
                programmes[slug]
                for slug in spec.programmes
                if (pk, programmes[slug].pk) not in enrolled
            ]
            if not missing:
                continue
            household = Household.objects.get(pk=pk)
        for programme in missing:
            # The rules decide: most households are enrolled, some are refused.
            enrolment = household_enrol(
                acting=acting, household=household, programme=programme, via="demo"
            )
            result.count(f"enrolments ({enrolment.status})")


@transaction.atomic
def load(households: int = DEFAULT_HOUSEHOLDS) -> LoadResult:
    """Load the demo data; what exists already is left as it is."""
    result = LoadResult()
    orgs = _organisations(result)
    actings = _people(result, orgs)
    programmes = _programmes(result, orgs, actings)
    _households(result, household_specs(households), orgs, programmes, actings)
    # Imported here: rentals.demo builds on this module.
    from rentals.demo import load_rentals

    load_rentals(result, orgs, actings, programmes)
    return result
