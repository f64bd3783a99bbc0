"""Demo data: a synthetic neighbourhood economy (no real people), loaded by `manage.py demo_data`.

Everything is derived from fixed seeds, so every run builds the same data, and every record is
looked up before it is made, so a second run changes nothing. Writes go through the service
functions, acting as the staff of the organisation that would really make them, so the same
validation, eligibility decisions and audit events apply as in the application.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from stdnum import iban as stdnum_iban

from core.models import Organisation, Programme, ProgrammePartner, Role, Tariff
from core.programmes import registry
from core.services import (
    membership_add,
    organisation_create,
    programme_create,
    programme_partner_add,
    programme_update,
    tariff_create,
)
from core.tenancy import Acting, acting_for

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
    # Made by adopting that demo programme's package (practices/demo.py), then adapted to
    # this spec (adapt_adopted); core's demo does not create it.
    adopted_from: str = ""


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
        adopted_from="huren-wvl",
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
        if acting is None:
            raise RuntimeError("the membership was made just above")
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
        if programme is None and spec.adopted_from:
            continue  # adopted from a package by practices' demo loader, then adapted
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
        _partners_and_tariffs(result, spec, programme, orgs, acting, partners, tariffs)
    return existing


def _partners_and_tariffs(
    result: LoadResult,
    spec: ProgrammeSpec,
    programme: Programme,
    orgs: dict[str, Organisation],
    acting: Acting,
    partners: set[tuple[str, str, str]],
    tariffs: set[tuple[str, Any]],
) -> None:
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


def adapt_adopted(context: "DemoContext", spec: ProgrammeSpec, programme: Programme) -> None:
    """A programme just adopted from another's package, made this spec's own: its address,
    Dutch words, its eligibility rules (Dutch income limits), its country's tariffs instead of
    the source's, and its partners. What the package's parts made (the rental offers and
    catalogue) each programme app's demo adapts (rentals/demo.py, `adopted`)."""
    acting = _lead_acting(context.actings, context.orgs[spec.lead])
    # The slug is the installation's address for the programme; no service renames it, and
    # the demo's other loaders and tests find the programme by it.
    Programme.objects.filter(pk=programme.pk).update(slug=spec.slug)
    programme.slug = spec.slug
    programme_update(
        acting=acting,
        programme=programme,
        fields={
            "name": spec.name,
            "description": spec.description,
            "eligibility_rules": spec.rules,
        },
    )
    # The source's tariffs are another country's prices: replaced by this country's.
    programme.tariffs.all().delete()
    _partners_and_tariffs(context.result, spec, programme, context.orgs, acting, set(), set())
    context.programmes[spec.slug] = programme
    context.adopted.add(spec.slug)


@dataclass
class DemoContext:
    """What core's demo made, for the demo loaders the other apps register (core.programmes):
    households at order 10, then the programme apps."""

    result: LoadResult
    orgs: dict[str, Organisation]
    actings: dict[str, Acting]
    programmes: dict[str, Programme]
    households: int = DEFAULT_HOUSEHOLDS  # how many demo households to make
    adopted: set[str] = field(default_factory=set)  # slugs adopted from a package in this run


@transaction.atomic
def load(households: int = DEFAULT_HOUSEHOLDS) -> LoadResult:
    """Load the demo data; what exists already is left as it is."""
    result = LoadResult()
    orgs = _organisations(result)
    actings = _people(result, orgs)
    programmes = _programmes(result, orgs, actings)
    context = DemoContext(result, orgs, actings, programmes, households)
    for loader in registry.demo_loaders():
        loader.load(context)
    return result
