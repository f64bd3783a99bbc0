"""Demo households: towns with streets, names and situations, registered, given consent and
enrolled through the household services by the intake workers of core's demo organisations.

A demo loader (core.programmes) at order 10: after core.demo's organisations, people and
programmes, before the programme apps.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from faker import Faker

from core.demo import (
    DEFAULT_HOUSEHOLDS,
    PROGRAMMES,
    REGISTRAR,
    SEED,
    SPIJKERKWARTIER_POSTCODES,
    DemoContext,
    LoadResult,
)
from core.eligibility import income_limit
from core.models import Organisation, Programme
from core.tenancy import Acting
from households.models import Enrolment, Household, fold
from households.services import consent_record, household_create, household_enrol

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
        # A few dozen households for the energy community (sharing/demo.py).
        44,
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
        (org_id, key): (pk, demo)
        for org_id, key, pk, demo in Household.objects.active()
        .filter(organisation__in=registrar_orgs)
        .values_list("organisation_id", "duplicate_key", "pk", "demo")
    }
    enrolled = set(
        Enrolment.objects.filter(household__organisation__in=registrar_orgs).values_list(
            "household_id", "programme_id"
        )
    )
    for spec in specs:
        acting = actings[REGISTRAR[spec.registrar]]
        pk, demo = known.get((acting.organisation.pk, spec.duplicate_key), (None, True))
        if not demo:
            continue  # registered by hand at the same address: never touched
        if pk is None:
            household = household_create(acting=acting, fields=spec.fields, via="demo")
            Household.objects.filter(pk=household.pk).update(demo=True)
            household.demo = True
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


def load_households(context: DemoContext) -> None:
    _households(
        context.result,
        household_specs(context.households),
        context.orgs,
        context.programmes,
        context.actings,
    )
