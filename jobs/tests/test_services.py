"""The job bureau's services and rules, per role; limits, overlap and bad input."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from jobs import planning, services
from jobs import rules as pure
from jobs.models import Assignment, Hours, JobRequest
from jobs.programme import erase, erasure_refusals, export_data
from jobs.references import reference_for
from jobs.selectors.money import allowance_statement, invoice
from jobs.tests.cast import DAY, JobsTestCase, ask, at
from wijk.testing import WijkTestCase, clock_at


def message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@clock_at(date(2026, 2, 27))
class JobServicesTest(JobsTestCase):
    # --- rules ---------------------------------------------------------------------------
    def test_wijk_werken_preset_and_who_may_change_the_rules(self) -> None:
        rules = services.rules_of(self.bureau)
        self.assertEqual((rules.max_hours_month, rules.max_hours_year), (60, 630))
        self.assertEqual(rules.price_per_hour, Decimal("7.45"))
        self.assertEqual(
            (rules.allowance_per_hour, rules.km_allowance), (Decimal("4.10"), Decimal("0.15"))
        )
        with self.assertRaises(ValidationError) as caught:
            services.rules_update(
                acting=self.acting("cora"),
                programme=self.bureau,
                values={"price_per_hour": Decimal("8")},
            )
        self.assertIn("5.95", message(caught.exception))
        for who in ("jo", "wout", "otto"):
            with self.assertRaises(PermissionDenied):
                services.rules_update(
                    acting=self.acting(who),
                    programme=self.bureau,
                    values={"price_per_hour": Decimal("6")},
                )
        services.rules_apply_preset(
            acting=self.acting("cora"), programme=self.bureau, preset="nl_volunteer"
        )
        rules = services.rules_of(self.bureau)
        self.assertEqual(
            (rules.allowance_per_hour, rules.allowance_cap_month),
            (Decimal("5.60"), Decimal("210.00")),
        )

    def test_a_service_outside_the_allowed_activities_is_refused(self) -> None:
        services.rules_update(
            acting=self.acting("cora"),
            programme=self.bureau,
            values={"allowed_categories": ["moving"]},
        )
        with self.assertRaises(ValidationError) as caught:
            services.service_create(
                acting=self.acting("cora"),
                programme=self.bureau,
                name="Graf",
                category="grave_care",
            )
        self.assertIn("not allowed", message(caught.exception))

    # --- requests ------------------------------------------------------------------------
    def test_price_estimate_is_a_cheque_per_started_hour_per_crew_member(self) -> None:
        job = ask(self, self.moving)
        self.assertEqual(job.price_estimate, Decimal("29.80"))  # 2 people x 2 h x 7.45
        self.assertEqual(job.status, JobRequest.Status.NEW)

    def test_a_request_outside_the_served_area_is_refused_in_words(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            ask(self, self.garden, postcode="8000", city="Brugge")
        self.assertIn("km from the bureau", message(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            ask(self, self.garden, postcode="9999")
        self.assertIn("postcode 9999", message(caught.exception))
        self.assertFalse(JobRequest.objects.exists())

    def test_an_impossible_time_window_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            ask(self, self.garden, window_start=time(12), window_end=time(11))
        self.assertIn("after its start", message(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            ask(self, self.moving, window_start=time(9), window_end=time(10))
        self.assertIn("too short", message(caught.exception))
        with self.assertRaises(ValidationError):
            ask(self, self.garden, preferred_day=date(2026, 2, 1))

    def test_who_takes_requests(self) -> None:
        ask(self, self.garden)  # cora
        for who in ("wout", "otto", "vera"):
            with self.assertRaises(PermissionDenied):
                services.request_create(
                    acting=self.acting(who),
                    programme=self.bureau,
                    service=self.garden,
                    name="X",
                    phone="059 12 34 56",
                    street="Kerkstraat 1",
                    postcode="8400",
                    preferred_day=DAY,
                    window_start=time(8),
                    window_end=time(12),
                )

    # --- planning ------------------------------------------------------------------------
    def test_plan_a_day_with_a_crew_and_a_skill_nobody_has(self) -> None:
        moving = ask(self, self.moving)
        garden = ask(self, self.garden, street="Torhoutsesteenweg 10")
        install = services.service_create(
            acting=self.acting("cora"),
            programme=self.bureau,
            name="Toestel plaatsen",
            category="appliances",
            required_skills={"appliance_installation": 1},
        )
        nobody = ask(self, install, street="Vrijhavenstraat 3")
        outcome = services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.5
        )
        self.assertEqual((outcome.planned, outcome.unassigned), (2, 1))
        crew = list(moving.assignments.order_by("place"))
        self.assertEqual({a.worker for a in crew}, {self.worker_w, self.worker_s})
        self.assertEqual(crew[0].starts_at, crew[1].starts_at)  # they start together
        self.assertEqual(crew[0].equipment, "cargo_bike")
        self.assertEqual(garden.assignments.get().worker, self.worker_s)  # only Sara gardens
        nobody.refresh_from_db()
        self.assertEqual(
            (nobody.status, nobody.plan_reason), ("new", planning.NO_WORKER_WITH_SKILL)
        )
        self.assertIn("“Appliance installation”", services.unassigned_message(nobody))
        for job in (moving, garden):
            job.refresh_from_db()
            self.assertEqual(job.status, JobRequest.Status.PLANNED)
        with self.assertRaises(PermissionDenied):
            services.plan_run(acting=self.acting("wout"), programme=self.bureau, day=DAY)
        with self.assertRaises(PermissionDenied):
            services.plan_run(acting=self.acting("otto"), programme=self.bureau, day=DAY)

    def test_a_locked_assignment_stays_and_the_rest_is_planned_again(self) -> None:
        first = ask(self, self.garden, window_start=time(8), window_end=time(10))
        services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
        )
        assignment = first.assignments.get()
        services.assignment_lock(acting=self.acting("jo"), assignment=assignment, locked=True)
        ask(self, self.garden, street="Kapellestraat 2", window_start=time(8), window_end=time(10))
        services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
        )
        kept = first.assignments.get()
        self.assertTrue(kept.locked)
        self.assertEqual(kept.worker, self.worker_s)
        # Moving a crew place to someone without the skill: the planner says so.
        services.assignment_move(
            acting=self.acting("jo"), assignment=kept, worker=self.worker_w, time_limit_s=0.3
        )
        first.refresh_from_db()
        self.assertEqual(first.plan_reason, planning.LOCKED_WORKER_NOT_QUALIFIED)

    def test_a_worker_whose_trajectory_ended_early_is_not_planned(self) -> None:
        ask(self, self.moving, household=None)
        services.trajectory_update(
            acting=self.acting("jo"),
            worker=self.worker_w,
            goals="",
            outcome="paid_job",
            outcome_on=DAY - timedelta(days=1),
        )
        services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
        )
        self.assertFalse(Assignment.objects.filter(worker=self.worker_w).exists())
        # On the day it ended the worker may still work.
        services.trajectory_update(
            acting=self.acting("jo"),
            worker=self.worker_w,
            goals="",
            outcome="paid_job",
            outcome_on=DAY,
        )
        services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
        )
        self.assertTrue(Assignment.objects.filter(worker=self.worker_w).exists())

    def test_hour_limits_reach_the_planner(self) -> None:
        services.rules_update(
            acting=self.acting("cora"), programme=self.bureau, values={"max_hours_month": 1}
        )
        job = ask(self, self.moving)
        services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
        )
        job.refresh_from_db()
        self.assertEqual(job.plan_reason, planning.HOUR_LIMIT)

    # --- hours ---------------------------------------------------------------------------
    def planned_moving(self) -> JobRequest:
        job = ask(self, self.moving)
        services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
        )
        return job

    def test_hours_by_the_worker_approved_by_the_coach(self) -> None:
        job = self.planned_moving()
        mine = job.assignments.get(worker=self.worker_w)
        theirs = job.assignments.get(worker=self.worker_s)
        with clock_at(DAY + timedelta(days=1)):
            with self.assertRaises(PermissionDenied):  # not Wout's own place in the crew
                services.hours_register(
                    acting=self.acting("wout"),
                    assignment=theirs,
                    starts_at=at(DAY, 9),
                    ends_at=at(DAY, 11),
                )
            hours = services.hours_register(
                acting=self.acting("wout"),
                assignment=mine,
                starts_at=at(DAY, 9),
                ends_at=at(DAY, 11, 5),
                km=Decimal("12"),
            )
            job.refresh_from_db()
            self.assertEqual(job.status, JobRequest.Status.DONE)
            with self.assertRaises(PermissionDenied):
                services.hours_approve(acting=self.acting("wout"), hours=hours)
            with self.assertRaises(PermissionDenied):
                services.hours_approve(acting=self.acting("otto"), hours=hours)
            services.hours_approve(acting=self.acting("jo"), hours=hours)
            services.hours_register(
                acting=self.acting("jo"),
                assignment=theirs,
                starts_at=at(DAY, 9),
                ends_at=at(DAY, 11),
            )
        statement = allowance_statement(self.worker_w, DAY)
        self.assertEqual(statement.minutes, 125)
        self.assertEqual(statement.allowance.hours_amount, Decimal("12.30"))  # 3 cheques x 4.10
        self.assertEqual(statement.allowance.km_amount, Decimal("1.80"))  # 12 km x 0.15
        bill = invoice(job)
        # 5 cheques x 7.45, plus the yearly registration fee (the payer's first job this year)
        self.assertEqual((bill.cheques, bill.total), (5, Decimal("47.25")))
        self.assertFalse(bill.complete)  # Sara's hours wait for approval
        self.assertEqual(bill.reference, reference_for("BE", job.pk))

    def test_overlapping_hours_and_hours_over_the_limit_are_refused_in_words(self) -> None:
        job = self.planned_moving()
        other = ask(self, self.garden, street="Kapellestraat 9")
        mine = job.assignments.get(worker=self.worker_w)
        with clock_at(DAY + timedelta(days=1)):
            services.hours_register(
                acting=self.acting("jo"), assignment=mine, starts_at=at(DAY, 9), ends_at=at(DAY, 11)
            )
            extra = Assignment.objects.create(
                request=other, worker=self.worker_w, starts_at=at(DAY, 10), ends_at=at(DAY, 11)
            )
            other.status = JobRequest.Status.PLANNED
            other.save()
            with self.assertRaises(ValidationError) as caught:
                services.hours_register(
                    acting=self.acting("jo"),
                    assignment=extra,
                    starts_at=at(DAY, 10),
                    ends_at=at(DAY, 12),
                )
            self.assertIn("two jobs at once", message(caught.exception))
            services.rules_update(
                acting=self.acting("cora"), programme=self.bureau, values={"max_hours_month": 3}
            )
            with self.assertRaises(ValidationError) as caught:
                services.hours_register(
                    acting=self.acting("jo"),
                    assignment=extra,
                    starts_at=at(DAY, 12),
                    ends_at=at(DAY, 14),
                )
            self.assertIn("at most 3 hours a month", message(caught.exception))
            with self.assertRaises(ValidationError) as caught:
                services.hours_register(
                    acting=self.acting("jo"),
                    assignment=extra,
                    starts_at=at(DAY, 12),
                    ends_at=at(DAY, 11),
                )
        self.assertEqual(Hours.objects.count(), 1)

    def test_the_database_refuses_a_double_booked_worker(self) -> None:
        job = self.planned_moving()
        Hours.objects.create(
            worker=self.worker_w,
            request=job,
            starts_at=at(DAY, 9),
            ends_at=at(DAY, 11),
            minutes=120,
        )
        self.assertIn(connection.vendor, ("sqlite", "postgresql"))
        with self.assertRaises(IntegrityError), transaction.atomic():
            Hours.objects.create(
                worker=self.worker_w,
                request=None,
                starts_at=at(DAY, 10),
                ends_at=at(DAY, 12),
                minutes=120,
            )
        # Back to back is fine, and another worker at the same time too.
        Hours.objects.create(
            worker=self.worker_w, starts_at=at(DAY, 11), ends_at=at(DAY, 12), minutes=60
        )
        Hours.objects.create(
            worker=self.worker_s, starts_at=at(DAY, 9), ends_at=at(DAY, 11), minutes=120
        )

    # --- workers -------------------------------------------------------------------------
    def test_trajectories_longer_than_the_programme_allows_are_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.worker_create(
                acting=self.acting("jo"),
                programme=self.bureau,
                first_name="Lang",
                last_name="Traject",
                agreement_start=date(2026, 1, 1),
                agreement_end=date(2027, 1, 1),
            )
        self.assertIn("12 months", message(caught.exception))
        with self.assertRaises(PermissionDenied):
            services.coaching_note_add(acting=self.acting("cora"), worker=self.worker_w, text="x")
        services.coaching_note_add(
            acting=self.acting("jo"), worker=self.worker_w, text="Goed bezig"
        )

    # --- export and erasure --------------------------------------------------------------
    def test_export_holds_every_jobs_record_of_the_household_and_erasure_waits(self) -> None:
        job = ask(self, self.moving, household=None)
        job.household = self.jansens
        job.save()
        services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
        )
        self.assertTrue(erasure_refusals(self.acting("cora"), self.jansens))
        with clock_at(DAY + timedelta(days=1)):
            for a in job.assignments.all():
                services.hours_register(
                    acting=self.acting("jo"),
                    assignment=a,
                    starts_at=at(DAY, 9),
                    ends_at=at(DAY, 11),
                )
        job.refresh_from_db()
        services.feedback_record(acting=self.acting("cora"), request=job, smiley=3, comment="Top")
        data = export_data(self.acting("cora"), self.jansens)
        self.assertEqual([r["id"] for r in data["requests"]], [job.pk])
        self.assertEqual(
            {a["id"] for a in data["assignments"]},
            set(job.assignments.values_list("pk", flat=True)),
        )
        self.assertEqual(
            {h["id"] for h in data["hours"]}, set(job.hours.values_list("pk", flat=True))
        )
        self.assertEqual([f["comment"] for f in data["feedback"]], ["Top"])
        self.assertEqual(export_data(self.acting("otto"), self.jansens)["requests"], [])
        self.assertEqual(erasure_refusals(self.acting("cora"), self.jansens), [])
        erase(self.acting("ines"), self.jansens)
        job.refresh_from_db()
        self.assertEqual((job.name, job.street, job.phone), ("", "", ""))
        self.assertEqual(job.hours.count(), 2)  # the hours and amounts stay


class PureRulesTest(WijkTestCase):
    def test_cheques_and_caps(self) -> None:
        self.assertEqual([pure.cheques(m) for m in (0, 1, 60, 61, 120)], [0, 1, 1, 2, 2])
        capped = pure.allowance(
            pricing="fixed",
            jobs=[(60 * 40, Decimal("0"))],
            allowance_per_hour=Decimal("5.60"),
            km_allowance=Decimal("0"),
            km_threshold=0,
            cap_month=Decimal("210"),
            cap_year=Decimal("2100"),
            paid_this_year=Decimal("2000"),
        )
        self.assertEqual((capped.total, capped.capped), (Decimal("100.00"), Decimal("124.00")))
        limits = pure.Limits(60, 630)
        self.assertIsNone(
            pure.check_limits(limits, month_minutes=59 * 60, year_minutes=0, asked_minutes=60)
        )
        breach = pure.check_limits(limits, month_minutes=59 * 60, year_minutes=0, asked_minutes=61)
        self.assertEqual(breach and breach.which, "month")
