"""The import and monthly-run services on the cast (sharing/tests/cast.py)."""

import hashlib
import zlib
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import SimpleTestCase
from django.utils import translation

from core.models import Run
from core.runs import run_start
from households.models import Consent
from sharing import services
from sharing.models import (
    AllocationRun,
    Flow,
    MeterDay,
    MeterImport,
    MeterUpload,
    MonthResult,
    Participant,
)
from sharing.pure import synthetic
from sharing.pure.meterdata import fluvius_csv
from sharing.pure.timeseries import midnight_quarter, month_span
from sharing.tests.cast import (
    DUBOIS_EAN,
    JANSENS_EAN,
    PEETERS_EAN,
    SharingTestCase,
    month_file,
    month_plain,
    month_series,
)
from wijk.testing import clock_at

JANUARY = date(2026, 1, 1)
MARCH = date(2026, 3, 1)
OCTOBER = date(2026, 10, 1)


@clock_at(date(2026, 11, 20))
class ImportTests(SharingTestCase):
    def do_import(self, data: bytes, name: str = "verbruik.csv", user: str = "cora"):
        return services.meter_import(
            acting=self.acting(user), community=self.community, filename=name, data=data
        )

    def test_old_dutch_header_month_is_stored_per_day(self) -> None:
        report = self.do_import(month_file(JANUARY))
        self.assertEqual(report.errors, [])
        self.assertEqual(report.days_written, 4 * 31)
        record = report.meter_import
        self.assertEqual((record.eans, record.days), (4, 31))
        self.assertEqual(record.lines, 4 * 31 * 96 * 2)
        series = month_series(JANUARY)[JANSENS_EAN]
        stored = MeterDay.objects.filter(participant=self.jansens_p)
        self.assertEqual(stored.count(), 31)
        total = sum(day.offtake_kwh for day in stored)
        self.assertAlmostEqual(total, float(np.round(series[1], 3).sum()), places=6)

    def test_new_dutch_and_english_headers(self) -> None:
        for header, month in (("new", date(2026, 2, 1)), ("en", date(2026, 4, 1))):
            report = self.do_import(month_file(month, header=header, days=3))
            self.assertEqual(report.errors, [], header)
            self.assertEqual(report.meter_import.days, 3)
            self.assertEqual(report.meter_import.first_day, month)

    def test_daylight_saving_days_have_92_and_100_quarter_hours(self) -> None:
        for day in (date(2026, 3, 28), date(2026, 10, 24)):  # Saturday to Monday
            first = midnight_quarter(day)
            count = midnight_quarter(day + timedelta(days=3)) - first
            values = synthetic.household(first, count, 9.0)
            data = fluvius_csv({PEETERS_EAN: (first, values, np.zeros(count))})
            self.assertEqual(self.do_import(data).errors, [])
        lengths = dict(
            MeterDay.objects.filter(participant=self.peeters_p).values_list("day", "quarter_hours")
        )
        self.assertEqual(
            lengths,
            {
                date(2026, 3, 28): 96,
                date(2026, 3, 29): 92,
                date(2026, 3, 30): 96,
                date(2026, 10, 24): 96,
                date(2026, 10, 25): 100,
                date(2026, 10, 26): 96,
            },
        )

    def test_plain_csv(self) -> None:
        report = self.do_import(month_plain(JANUARY), name="data.csv")
        self.assertEqual(report.errors, [])
        self.assertEqual(report.meter_import.lines, 4 * 31 * 96)

    def test_broken_line_imports_nothing_and_names_the_line(self) -> None:
        lines = month_file(JANUARY).decode().split("\r\n")
        lines[5] = lines[5].replace("kWh", "MWh")
        lines[9] = lines[9].replace("Afname Dag", "Afname Zondag")
        with translation.override("en"):
            report = self.do_import("\r\n".join(lines).encode())
        self.assertIsNone(report.meter_import)
        self.assertEqual(len(report.errors), 2)
        self.assertIn("Line 6", report.errors[0])
        self.assertIn("MWh", report.errors[0])
        self.assertIn("Line 10", report.errors[1])
        self.assertFalse(MeterDay.objects.exists())
        self.assertFalse(MeterImport.objects.exists())

    def test_decimal_comma_is_read(self) -> None:
        first, _end = month_span(JANUARY)
        data = fluvius_csv({JANSENS_EAN: (first, np.array([0.125, 1.5]), np.array([0.0, 0.0]))})
        self.assertIn(b"0,125", data)
        self.assertEqual(self.do_import(data).errors, [])
        day = MeterDay.objects.get(participant=self.jansens_p)
        self.assertAlmostEqual(day.offtake_kwh, 1.625)

    def test_unknown_ean_is_refused(self) -> None:
        first, _end = month_span(JANUARY)
        data = fluvius_csv({DUBOIS_EAN: (first, np.ones(4), np.zeros(4))})
        with translation.override("en"):
            report = self.do_import(data)
        self.assertIsNone(report.meter_import)
        self.assertIn(DUBOIS_EAN, report.errors[0])
        self.assertIn("not a participant", report.errors[0])

    def test_duplicate_file_is_refused(self) -> None:
        data = month_file(JANUARY)
        self.assertEqual(self.do_import(data).errors, [])
        with translation.override("en"):
            again = self.do_import(data, name="again.csv")
        self.assertIsNone(again.meter_import)
        self.assertIn("imported already", again.errors[0])
        self.assertEqual(MeterImport.objects.count(), 1)

    def test_household_without_energy_consent_is_refused(self) -> None:
        Consent.objects.filter(household=self.jansens).update(withdrawn_on=date(2026, 2, 1))
        with translation.override("en"):
            report = self.do_import(month_file(JANUARY))
        self.assertIsNone(report.meter_import)
        self.assertEqual(len(report.errors), 1)
        self.assertIn(JANSENS_EAN, report.errors[0])
        self.assertIn("consent", report.errors[0])

    def test_only_the_lead_imports(self) -> None:
        data = month_file(JANUARY, days=1)
        for user in ("ines", "otto", "jo"):
            with self.assertRaises(PermissionDenied):
                self.do_import(data, user=user)
        self.assertFalse(MeterImport.objects.exists())


