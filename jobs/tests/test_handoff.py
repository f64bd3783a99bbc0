"""The visit handoff seam end to end (core/handoffs.py): a rental coordinator hands an
installation visit to the job bureau, the bureau plans and does it, and the status flows back
to the rental visit. This test alone imports both apps (pyproject.toml names it): the apps
themselves meet only in core."""

from datetime import date, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from core import handoffs
from core.models import AuditEvent, Notification, Programme, Role
from core.notifications import notification_text
from core.tokens import api_token_create
from households.models import Consent, Enrolment, Household
from jobs import services as jobs
from jobs.models import JobRequest, Service, VisitSource, Worker
from jobs.tests.cast import build_jobs_cast
from rentals import selectors as rental_selectors
from rentals import services as rentals
from rentals.models import Contract, Visit
from rentals.tests.cast import RentalTestCase
from wijk.testing import PASSWORD, clock_at, make_household

DAY = date(2026, 3, 3)  # a Tuesday


@clock_at(date(2026, 2, 27))
class HandoffTest(RentalTestCase):
    client_language = "en"  # the tests read the English wording
    bureau: Programme
    arnhem_bureau: Programme
    appliances: Service
    worker_w: Worker
    worker_s: Worker
    maes: Household
    contract: Contract
    visit: Visit
    kim: Any
    sam: Any

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_jobs_cast(cls, around=DAY)
        cora = cls.acting_of(cls.cora)
        cls.appliances = jobs.service_create(
            acting=cora,
            programme=cls.bureau,
            name="Toestel leveren",
            category="appliances",
            required_skills={"appliance_installation": 1, "carrying": 1},
            crew_size=2,
            duration_minutes=60,
            needs="cargo_bike",
            load=60,
        )
        for worker in (cls.worker_w, cls.worker_s):
            jobs.worker_skill_set(
                acting=cls.acting_of(cls.jo),
                worker=worker,
                skill="appliance_installation",
                level=1,
            )
        cls.maes = make_household(
            cls.ocmw, first_name="Els", last_name="Maes", postcode="8400", city="Oostende"
        )
        Enrolment.objects.create(household=cls.maes, programme=cls.rental, status="enrolled")
        Consent.objects.create(household=cls.maes, purpose="programme", given_on=date(2025, 12, 1))
        ines = cls.acting_of(cls.ines)
        application = rentals.application_create(
            acting=ines,
            household=cls.maes,
            programme=cls.rental,
            category="washing_machine",
            old_age_band=">15",
        )
        contract = rentals.contract_draft(acting=ines, application=application)
        contract = rentals.contract_sign(
            acting=ines, contract=contract, payment_method="transfer", installation_on=DAY
        )
        cls.contract = contract
        cls.visit = contract.visits.get(kind=Visit.Kind.INSTALLATION)
        cls.visit.window = "09:00–12:00"
        cls.visit.save()

    def hand_off(self, who: str = "cora", bureau: Programme | None = None) -> handoffs.HandoffState:
        return rentals.visit_hand_off(
            acting=self.acting(who), visit=self.visit, bureau_id=(bureau or self.bureau).pk
        )

    def test_the_visit_becomes_a_request_and_its_status_flows_back(self) -> None:
        self.assertEqual(
            [b.id for b in rental_selectors.handoff_bureaus(self.rental)], [self.bureau.pk]
        )
        state = self.hand_off()
        self.assertEqual(state.status, "new")
        request = JobRequest.objects.get(external_ref=f"rentals.visit:{self.visit.pk}")
        self.assertEqual(request.channel, "rental")
        self.assertEqual(request.service, self.appliances)
        self.assertEqual((request.window_start, request.window_end), (time(9), time(12)))
        self.assertEqual(request.household, self.maes)
        self.assertEqual(request.preferred_day, DAY)
        # The bureau's request says where it comes from.
        self.client.force_login(self.cora)
        page = self.client.get(reverse("jobs:request", args=[request.pk]))
        self.assertContains(page, "Huishoudtoestellen huren")
        # Twice is refused while the first is open.
        with self.assertRaises(ValidationError):
            self.hand_off()
        # Planned: a crew of two with the skill.
        outcome = jobs.plan_run(acting=self.acting("jo"), programme=self.bureau, day=DAY)
        self.assertEqual(outcome.planned, 1)
        state = rental_selectors.handoff_states([self.visit])[self.visit.pk]
        self.assertEqual(state.status, "planned")
        self.assertIsNotNone(state.planned_at)
        self.assertEqual(request.assignments.count(), 2)
        # Done when the hours are registered: the rental coordinators hear it.
        with clock_at(DAY + timedelta(days=1)):
            assignment = request.assignments.get(worker=self.worker_w)
            jobs.hours_register(
                acting=self.acting("wout"),
                assignment=assignment,
                starts_at=assignment.starts_at,
                ends_at=assignment.ends_at,
            )
        state = rental_selectors.handoff_states([self.visit])[self.visit.pk]
        self.assertEqual((state.status, state.done_on is not None), ("done", True))
        notice = Notification.objects.get(kind="rentals.handoff_done")
        self.assertEqual(notice.organisation, self.lead)
        # The rental visit's pages show it.
        page = self.client.get(reverse("rentals:contract", args=[self.contract.pk]))
        self.assertContains(page, "Wijkfabriek Oostende")
        page = self.client.get(reverse("rentals:visit_handoff", args=[self.visit.pk]))
        self.assertContains(page, request.reference)

    def test_a_cancelled_request_comes_back_and_the_visit_can_be_handed_again(self) -> None:
        self.hand_off()
        request = JobRequest.objects.get(external_ref=f"rentals.visit:{self.visit.pk}")
        jobs.request_cancel(acting=self.acting("jo"), request=request)
        state = rental_selectors.handoff_states([self.visit])[self.visit.pk]
        self.assertEqual(state.status, "cancelled")
        self.assertEqual(Notification.objects.filter(kind="rentals.handoff_closed").count(), 1)
        self.assertEqual(self.hand_off().status, "new")

    def test_who_may_hand_off(self) -> None:
        # The lead's coordinator only: not the registering welfare office's desk, not the
        # technician, not a stranger.
        for who in ("ines", "ada", "tom", "otto", "jo"):
            with self.subTest(who=who), self.assertRaises(PermissionDenied):
                self.hand_off(who)
        self.assertFalse(JobRequest.objects.filter(channel="rental").exists())
        # A repair visit is the supplier's work.
        repair = Visit.objects.create(
            contract=self.contract,
            kind=Visit.Kind.REPAIR,
            planned_on=DAY,
            technician_organisation=self.supplier,
        )
        with self.assertRaises(ValidationError):
            rentals.visit_hand_off(
                acting=self.acting("cora"), visit=repair, bureau_id=self.bureau.pk
            )

    def test_a_partners_bureau_takes_visits_only_once_it_agreed(self) -> None:
        kortrijk_bureau = Programme.objects.create(
            name="Klusbureau Kortrijk",
            slug="klus-kortrijk",
            kind="job_bureau",
            lead_organisation=self.kortrijk,
        )
        kim = get_user_model().objects.create_user(username="kim", password=PASSWORD)
        kim.memberships.create(organisation=self.kortrijk, role=Role.COORDINATOR)
        self.kim = kim
        with self.assertRaises(ValidationError):
            self.hand_off(bureau=kortrijk_bureau)
        with self.assertRaises(ValidationError):  # a stranger's programme cannot be chosen
            jobs.visit_source_add(
                acting=self.acting("otto"), programme=self.arnhem_bureau, source=self.rental
            )
        with self.assertRaises(PermissionDenied):  # only the bureau's own coordinators agree
            jobs.visit_source_add(
                acting=self.acting("cora"), programme=kortrijk_bureau, source=self.rental
            )
        link = jobs.visit_source_add(
            acting=self.acting("kim"), programme=kortrijk_bureau, source=self.rental
        )
        self.assertIn(
            kortrijk_bureau.pk, [b.id for b in rental_selectors.handoff_bureaus(self.rental)]
        )
        # Agreed, but it offers no appliance service yet: said in words.
        with self.assertRaises(ValidationError) as caught:
            self.hand_off(bureau=kortrijk_bureau)
        self.assertIn("offers no service", " ".join(caught.exception.messages))
        jobs.visit_source_remove(acting=self.acting("kim"), link=link)
        self.assertFalse(VisitSource.objects.exists())
        self.assertNotIn(
            kortrijk_bureau.pk, [b.id for b in rental_selectors.handoff_bureaus(self.rental)]
        )
        # The stranger's bureau is never offered.
        self.assertNotIn(
            self.arnhem_bureau.pk, [b.id for b in rental_selectors.handoff_bureaus(self.rental)]
        )

    def test_the_page_and_the_api_hand_off_alike(self) -> None:
        self.client.force_login(self.ines)  # registering office: sees the visit, may not hand
        self.assertEqual(
            self.client.post(
                reverse("rentals:visit_handoff", args=[self.visit.pk]), {"bureau": self.bureau.pk}
            ).status_code,
            403,
        )
        self.client.force_login(self.cora)
        page = self.client.get(reverse("rentals:visit_handoff", args=[self.visit.pk]))
        self.assertContains(page, "Wijkfabriek Oostende")
        response = self.client.post(
            reverse("rentals:visit_handoff", args=[self.visit.pk]), {"bureau": self.bureau.pk}
        )
        self.assertEqual(response.status_code, 302)
        token = api_token_create(user=self.cora)
        headers = {"authorization": f"Bearer {token}"}
        url = f"/api/v1/rentals/visits/{self.visit.pk}/handoff"
        answer = self.client.get(url, headers=headers)
        self.assertEqual((answer.json()["handed"], answer.json()["status"]), (True, "new"))
        again = self.client.post(
            url, {"bureau_id": self.bureau.pk}, content_type="application/json", headers=headers
        )
        self.assertEqual(again.status_code, 422)  # still open at the bureau
        self.assertIn("already handed", again.json()["message"])

    # --- The rental side changes a handed visit: the request follows (no ping-pong) -------

    def request(self) -> JobRequest:
        return JobRequest.objects.get(external_ref=f"rentals.visit:{self.visit.pk}")

    def planned(self) -> JobRequest:
        self.hand_off()
        jobs.plan_run(acting=self.acting("jo"), programme=self.bureau, day=DAY)
        request = self.request()
        self.assertEqual((request.status, request.assignments.count()), ("planned", 2))
        return request

    def move(self, who: str = "cora", day: date = DAY + timedelta(days=1), **kw: Any) -> Visit:
        return rentals.visit_assign(
            acting=self.acting(who),
            visit=self.visit,
            technician=self.tom,
            planned_on=day,
            **kw,
        )

    def notices(self, kind: str) -> list[str]:
        return sorted(
            Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
        )

    def test_a_moved_visit_takes_its_planned_request_out_of_the_plan(self) -> None:
        request = self.planned()
        rental_notices = Notification.objects.filter(kind__startswith="rentals.handoff").count()
        self.move(window="13:00–16:00")
        request.refresh_from_db()
        self.assertEqual(request.preferred_day, DAY + timedelta(days=1))
        self.assertEqual((request.window_start, request.window_end), (time(13), time(16)))
        self.assertEqual((request.status, request.assignments.count()), ("new", 0))
        # The bureau's planners (job coach, coordinator) hear it moved, out of its plan.
        self.assertEqual(self.notices("jobs.handoff_unplanned"), ["cora", "jo"])
        notice = Notification.objects.filter(kind="jobs.handoff_unplanned").first()
        assert notice is not None
        self.assertEqual(notice.params["was_on"], DAY.isoformat())
        self.assertEqual(notice.url, reverse("jobs:request", args=[request.pk]))
        with translation.override("en"):
            self.assertEqual(
                notification_text(notice),
                f"The rental visit of request {request.reference} moved to March 4, 2026, "
                "13:00–16:00: it is taken out of the plan of March 3, 2026, and its crew is "
                "free. Plan it on its new day.",
            )
        # Nothing comes back to rentals: it asked for the move.
        self.assertEqual(
            Notification.objects.filter(kind__startswith="rentals.handoff").count(),
            rental_notices,
        )
        state = rental_selectors.handoff_states([self.visit])[self.visit.pk]
        self.assertEqual((state.status, state.day), ("new", DAY + timedelta(days=1)))
        # Audited on the request, with the channel.
        event = AuditEvent.objects.filter(subject__contains="follows rentals.visit").get()
        self.assertEqual(
            (event.via, event.user_id, event.household), ("web", self.cora.pk, self.maes)
        )
        # Planned again on its new day.
        outcome = jobs.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY + timedelta(days=1)
        )
        self.assertEqual(outcome.planned, 1)
        # Assigning a technician without a new day or window changes nothing at the bureau.
        rentals.visit_assign(acting=self.acting("cora"), visit=self.visit, technician=self.tom)
        request.refresh_from_db()
        self.assertEqual(request.status, "planned")
        self.assertEqual(len(self.notices("jobs.handoff_unplanned")), 2)

    def test_a_new_request_follows_and_its_planners_hear_it(self) -> None:
        self.client.force_login(self.cora)
        page = self.client.get(reverse("rentals:visit_assign", args=[self.visit.pk]))
        self.assertNotContains(page, "moves the request there")
        self.hand_off()
        page = self.client.get(reverse("rentals:visit_assign", args=[self.visit.pk]))
        self.assertContains(page, f"request {self.request().reference}): a new date")
        self.move()  # only the day: the window stays 09:00–12:00
        request = self.request()
        self.assertEqual((request.preferred_day, request.status), (DAY + timedelta(days=1), "new"))
        self.assertEqual((request.window_start, request.window_end), (time(9), time(12)))
        self.assertEqual(self.notices("jobs.handoff_moved"), ["cora", "jo"])
        self.assertEqual(self.notices("jobs.handoff_unplanned"), [])
        # A window that cannot be read asks for the working day, as at the handoff.
        self.move(day=DAY + timedelta(days=1), window="in the morning")
        request.refresh_from_db()
        self.assertEqual((request.window_start, request.window_end), (time(8), time(17)))
        self.assertEqual(len(self.notices("jobs.handoff_moved")), 4)

    def test_who_may_move_a_handed_visit(self) -> None:
        self.hand_off()
        for who in ("ines", "tom", "otto", "jo", "wout"):
            with self.subTest(who=who), self.assertRaises(PermissionDenied):
                self.move(who)
        self.assertEqual(self.request().preferred_day, DAY)
        # The supplier's planner plans its visits: the bureau follows them too.
        sam = get_user_model().objects.create_user(username="sam", password=PASSWORD)
        sam.memberships.create(organisation=self.supplier, role=Role.COORDINATOR)
        self.sam = sam
        self.move("sam")
        self.assertEqual(self.request().preferred_day, DAY + timedelta(days=1))

    def test_a_move_the_bureau_cannot_follow_is_refused_in_words(self) -> None:
        self.hand_off()
        with self.assertRaises(ValidationError) as caught:
            self.move(day=DAY + timedelta(days=120))  # the bureau plans 90 days ahead
        self.assertIn("cannot follow", " ".join(caught.exception.messages))
        self.visit.refresh_from_db()
        self.assertEqual(self.visit.planned_on, DAY)  # the rental visit did not move either
        self.assertEqual(self.request().preferred_day, DAY)
        self.assertEqual(self.notices("jobs.handoff_moved"), [])

    def test_a_visit_the_bureau_did_is_neither_moved_nor_cancelled(self) -> None:
        request = self.planned()
        with clock_at(DAY + timedelta(days=1)):
            assignment = request.assignments.get(worker=self.worker_w)
            jobs.hours_register(
                acting=self.acting("wout"),
                assignment=assignment,
                starts_at=assignment.starts_at,
                ends_at=assignment.ends_at,
            )
            with self.assertRaises(ValidationError) as caught:
                self.move(day=DAY + timedelta(days=3))
            self.assertIn("reported this visit done", " ".join(caught.exception.messages))
            with self.assertRaises(ValidationError) as caught:
                rentals.contract_cancel(
                    acting=self.acting("ines"), contract=self.contract, reason="changed mind"
                )
            self.assertIn("Record the visit done", " ".join(caught.exception.messages))
        request.refresh_from_db()
        self.assertEqual((request.status, request.preferred_day), ("done", DAY))
        self.assertEqual(request.hours.count(), 1)
        self.contract.refresh_from_db()
        self.assertEqual(self.contract.status, Contract.Status.SIGNED)
        self.assertEqual(
            self.notices("jobs.handoff_moved") + self.notices("jobs.handoff_cancelled"), []
        )

    def test_a_request_the_bureau_closed_stays_closed(self) -> None:
        self.hand_off()
        jobs.request_cancel(acting=self.acting("jo"), request=self.request())
        self.move()  # the rental visit moves freely; it can be handed again
        request = self.request()
        self.assertEqual((request.status, request.preferred_day), ("cancelled", DAY))
        self.assertEqual(self.notices("jobs.handoff_moved"), [])
        state = self.hand_off()
        self.assertEqual((state.status, state.day), ("new", DAY + timedelta(days=1)))

    def test_a_cancelled_contract_cancels_the_request_once(self) -> None:
        request = self.planned()
        rentals.contract_cancel(
            acting=self.acting("ines"), contract=self.contract, reason="The household moved away"
        )
        request.refresh_from_db()
        self.assertEqual((request.status, request.assignments.count()), ("cancelled", 0))
        self.assertIsNotNone(request.closed_at)
        self.assertIn("Cancelled by the rental programme", request.notes)
        self.assertNotIn("moved away", request.notes)  # the rental's reason stays there
        self.assertEqual(self.notices("jobs.handoff_cancelled"), ["cora", "jo"])
        # No ping-pong: the rental coordinators are not told the bureau cancelled.
        self.assertEqual(self.notices("rentals.handoff_closed"), [])
        self.visit.refresh_from_db()
        self.assertEqual(self.visit.status, Visit.Status.CANCELLED)
        state = rental_selectors.handoff_states([self.visit])[self.visit.pk]
        self.assertEqual(state.status, "cancelled")
        event = AuditEvent.objects.filter(subject__contains="cancelled with rentals.visit").get()
        self.assertEqual((event.user_id, event.organisation), (self.ines.pk, self.ocmw))

    def test_the_api_moves_and_cancels_alike(self) -> None:
        request = self.planned()
        headers = {"authorization": f"Bearer {api_token_create(user=self.cora)}"}
        answer = self.client.post(
            f"/api/v1/rentals/visits/{self.visit.pk}/assign",
            {"technician": "tom", "planned_on": "2026-03-05", "window": "10-12"},
            content_type="application/json",
            headers=headers,
        )
        self.assertEqual(answer.status_code, 200, answer.content)
        request.refresh_from_db()
        self.assertEqual(
            (request.preferred_day, request.window_start, request.status),
            (date(2026, 3, 5), time(10), "new"),
        )
        event = AuditEvent.objects.filter(subject__contains="follows rentals.visit").get()
        self.assertEqual(event.via, "api")
        # Too far for the bureau: refused in words, not a 500.
        answer = self.client.post(
            f"/api/v1/rentals/visits/{self.visit.pk}/assign",
            {"technician": "tom", "planned_on": "2026-08-05"},
            content_type="application/json",
            headers=headers,
        )
        self.assertEqual(answer.status_code, 422)
        self.assertIn("cannot follow", answer.json()["message"])
        # The page says it on the form.
        self.client.force_login(self.cora)
        page = self.client.post(
            reverse("rentals:visit_assign", args=[self.visit.pk]),
            {"technician": self.tom.pk, "planned_on": "2026-08-05", "window": ""},
        )
        self.assertContains(page, "cannot follow", status_code=page.status_code)
        self.assertNotEqual(page.status_code, 302)
        self.visit.refresh_from_db()
        self.assertEqual(self.visit.planned_on, date(2026, 3, 5))
        ines = {"authorization": f"Bearer {api_token_create(user=self.ines)}"}
        answer = self.client.post(
            f"/api/v1/rentals/contracts/{self.contract.pk}/cancel",
            {"reason": "No longer needed"},
            content_type="application/json",
            headers=ines,
        )
        self.assertEqual(answer.status_code, 200, answer.content)
        request.refresh_from_db()
        self.assertEqual(request.status, "cancelled")
        self.assertEqual(self.notices("jobs.handoff_cancelled"), ["cora", "jo"])
        self.assertEqual(self.notices("rentals.handoff_closed"), [])
