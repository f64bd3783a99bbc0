"""Defects from the outside review of issue 9 (the job bureau), each with the test that
failed before its fix."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from jobs import geo, planning, services
from jobs.documents import invoice_html
from jobs.feeds import worker_calendar
from jobs.messages import reason_message
from jobs.models import Worker
from jobs.selectors.money import invoice, registration_fee_due
from jobs.tests.cast import DAY, JobsTestCase, ask, at
from wijk.testing import clock_at


def message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@clock_at(date(2026, 2, 27))
class NumbersInTheReadersLanguageTest(JobsTestCase):
    def test_the_distance_outside_the_area_has_a_decimal_comma_in_dutch_and_french(self) -> None:
        for language in ("nl", "fr"):
            with translation.override(language), self.assertRaises(ValidationError) as caught:
                ask(self, self.garden, postcode="8000", city="Brugge")  # 21.4 km away
            self.assertIn("21,4", message(caught.exception))
            self.assertNotIn("21.4", message(caught.exception))
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            ask(self, self.garden, postcode="8000", city="Brugge")
        self.assertIn("21.4 km", message(caught.exception))
        self.assertIn("up to 6 km", message(caught.exception))

    def test_the_planners_reason_has_a_decimal_comma_in_dutch(self) -> None:
        reason = planning.Unassigned(
            "1", planning.OUTSIDE_AREA, {"distance_km": "21.4", "radius_km": "6.0"}
        )
        with translation.override("nl"):
            text = reason_message(reason)
        self.assertIn("21,4", text)
        self.assertIn("6,0", text)
        self.assertNotIn("21.4", text)


@clock_at(date(2026, 2, 27))
class HoursNotAheadTest(JobsTestCase):
    client_language = "en"

    def test_hours_ending_half_an_hour_from_now_are_refused_a_few_minutes_are_not(self) -> None:
        """An hour's slack let the planned end be registered before the job was over."""
        job = ask(self, self.moving)
        services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
        )
        mine = job.assignments.get(worker=self.worker_w)
        with clock_at(DAY), self.assertRaises(ValidationError) as caught:  # 10:00 in Brussels
            services.hours_register(
                acting=self.acting("wout"),
                assignment=mine,
                starts_at=at(DAY, 8),
                ends_at=at(DAY, 10, 30),
            )
        self.assertIn("not ahead", message(caught.exception))
        with clock_at(DAY):  # a phone's clock a few minutes ahead
            services.hours_register(
                acting=self.acting("wout"),
                assignment=mine,
                starts_at=at(DAY, 8),
                ends_at=at(DAY, 10, 3),
            )


@clock_at(date(2026, 2, 27))
class CalendarFeedTest(JobsTestCase):
    def events(self, worker: Worker) -> dict[str, dict[str, str]]:
        """The feed parsed with icalendar: UID → the event's properties as text."""
        calendar = Calendar.from_ical(worker_calendar(worker))
        return {
            str(e["uid"]): {str(k).lower(): str(v) for k, v in e.items()}
            for e in calendar.walk("VEVENT")
        }

    def test_a_re_plan_keeps_each_workers_event_and_raises_its_sequence(self) -> None:
        """The UID had the crew place in it: a worker given another place of the same job
        got the job twice in their calendar app."""
        job = ask(self, self.moving)

        def plan() -> None:
            services.plan_run(
                acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
            )

        plan()
        before = {w.pk: self.events(w) for w in (self.worker_w, self.worker_s)}
        self.assertEqual([len(e) for e in before.values()], [1, 1])
        plan()  # a re-plan writes the day anew
        # ... and this one gives the two workers each other's crew place.
        places = dict(job.assignments.values_list("worker_id", "place"))
        job.assignments.update(place=F("place") + 10)
        for worker_id, place in places.items():
            job.assignments.filter(worker_id=worker_id).update(place=1 - place)
        for worker_id, events in before.items():
            after = self.events(Worker.objects.get(pk=worker_id))
            self.assertEqual(set(after), set(events))
            (uid,) = after
            self.assertGreater(int(after[uid]["sequence"]), int(events[uid].get("sequence", "0")))
            self.assertIn("dtstamp", after[uid])


PUBLIC = {
    "name": "Marleen Peeters",
    "phone": "059 12 34 56",
    "street": "Veldstraat 1",
    "city": "Gent",
    "preferred_day": DAY,
    "window_start": time(8),
    "window_end": time(13),
}


