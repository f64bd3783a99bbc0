"""The job bureau's share of the route matrix and the isolation walk (core/tests/walk.py):
a bureau of the lead with its rules, catalogue, two workers (one is wout, the lead's
neighbourhood worker), an open request planned for wout, a done request with hours waiting
for approval, a coaching note, and the secret links of a feedback and a calendar feed."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from core.models import Programme
from core.tenancy import acting_for
from core.tests.walk import WalkPart
from core.validators import local_today
from jobs import services
from jobs.bureau import zone
from jobs.models import Assignment, Hours, JobRequest, VisitSource, key_hash, new_key


def _acting(user: Any) -> Any:
    found = acting_for(user)
    if found is None:
        raise RuntimeError("no acting")
    return found


def world(cls: Any) -> dict[str, Any]:
    cora, jo = _acting(cls.cora), _acting(cls.jo)
    today = local_today(cls.lead)
    bureau = Programme.objects.create(
        name="Wijkfabriek Walkhaven",
        slug="wijkfabriek-walk",
        kind="job_bureau",
        lead_organisation=cls.lead,
    )
    services.rules_apply_preset(acting=cora, programme=bureau, preset="wijk_werken")
    services.rules_update(
        acting=cora,
        programme=bureau,
        values={"depot_lat": 51.226, "depot_lon": 2.918, "cargo_bikes": 1},
    )
    garden = services.service_create(
        acting=cora, programme=bureau, name="Tuinwerk", category="garden", required_skills={}
    )
    wout = services.worker_create(
        acting=jo,
        programme=bureau,
        first_name="Wouter",
        last_name="Geheimnaam",
        agreement_start=today - timedelta(days=30),
        agreement_end=today + timedelta(days=200),
        user=cls.wout,
        coach=cls.jo,
    )
    sara = services.worker_create(
        acting=jo,
        programme=bureau,
        first_name="Saartje",
        last_name="Verborgen",
        agreement_start=today - timedelta(days=30),
        agreement_end=today + timedelta(days=200),
    )
    services.coaching_note_add(acting=jo, worker=wout, text="Vertrouwelijk: schulden besproken")
    tz = zone(bureau)

    def job(day: Any, status: str, street: str) -> JobRequest:
        return JobRequest.objects.create(
            programme=bureau,
            service=garden,
            household=cls.jansens,
            channel="staff",
            name="Marleen Walkerbeek",
            phone="+3259123456",
            street=street,
            postcode="8400",
            city="Oostende",
            lat=51.22,
            lon=2.92,
            preferred_day=day,
            window_start=time(9),
            window_end=time(12),
            status=status,
            price_estimate=Decimal("7.45"),
        )

    soon = today + timedelta(days=2)
    planned = job(soon, "planned", "Geheimstraat 7")
    assignment = Assignment.objects.create(
        request=planned,
        worker=wout,
        starts_at=datetime.combine(soon, time(9), tzinfo=tz),
        ends_at=datetime.combine(soon, time(10), tzinfo=tz),
    )
    past = today - timedelta(days=3)
    done = job(past, "done", "Verstopte Dreef 3")
    feedback_key = new_key()
    done.feedback_key_hash = key_hash(feedback_key)
    done.save()
    hours = Hours.objects.create(
        worker=sara,
        request=done,
        starts_at=datetime.combine(past, time(9), tzinfo=tz),
        ends_at=datetime.combine(past, time(10), tzinfo=tz),
        minutes=60,
    )
    # The walk holds the key of a link that was renewed since: whoever has the current link
    # sees the worker's addresses by design (tests/test_pages.py), an old link nothing.
    # The rental programme's visits are taken without one (the same lead); the walk needs a
    # record for the remove route.
    visit_source = VisitSource.objects.create(programme=bureau, source=cls.rental)
    holder = services.cheque_holder_create(
        acting=cora, programme=bureau, kind="resident", name="Geheimgebruiker Cheques"
    )
    services.cheques_buy(acting=cora, holder=holder, quantity=3)
    feed_key = services.worker_feed_renew(acting=jo, worker=wout)
    services.worker_feed_renew(acting=jo, worker=wout)
    return {
        "bureau": bureau,
        "request": planned,
        "worker": wout,
        "assignment": assignment,
        "hours": hours,
        "feedback": feedback_key,
        "feed": feed_key,
        "jobs_garden": garden,
        "service": garden,
        "jobs_other_worker": sara,
        "jobs_today": today,
        "visit_source": visit_source,
        "cheque_holder": holder,
    }


def _day(case: Any, days: int) -> str:
    return (case.part_objects["jobs_today"] + timedelta(days=days)).isoformat()


def _request_body(case: Any) -> dict[str, Any]:
    return {
        "service": case.part_objects["jobs_garden"].pk,
        "name": "Els Nieuwe",
        "phone": "059 12 34 56",
        "language": "nl",
        "street": "Zeedijk 10",
        "postcode": "8400",
        "city": "Oostende",
        "preferred_day": _day(case, 5),
        "window_start": "09:00",
        "window_end": "12:00",
    }


PAGE_REQUESTS: dict[str, dict[str, Any]] = {
    "jobs:rules": {"GET": None, "POST": {"preset": "wijk_werken"}},
    "jobs:catalogue": {
        "GET": None,
        "POST": {
            "name": "Klusje",
            "category": "odd_jobs",
            "skill_level": "1",
            "crew_size": "1",
            "duration_minutes": "60",
            "needs": "",
            "load": "0",
        },
    },
    "jobs:request_new": {"GET": None, "POST": _request_body},
    "jobs:service_offer": {"POST": {"offered": "1"}},
    "jobs:workers": {
        "GET": None,
        "POST": lambda t: {
            "first_name": "Nieuw",
            "last_name": "Werker",
            "language": "nl",
            "agreement_start": _day(t, 0),
            "agreement_end": _day(t, 100),
        },
    },
    "jobs:plan": {"GET": None, "POST": lambda t: {"day": _day(t, 2)}},
    "jobs:request_cancel": {"POST": {}},
    "jobs:request_no_show": {"POST": {}},
    "jobs:request_feedback": {"POST": {"smiley": "3", "comment": ""}},
    "jobs:worker_skill": {"POST": {"skill": "diy", "level": "1"}},
    "jobs:worker_availability": {"POST": {"weekday": "5", "start": "09:00", "end": "12:00"}},
    "jobs:worker_exception": {"POST": lambda t: {"day": _day(t, 3), "note": "vrij"}},
    "jobs:worker_trajectory": {"POST": {"goals": "Op tijd komen"}},
    "jobs:worker_assessment": {
        "POST": lambda t: {"on": _day(t, 0), "competence": "teamwork", "score": "3"}
    },
    "jobs:worker_note": {"POST": {"text": "Gesprek gehad."}},
    "jobs:worker_feed": {"POST": {}},
    "jobs:worker_export_json": {"GET": None},
    "jobs:worker_export_pdf": {"GET": None},
    # wout's trajectory runs and he is planned: the coordinator is refused on the merits (409).
    "jobs:worker_erase": {"GET": None, "POST": {"confirm": "on"}},
    "jobs:assignment_move": {"POST": lambda t: {"worker": t.part_objects["jobs_other_worker"].pk}},
    "jobs:assignment_lock": {"POST": {}},
    "jobs:hours_approve": {"POST": {}},
    "jobs:today_job": {"GET": None, "POST": {"start": "09:00", "end": "10:00", "km": "0"}},
    "jobs_public:ask": {"GET": None, "POST": _request_body},
    "jobs:visit_source_add": {"POST": lambda t: {"source": t.rental.pk}},
    "jobs:visit_source_remove": {"POST": {}},
    "jobs:cheques": {"GET": None, "POST": {"kind": "organisation", "name": "Basisschool"}},
    "jobs:cheque_holder": {"GET": None, "POST": {"quantity": "2"}},
    "jobs:request_cheques": {
        "POST": lambda t: {"cheque_holder": t.part_objects["cheque_holder"].pk}
    },
    "jobs_public:feedback": {"GET": None, "POST": {"smiley": "3", "comment": "Fijn"}},
}

API_BODIES: dict[str, Any] = {
    "POST /jobs/bureaus/{bureau_id}/requests": _request_body,
    "POST /jobs/requests/{request_id}/cancel": {},
    "POST /jobs/bureaus/{bureau_id}/workers": lambda t: {
        "first_name": "Nieuw",
        "last_name": "Werker",
        "agreement_start": _day(t, 0),
        "agreement_end": _day(t, 100),
        "skills": {"diy": 1},
    },
    "POST /jobs/bureaus/{bureau_id}/plan": lambda t: {"day": _day(t, 2)},
    "POST /jobs/assignments/{assignment_id}/hours": lambda t: {
        "starts_at": f"{_day(t, 2)}T09:00:00+01:00",
        "ends_at": f"{_day(t, 2)}T10:00:00+01:00",
        "km": "0",
    },
    "POST /jobs/hours/{hours_id}/approve": {},
    "POST /jobs/bureaus/{bureau_id}/visit-sources": lambda t: {"source_id": t.rental.pk},
    "POST /jobs/visit-sources/{visit_source_id}/remove": {},
    "POST /jobs/bureaus/{bureau_id}/cheque-users": {"kind": "organisation", "name": "Basisschool"},
    "POST /jobs/cheque-users/{cheque_holder_id}/purchases": {"quantity": 2},
    "POST /jobs/requests/{request_id}/cheque-user": lambda t: {
        "cheque_holder_id": t.part_objects["cheque_holder"].pk
    },
    "PATCH /jobs/bureaus/{bureau_id}/rules": {
        "max_hours_month": 50,
        "allowed_categories": ["garden"],
    },
    "POST /jobs/bureaus/{bureau_id}/rules/preset": {"preset": "wijk_werken"},
    "POST /jobs/bureaus/{bureau_id}/services": {
        "name": "Klusje",
        "category": "odd_jobs",
        "required_skills": {"diy": 1},
    },
    "POST /jobs/services/{service_id}/offer": {"offered": True},
    "POST /jobs/requests/{request_id}/no-show": {},
    "POST /jobs/requests/{request_id}/feedback": {"smiley": 3, "comment": "Fijn"},
    "POST /jobs/assignments/{assignment_id}/lock": {"locked": True},
    "POST /jobs/assignments/{assignment_id}/move": lambda t: {
        "worker_id": t.part_objects["jobs_other_worker"].pk
    },
    "POST /jobs/workers/{worker_id}/skills": {"skill": "diy", "level": 1},
    "POST /jobs/workers/{worker_id}/availability": {
        "weekday": 5,
        "start": "09:00",
        "end": "12:00",
    },
    "POST /jobs/workers/{worker_id}/exceptions": lambda t: {"day": _day(t, 3), "note": "vrij"},
    "PUT /jobs/workers/{worker_id}/trajectory": {"goals": "Op tijd komen"},
    "POST /jobs/workers/{worker_id}/assessments": lambda t: {
        "on": _day(t, 0),
        "competence": "teamwork",
        "score": 3,
    },
    "POST /jobs/workers/{worker_id}/notes": {"text": "Gesprek gehad."},
    "POST /jobs/workers/{worker_id}/feed": {},
    "POST /jobs/workers/{worker_id}/feed/revoke": {},
    # wout's trajectory runs and he is planned: the coordinator is refused on the merits (409).
    "POST /jobs/workers/{worker_id}/erase": {},
}


def secrets(case: Any) -> tuple[str, ...]:
    return (
        "Marleen Walkerbeek",
        "Geheimstraat",
        "Verstopte Dreef",
        "Geheimnaam",
        "Saartje",
        "schulden besproken",
        "Geheimgebruiker",
    )


PART = WalkPart(world=world, page_requests=PAGE_REQUESTS, api_bodies=API_BODIES, secrets=secrets)