@clock_at(date(2026, 11, 20))
class ImportRunTests(SharingTestCase):
    """The import as a background run (sharing/runs.py): meter_import_start keeps the file,
    the run imports it or lists every problem, the upload is gone afterwards."""

    def start(self, data: bytes, name: str = "verbruik.csv", user: str = "cora") -> Run:
        return services.meter_import_start(
            acting=self.acting(user), community=self.community, filename=name, data=data
        )

    def test_a_good_file_is_imported_by_the_run(self) -> None:
        run = self.start(month_file(JANUARY))
        self.assertTrue(run.is_new)
        self.assertEqual(run.status, Run.Status.DONE, run.error)
        self.assertEqual((run.progress_done, run.progress_total), (3, 3))
        record = MeterImport.objects.get()
        self.assertEqual(run.result["meter_import"], record.pk)
        self.assertEqual(run.result["days"], 31)
        self.assertEqual(MeterDay.objects.filter(meter_import=record).count(), 31 * 4)
        self.assertFalse(MeterUpload.objects.exists())
        self.assertNotIn("verbruik", str(run.result))  # no file name (it may name a person)

    def test_a_bad_file_fails_the_run_with_every_bad_line(self) -> None:
        lines = month_file(JANUARY).decode().split("\r\n")
        lines[2] = lines[2].replace(" Dag;", " Zon;")
        lines[10] = lines[10].replace(" Dag;", " Dag;abc;")
        with translation.override("en"):
            run = self.start("\r\n".join(lines).encode())
        self.assertEqual(run.status, Run.Status.FAILED)
        self.assertIn("2 problems", run.error)
        problems = run.result["problems"]
        self.assertEqual(len(problems), 2)
        self.assertTrue(problems[0].startswith("Line 3:"), problems)
        self.assertTrue(problems[1].startswith("Line 11:"), problems)
        self.assertFalse(MeterImport.objects.exists())
        self.assertFalse(MeterDay.objects.exists())
        self.assertFalse(MeterUpload.objects.exists())

    def test_unknown_ean_and_missing_consent_fail_the_run(self) -> None:
        first, _end = month_span(JANUARY)
        with translation.override("en"):
            run = self.start(fluvius_csv({DUBOIS_EAN: (first, np.ones(4), np.zeros(4))}))
        self.assertEqual(run.status, Run.Status.FAILED)
        self.assertIn("not a participant", run.result["problems"][0])
        Consent.objects.filter(household=self.jansens).update(withdrawn_on=date(2026, 2, 1))
        with translation.override("en"):
            run = self.start(month_file(JANUARY))
        self.assertEqual(run.status, Run.Status.FAILED)
        self.assertIn("consent", run.result["problems"][0])
        self.assertFalse(MeterDay.objects.exists())

    def test_the_same_file_is_refused_at_the_start_and_by_the_run(self) -> None:
        data = month_file(JANUARY, days=2)
        self.assertEqual(self.start(data).status, Run.Status.DONE)
        with translation.override("en"), self.assertRaises(ValidationError) as refused:
            self.start(data, name="again.csv")
        self.assertIn("imported already", str(refused.exception.message_dict["file"]))
        # A file that was imported after its upload (another run won): the run refuses it.
        other = month_file(JANUARY, days=3)
        upload = MeterUpload.objects.create(
            community=self.community,
            filename="late.csv",
            sha256=hashlib.sha256(other).hexdigest(),
            size=len(other),
            content=zlib.compress(other),
        )
        services.meter_import(
            acting=self.acting("cora"), community=self.community, filename="first.csv", data=other
        )
        with translation.override("en"):
            run = run_start(
                acting=self.acting("cora"),
                kind="sharing.import",
                programme=self.community.programme,
                params={"upload": upload.pk},
            )
        self.assertEqual(run.status, Run.Status.FAILED)
        self.assertIn("imported already", run.result["problems"][0])
        self.assertEqual(MeterImport.objects.count(), 2)

    def test_only_the_lead_starts_an_import_and_nothing_is_kept(self) -> None:
        data = month_file(JANUARY, days=1)
        for user in ("ines", "otto", "jo", "tom"):
            with self.assertRaises(PermissionDenied):
                self.start(data, user=user)
        self.assertFalse(Run.objects.exists())
        self.assertFalse(MeterUpload.objects.exists())
        # An upload of another community is not the lead's to import.
        with self.assertRaises(ValidationError):
            run_start(
                acting=self.acting("cora"),
                kind="sharing.import",
                programme=self.community.programme,
                params={"upload": 10**9},
            )

    def test_an_empty_or_too_large_file_is_refused_at_once(self) -> None:
        with self.assertRaises(ValidationError):
            self.start(b"")
        with (
            mock.patch("sharing.services.imports.MAX_FILE_BYTES", 10),
            self.assertRaises(ValidationError),
        ):
            self.start(month_file(JANUARY, days=1))
        self.assertFalse(MeterUpload.objects.exists())