@clock_at(date(2026, 2, 27))
class PostcodesOutsideTheTableTest(JobsTestCase):
    client_language = "en"

    def test_staff_learn_a_real_postcode_is_outside_and_may_give_coordinates(self) -> None:
        """9000 Gent for the Oostende bureau was "We do not know postcode 9000"."""
        with self.assertRaises(ValidationError) as caught:
            ask(self, self.garden, postcode="9000", city="Gent")
        text = message(caught.exception)
        self.assertIn("not in the area we serve, 6 km around", text)
        self.assertIn("latitude and longitude", text)
        self.assertNotIn("do not know", text)
        # Close by all the same (a new postcode the table lacks): coordinates place it.
        job = ask(self, self.garden, postcode="8401", lat=51.2200, lon=2.9200)
        self.assertEqual(job.postcode, "8401")

    def test_residents_learn_where_the_bureau_works_and_whom_to_call(self) -> None:
        self.lead.phone, self.lead.city = "059 00 11 22", "Oostende"
        self.lead.save(update_fields=["phone", "city"])
        with self.assertRaises(ValidationError) as caught:
            services.request_preview_public(
                programme=self.bureau, service=self.garden, postcode="9000", **PUBLIC
            )
        text = message(caught.exception)
        self.assertIn("we work only 6 km around Oostende", text)
        self.assertIn("call us at 059 00 11 22", text)
        self.assertNotIn("latitude", text)

    def test_a_postcode_of_the_wrong_shape_is_named_so(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            ask(self, self.garden, postcode="84000")
        self.assertIn("A Belgian postcode has 4 digits", message(caught.exception))

    def test_the_shapes_of_belgian_and_dutch_postcodes(self) -> None:
        self.assertTrue(geo.postcode_well_formed("BE", "9000"))
        self.assertFalse(geo.postcode_well_formed("BE", "0900"))
        self.assertFalse(geo.postcode_well_formed("BE", "6821 AB"))
        self.assertTrue(geo.postcode_well_formed("NL", "6821 AB"))
        self.assertTrue(geo.postcode_well_formed("NL", "6821ab"))
        self.assertTrue(geo.postcode_well_formed("NL", "6821"))
        self.assertFalse(geo.postcode_well_formed("NL", "682 AB"))


@clock_at(date(2026, 2, 27))
class RegistrationFeeTest(JobsTestCase):
    """wijk-werken: "often plus a yearly registration fee" (the preset's 10 EUR). The price
    preview and the invoice left it out."""

    client_language = "en"

    def test_the_payers_first_job_of_the_year_carries_the_fee_the_next_does_not(self) -> None:
        holder = services.cheque_holder_create(
            acting=self.acting("cora"), programme=self.bureau, kind="resident", name="Marleen"
        )
        first = ask(self, self.garden, preferred_day=DAY)
        later = ask(self, self.garden, preferred_day=DAY + timedelta(days=1))
        for job in (first, later):
            services.request_cheque_holder_set(
                acting=self.acting("cora"), request=job, holder=holder
            )
        self.assertEqual(registration_fee_due(first), Decimal("10.00"))
        self.assertEqual(registration_fee_due(later), Decimal("0"))
        # The price preview of yet another job of this payer: paid this year already.
        preview = services.request_preview_public(
            programme=self.bureau, service=self.garden, postcode="8400", **PUBLIC
        )
        preview.cheque_holder = holder
        self.assertEqual(registration_fee_due(preview), Decimal("0"))
        # The first one cancelled: the next job pays the fee.
        services.request_cancel(acting=self.acting("cora"), request=first)
        self.assertEqual(registration_fee_due(later), Decimal("10.00"))

    def test_a_resident_on_the_public_form_sees_the_fee_and_the_invoice_charges_it(self) -> None:
        preview = services.request_preview_public(
            programme=self.bureau, service=self.garden, postcode="8400", **PUBLIC
        )
        self.assertEqual(registration_fee_due(preview), Decimal("10.00"))
        page = self.client.post(
            reverse("jobs_public:ask", args=[self.bureau.pk]),
            {
                **PUBLIC,
                "service": self.garden.pk,
                "street": "Kerkstraat 5",
                "postcode": "8400",
                "preferred_day": DAY.isoformat(),
                "window_start": "08:00",
                "window_end": "13:00",
                "language": "en",
            },
        )
        self.assertContains(page, "plus the registration fee of 10.00 EUR, once a year")
        job = ask(self, self.garden)
        services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
        )
        (mine,) = job.assignments.all()
        with clock_at(DAY + timedelta(days=1)):
            services.hours_register(
                acting=self.acting("jo"), assignment=mine, starts_at=at(DAY, 9), ends_at=at(DAY, 10)
            )
        job.refresh_from_db()
        bill = invoice(job)
        self.assertEqual(bill.registration_fee, Decimal("10.00"))
        self.assertEqual(bill.total, Decimal("7.45") + Decimal("10.00"))
        with translation.override(job.language):  # the invoice is in the resident's language
            line = translation.gettext("Yearly registration fee (once a year)")
        self.assertIn(line, invoice_html(job))

    def test_no_fee_in_the_rules_no_fee_anywhere(self) -> None:
        services.rules_update(
            acting=self.acting("cora"), programme=self.bureau, values={"registration_fee": 0}
        )
        self.assertEqual(registration_fee_due(ask(self, self.garden)), Decimal("0"))
