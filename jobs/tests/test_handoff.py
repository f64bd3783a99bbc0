"""The visit handoff seam end to end (core/handoffs.py): a rental coordinator hands an
installation visit to the job bureau, the bureau plans and does it, and the status flows back
to the rental visit. This test alone imports both apps (pyproject.toml names it): the apps
themselves meet only in core."""

from datetime import date, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core import handoffs
from core.models import Notification, Programme, Role
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