@clock_at(date(2026, 11, 20))
class RunTests(SharingTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        report = services.meter_import(
            acting=cls.acting_of("cora"),
            community=cls.community,
            filename="jan.csv",
            data=month_file(JANUARY),
        )
        assert not report.errors, report.errors

    @classmethod
    def acting_of(cls, username: str):
        from core.tenancy import acting_for

        return acting_for(getattr(cls, username))

    def run_month(self, month: date = JANUARY, progress=None) -> AllocationRun:
        return services.allocation_month_run(
            acting=self.acting("cora"), community=self.community, month=month, progress=progress
        )

    def test_run_stores_totals_that_balance(self) -> None:
        steps: list[tuple[int, int]] = []
        run = self.run_month(progress=lambda done, total: steps.append((done, total)))
        self.assertEqual(steps[-1][0], steps[-1][1])
        results = {r.participant_id: r for r in MonthResult.objects.filter(run=run)}
        self.assertEqual(len(results), 4)
        received = sum(r.received for r in results.values())
        shared = sum(r.shared_injection for r in results.values())
        self.assertAlmostEqual(received, shared, places=6)
        school = results[self.school.pk]
        self.assertAlmostEqual(school.shared_injection + school.given_back, school.injection)
        for r in results.values():
            self.assertLessEqual(r.received, r.offtake + 1e-9)
        flows = Flow.objects.filter(run=run)
        self.assertAlmostEqual(sum(f.kwh for f in flows), received, places=6)
        self.assertFalse(flows.filter(producer=self.jansens_p).exists())
        pool = np.frombuffer(bytes(run.pool))
        first, end = month_span(JANUARY)
        self.assertEqual(pool.size, end - first)

    def test_running_again_gives_the_same_results(self) -> None:
        first = self.run_month()
        before = list(
            MonthResult.objects.filter(run=first)
            .order_by("participant")
            .values_list("participant", "received", "shared_injection", "given_back")
        )
        flows = set(Flow.objects.values_list("producer", "receiver", "kwh"))
        again = self.run_month()
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(again.times_run, 2)
        self.assertEqual(AllocationRun.objects.count(), 1)
        after = list(
            MonthResult.objects.filter(run=again)
            .order_by("participant")
            .values_list("participant", "received", "shared_injection", "given_back")
        )
        self.assertEqual(before, after)
        self.assertEqual(flows, set(Flow.objects.values_list("producer", "receiver", "kwh")))

    def test_key_change_mid_month_and_leaving(self) -> None:
        services.key_choose(
            acting=self.acting("cora"),
            community=self.community,
            preset="social_priority",
            valid_from=date(2026, 1, 16),
        )
        services.participant_end(
            acting=self.acting("cora"), participant=self.peeters_p, on=date(2026, 1, 10)
        )
        run = self.run_month()
        self.assertIn("social_priority 2026-01-16", run.keys)
        peeters = MonthResult.objects.get(run=run, participant=self.peeters_p)
        series = month_series(JANUARY)
        from sharing.tests.cast import PEETERS_EAN

        ten_days = 10 * 96
        expected = float(np.round(series[PEETERS_EAN][1][:ten_days], 3).sum())
        self.assertAlmostEqual(peeters.offtake, expected, places=6)

    def test_month_not_over_or_without_data_is_refused(self) -> None:
        for month in (date(2026, 11, 1), date(2026, 5, 1)):
            with self.assertRaises(ValidationError):
                self.run_month(month)

    def test_only_lead_managers_run(self) -> None:
        for user in ("ines", "otto", "wout"):
            with self.assertRaises(PermissionDenied):
                services.allocation_month_run(
                    acting=self.acting(user), community=self.community, month=JANUARY
                )


class ParticipantRuleTests(SharingTestCase):
    def test_ean_check_digit_and_uniqueness(self) -> None:
        cora = self.acting("cora")
        with self.assertRaises(ValidationError) as caught:
            services.participant_add(
                acting=cora,
                community=self.community,
                name="Apotheek",
                role="consumer",
                ean=JANSENS_EAN[:-1] + str((int(JANSENS_EAN[-1]) + 1) % 10),
                joined_on=date(2026, 1, 1),
            )
        self.assertIn("ean", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            services.participant_add(
                acting=cora,
                community=self.community,
                name="Apotheek",
                role="consumer",
                ean=JANSENS_EAN,
                joined_on=date(2026, 1, 1),
            )
        self.assertIn("ean", caught.exception.message_dict)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Participant.objects.create(
                community=self.community,
                kind="organisation",
                name="Apotheek",
                role="consumer",
                ean=JANSENS_EAN,
                joined_on=date(2026, 1, 1),
            )

    def test_percentages_above_100_are_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.participant_update(
                acting=self.acting("cora"),
                participant=self.peeters_p,
                fields={"key_percentage": Decimal("45")},
            )
        self.assertIn("key_percentage", caught.exception.message_dict)

    def test_household_must_be_enrolled_and_visible(self) -> None:
        from wijk.testing import make_household

        other = make_household(self.ocmw, last_name="Claes", street="Ezelstraat")
        with self.assertRaises(ValidationError):
            services.participant_add(
                acting=self.acting("cora"),
                community=self.community,
                household=other,
                role="consumer",
                ean=DUBOIS_EAN,
                joined_on=date(2026, 1, 1),
            )


class InsertColumnsTest(SimpleTestCase):
    def test_the_fast_insert_writes_every_field_of_a_meter_day(self) -> None:
        from sharing.services.imports import INSERT_COLUMNS

        fields = {f.attname for f in MeterDay._meta.concrete_fields if not f.primary_key}
        self.assertEqual(set(INSERT_COLUMNS), fields)
        self.assertEqual(len(INSERT_COLUMNS), len(fields))
