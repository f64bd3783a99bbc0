"""Demo data of the two job bureaus (Wijkfabriek Oostende, Buurtbaanbureau Spijkerkwartier):
their rules, a small catalogue, a few workers and a week of requests. Through the services,
acting as the bureau's staff; a second run changes nothing. Synthetic people only."""

import random
from datetime import time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from core.tenancy import Acting
from jobs import services
from jobs.models import Service, Worker

if TYPE_CHECKING:
    from core.demo import DemoContext

SEED = 2026

BUREAUS: dict[str, dict[str, Any]] = {
    "wijkfabriek-oostende": {
        "staff": ("coordinator", "jobcoach"),
        "preset": "wijk_werken",
        "depot": (51.2260, 2.9180),
        "postcodes": ["8400", "8400", "8400", "8450"],
        "streets": ["Torhoutsesteenweg", "Nieuwpoortsesteenweg", "Kerkstraat", "Vrijhavenstraat"],
        "phone": "059 {:02d} {:02d} {:02d}",
        "workers": [
            (
                "Wout",
                "Claeys",
                "worker",
                {"carrying": 2, "cargo_bike": 2, "appliance_installation": 1},
            ),
            ("Sara", "Benali", None, {"carrying": 2, "gardening": 2}),
            (
                "Jens",
                "Vermeulen",
                None,
                {"carrying": 1, "diy": 2, "cargo_bike": 1, "appliance_installation": 2},
            ),
            ("Nadia", "Kowalska", None, {"cleaning": 2, "carrying": 1}),
        ],
        "language": "nl",
    },
    "buurtbaanbureau-arnhem": {
        "staff": ("arnhem", "arnhem"),
        "preset": "nl_volunteer",
        "depot": (51.9855, 5.9235),
        "postcodes": ["6821", "6822", "6824", "6812"],
        "streets": ["Spijkerstraat", "Sonsbeeksingel", "Hommelstraat", "Rozendaalselaan"],
        "phone": "026 3{:02d} {:02d} {:02d}",
        "workers": [
            ("Daan", "de Vries", None, {"carrying": 2, "cargo_bike": 2}),
            ("Fatima", "El Idrissi", None, {"gardening": 2, "carrying": 1}),
            ("Ruben", "Jansen", None, {"diy": 2, "appliance_installation": 1, "carrying": 2}),
        ],
        "language": "nl",
    },
}

CATALOGUE: tuple[tuple[Any, ...], ...] = (
    # name, category, skills, crew, minutes, needs, load, fixed price (NL)
    ("Verhuishulp", "moving", {"carrying": 1}, 2, 120, "cargo_bike", 60, "25.00"),
    ("Bakfietstransport", "transport", {"cargo_bike": 1}, 1, 45, "cargo_bike", 40, "7.50"),
    ("Tuinwerk", "garden", {"gardening": 1}, 1, 90, "", 0, "10.00"),
    ("Kleine klus", "odd_jobs", {"diy": 1}, 1, 60, "", 0, "7.50"),
    ("Opruimen en sorteren", "clearing", {}, 1, 120, "", 0, "12.50"),
    # Rental visits handed over by the appliance-rental programme (core/handoffs.py).
    (
        "Toestel leveren en plaatsen",
        "appliances",
        {"appliance_installation": 1, "carrying": 1},
        2,
        60,
        "cargo_bike",
        80,
        "10.00",
    ),
)


def load_jobs(context: "DemoContext") -> None:
    for slug, spec in BUREAUS.items():
        programme = context.programmes.get(slug)
        if programme is None or Service.objects.filter(programme=programme).exists():
            continue
        coordinator = context.actings[spec["staff"][0]]
        coach = context.actings[spec["staff"][1]]
        _load(programme, spec, coordinator, coach, context)


def _load(
    programme: Any, spec: dict[str, Any], coordinator: Acting, coach: Acting, context: Any
) -> None:
    rng = random.Random(f"{SEED}-{programme.slug}")
    services.rules_apply_preset(acting=coordinator, programme=programme, preset=spec["preset"])
    services.rules_update(
        acting=coordinator,
        programme=programme,
        values={
            "depot_lat": spec["depot"][0],
            "depot_lon": spec["depot"][1],
            "served_radius_km": Decimal("6"),
            "cargo_bikes": 2,
            "cargo_bike_capacity": 100,
        },
    )
    fixed = spec["preset"] == "nl_volunteer"
    catalogue = [
        services.service_create(
            acting=coordinator,
            programme=programme,
            name=name,
            category=category,
            required_skills=skills,
            crew_size=crew,
            duration_minutes=minutes,
            needs=needs,
            load=load,
            fixed_price=Decimal(price) if fixed else None,
        )
        for name, category, skills, crew, minutes, needs, load, price in CATALOGUE
    ]
    today = timezone.localdate()
    for first, last, username, skills in spec["workers"]:
        user = context.actings[username].user if username else None
        if user is not None and Worker.objects.filter(programme=programme, user=user).exists():
            continue
        worker = services.worker_create(
            acting=coach,
            programme=programme,
            first_name=first,
            last_name=last,
            agreement_start=today - timedelta(days=rng.randint(30, 200)),
            agreement_end=today + timedelta(days=rng.randint(60, 150)),
            user=user,
            coach=coach.user,
            goals="Op tijd komen, zelfstandig een klus afwerken, solliciteren.",
        )
        for skill, level in skills.items():
            services.worker_skill_set(acting=coach, worker=worker, skill=skill, level=level)
        for weekday in range(5):
            services.availability_add(
                acting=coach, worker=worker, weekday=weekday, start=time(9), end=time(16)
            )
        for months_back, score in ((4, 2), (2, 3), (0, 4)):
            for competence in ("punctuality", "teamwork"):
                services.assessment_add(
                    acting=coach,
                    worker=worker,
                    on=today - timedelta(days=30 * months_back),
                    competence=competence,
                    score=min(5, score + rng.randint(0, 1)),
                )
    names = ["Marleen", "Ahmed", "Jeanine", "Koen", "Sofie", "Youssef", "Hilde", "Bart", "Eva"]
    for offset in range(7):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for n in range(rng.randint(2, 4)):
            service = rng.choice(catalogue[:-1])  # appliance jobs come from rental visits
            start = rng.choice((9, 10, 11, 13))
            postcode = rng.choice(spec["postcodes"])
            services.request_create(
                acting=coordinator,
                programme=programme,
                service=service,
                name=f"{rng.choice(names)} {chr(65 + n)}.",
                phone=spec["phone"].format(
                    rng.randint(10, 99), rng.randint(10, 99), rng.randint(10, 99)
                ),
                street=f"{rng.choice(spec['streets'])} {rng.randint(1, 180)}",
                postcode=postcode,
                dropoff_postcode=rng.choice(spec["postcodes"])
                if service.category == "moving"
                else "",
                dropoff_street="Nieuwe thuis 1" if service.category == "moving" else "",
                preferred_day=day,
                window_start=time(start),
                window_end=time(min(start + 4, 16)),
                language=spec["language"],
            )
    services.plan_run(acting=coordinator, programme=programme, day=today, time_limit_s=0.5)
