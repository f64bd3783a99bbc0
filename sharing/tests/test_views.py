"""The energy-sharing pages through the test client: import with its error report, the run,
dashboard and Excel export, the statement PDF, key simulator, advice and the roles."""

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from core.models import Run
from sharing import services
from sharing.documents import statement_html
from sharing.models import AllocationRun, MeterImport, MeterUpload, Participant
from sharing.selectors.reports import statement
from sharing.tests.cast import JANSENS_EAN, SharingTestCase, month_file
from wijk.testing import clock_at, pdf_text

JANUARY = date(2026, 1, 1)


@clock_at(date(2026, 11, 20))
class PageTests(SharingTestCase):
    january_run: AllocationRun

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from core.tenancy import acting_for

        cora = acting_for(cls.cora)
        assert cora is not None
        report = services.meter_import(
            acting=cora, community=cls.community, filename="jan.csv", data=month_file(JANUARY)
        )
        assert not report.errors
        cls.january_run = services.allocation_month_run(
            acting=cora, community=cls.community, month=JANUARY
        )

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"sharing:{name}", kwargs=kwargs)

    def test_import_page_reports_every_bad_line_in_the_users_language(self) -> None:
        self.client.force_login(self.cora)
        lines = month_file(date(2026, 2, 1)).decode().split("\r\n")
        lines[3] = (
            lines[3]
            .replace(";Injectie Dag;", ";Injectie Zon;")
            .replace(";Afname Dag;", ";Afname Zon;")
        )
        lines[7] = lines[7].replace(";Afname Dag;", ";Afname Dag;-1,5;")
        data = "\r\n".join(lines).encode()
        url = self.url("imports", community_pk=self.community.pk)
        with translation.override("en"):
            response = self.client.post(
                url,
                {"file": SimpleUploadedFile("feb.csv", data, "text/csv")},
                HTTP_ACCEPT_LANGUAGE="en",
            )
            # A background run (the test backend does it at once): its page lists every line.
            self.assertRedirects(response, response["Location"], fetch_redirect_response=False)
            run = Run.objects.get(kind="sharing.import")
            self.assertEqual(response["Location"], run.get_absolute_url())
            page = self.client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(run.status, Run.Status.FAILED)
        body = page.content.decode()
        self.assertIn("Nothing was imported: the file has 2 problems.", body)
        self.assertIn("Line 4: unknown register", body)
        self.assertIn("Line 8: the volume -1,5 is negative", body)
        self.assertEqual(len(run.result["problems"]), 2)
        self.assertEqual(MeterImport.objects.count(), 1)
        self.assertFalse(MeterUpload.objects.exists())  # the file is not kept
        # The import page lists the run.
        self.assertContains(self.client.get(url), run.get_absolute_url())

    def test_import_page_imports_and_refuses_the_same_file(self) -> None:
        self.client.force_login(self.cora)
        data = month_file(date(2026, 2, 1), header="new")
        url = self.url("imports", community_pk=self.community.pk)
        response = self.client.post(url, {"file": SimpleUploadedFile("feb.csv", data)})
        run = Run.objects.get(kind="sharing.import")
        self.assertRedirects(response, run.get_absolute_url())
        self.assertEqual(run.status, Run.Status.DONE, run.error)
        self.assertEqual(run.result_url, url)
        self.assertEqual(run.result["days"], 28)
        self.assertContains(self.client.get(run.get_absolute_url()), f'href="{url}"')
        self.assertFalse(MeterUpload.objects.exists())
        # The same file again (another name): refused at once, on the form.
        response = self.client.post(url, {"file": SimpleUploadedFile("feb2.csv", data)})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "feb.csv", status_code=400)
        self.assertEqual(MeterImport.objects.count(), 2)
        self.assertEqual(Run.objects.filter(kind="sharing.import").count(), 1)

    def test_import_page_roles(self) -> None:
        url = self.url("imports", community_pk=self.community.pk)
        data = month_file(date(2026, 3, 1), days=1)
        for user, status in (
            ("ines", 404),
            ("otto", 404),
            ("tom", 403),
            ("jo", 403),
            ("wout", 403),
        ):
            self.client.force_login(getattr(self, user))
            response = self.client.post(url, {"file": SimpleUploadedFile("m.csv", data)})
            self.assertEqual(response.status_code, status, user)
        self.assertFalse(Run.objects.filter(kind="sharing.import").exists())
        self.assertFalse(MeterUpload.objects.exists())

    def test_run_page_runs_again_and_opens_the_dashboard(self) -> None:
        self.client.force_login(self.cora)
        response = self.client.post(
            self.url("runs", community_pk=self.community.pk), {"month": "2026-01"}
        )
        dashboard = self.url("dashboard", community_pk=self.community.pk, month="2026-01")
        # A background run (the test backend does it at once); its page links to the month.
        run_page = self.client.get(response["Location"])
        self.assertContains(run_page, f'href="{dashboard}"')
        self.assertEqual(AllocationRun.objects.get().times_run, 2)
        page = self.client.get(dashboard)
        self.assertContains(page, "<svg", count=2)
        self.assertContains(page, "Basisschool De Linde")
        xlsx = self.client.get(
            self.url("dashboard_xlsx", community_pk=self.community.pk, month="2026-01")
        )
        self.assertEqual(xlsx.status_code, 200)
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(xlsx.content))
        names = [row[0].value for row in book.worksheets[0].iter_rows(min_row=2)]
        self.assertIn("An Jansens", names)
        self.assertEqual(book.worksheets[1].max_row, 32)

    def test_run_page_refuses_a_month_without_data(self) -> None:
        self.client.force_login(self.cora)
        response = self.client.post(
            self.url("runs", community_pk=self.community.pk), {"month": "2026-06"}
        )
        self.assertEqual(response.status_code, 400)

    def test_statement_pdf_and_its_content(self) -> None:
        found = statement(self.jansens_p, JANUARY)
        assert found is not None
        html = statement_html(found)
        self.assertIn("januari 2026", html)  # the household's language: Dutch
        self.assertIn("Basisschool De Linde", html)
        self.assertIn(f"{found.saving}".replace(".", ","), html)
        self.assertGreater(found.result.received, 0)
        self.assertAlmostEqual(
            sum(kwh for _name, kwh in found.from_producers), found.result.received, places=6
        )
        school = statement(self.school, JANUARY)
        assert school is not None
        with translation.override(school.participant.statement_language):
            shared = translation.gettext("Shared with the community")
        self.assertNotEqual(shared, "Shared with the community")  # the school's language: Dutch
        self.assertIn(shared, statement_html(school))
        self.client.force_login(self.ines)  # the OCMW registered jansens
        response = self.client.get(
            self.url("statement", participant_pk=self.jansens_p.pk, month="2026-01")
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertIn(b"pdfuaid:part", pdf_text(response.content))  # tagged PDF/UA-1
        # ...but not the school's statement, nor another month's.
        for pk, month in ((self.school.pk, "2026-01"), (self.jansens_p.pk, "2026-02")):
            self.assertIn(
                self.client.get(self.url("statement", participant_pk=pk, month=month)).status_code,
                (403, 404),
            )

    def test_simulator_compares_every_key(self) -> None:
        self.client.force_login(self.cora)
        url = self.url("simulator", community_pk=self.community.pk)
        response = self.client.post(
            url,
            {"month": "2026-01", "social_cap": "0,5", "round1": "equal", "round2": "pro_rata"},
        )
        run = Run.objects.get(kind="sharing.simulation")
        self.assertRedirects(response, run.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(run.status, Run.Status.DONE, run.error)
        self.assertEqual(run.result_url, f"{url}?run={run.pk}")
        self.assertContains(self.client.get(run.get_absolute_url()), "?run=")
        response = self.client.get(run.result_url)
        self.assertEqual(response.status_code, 200)
        result = response.context["result"]
        self.assertEqual(len(result.simulations), 7)
        by_label = {s.label: s for s in result.simulations}
        social = next(s for s in result.simulations if "ocial" in s.label or "ociale" in s.label)
        pro_rata = [s for s in result.simulations if s is not social]
        self.assertGreaterEqual(social.vulnerable_share, min(s.vulnerable_share for s in pro_rata))
        self.assertTrue(all(s.shared > 0 for s in by_label.values()))
        self.assertContains(response, 'id="simulation"')

    def test_simulator_without_a_run_shows_the_latest_finished_simulation(self) -> None:
        self.client.force_login(self.cora)
        url = self.url("simulator", community_pk=self.community.pk)
        # Before any simulation: the form alone.
        self.assertIsNone(self.client.get(url).context["result"])
        for cap in ("0,5", "0,3"):
            self.client.post(url, {"month": "2026-01", "social_cap": cap})
        first, latest = Run.objects.filter(kind="sharing.simulation").order_by("pk")
        self.assertEqual((first.status, latest.status), (Run.Status.DONE, Run.Status.DONE))
        kept = dict(latest.result)
        # Newer runs that must not be shown: one that failed, one of another organisation.
        Run.objects.create(
            organisation=self.lead,
            programme=self.energy,
            kind="sharing.simulation",
            target_key="failed",
            status=Run.Status.FAILED,
            finished_at=latest.finished_at,
            error="Out of memory",
        )
        Run.objects.create(
            organisation=self.arnhem,
            programme=self.energy,
            kind="sharing.simulation",
            target_key="elsewhere",
            status=Run.Status.DONE,
            finished_at=latest.finished_at,
            result={**kept, "participants": 999},
        )
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["run"], latest)
        self.assertEqual(response.context["result"].participants, kept["participants"])
        self.assertContains(response, 'id="simulation"')
        # ?run= still names an earlier one.
        self.assertEqual(self.client.get(url, {"run": first.pk}).context["run"], first)
        # Another lead organisation's staff (arnhem) cannot open the community at all.
        self.client.force_login(self.otto)
        self.assertIn(self.client.get(url).status_code, (403, 404))

    def test_simulator_refuses_a_month_without_data_and_other_runs(self) -> None:
        self.client.force_login(self.cora)
        url = self.url("simulator", community_pk=self.community.pk)
        response = self.client.post(url, {"month": "2026-06", "social_cap": "0,5"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Run.objects.filter(kind="sharing.simulation").exists())
        # ?run= of a run that is not a simulation of this community shows no figures.
        self.client.post(self.url("runs", community_pk=self.community.pk), {"month": "2026-01"})
        other = Run.objects.get(kind="sharing.allocation")
        for value in (str(other.pk), "x", "999999"):
            response = self.client.get(url, {"run": value})
            self.assertEqual(response.status_code, 200)
            self.assertIsNone(response.context["result"])
        self.client.force_login(self.tom)  # a technician: no sharing.view
        self.assertEqual(self.client.post(url, {"month": "2026-01"}).status_code, 403)

    def test_advice_page_card_and_sms(self) -> None:
        self.client.force_login(self.cora)
        response = self.client.get(self.url("advice", community_pk=self.community.pk))
        self.assertEqual(response.status_code, 200)
        advice = response.context["advice"]
        self.assertEqual(len(advice), 3)
        self.assertTrue(all(10 <= a.start.hour <= 13 < a.end.hour for a in advice))
        self.assertLessEqual(len(response.context["sms"]), 160)
        card = self.client.get(self.url("advice_card", community_pk=self.community.pk))
        self.assertEqual(card.status_code, 200)

    def test_roles(self) -> None:
        community = self.url("community", community_pk=self.community.pk)
        for user, status in (
            ("cora", 200),
            ("ines", 404),  # the OCMW sees no community of the lead
            ("otto", 404),
            ("tom", 403),  # a technician: no sharing.view
            ("wout", 403),  # the lead's neighbourhood worker: no sharing.view
        ):
            self.client.force_login(getattr(self, user))
            self.assertEqual(self.client.get(community).status_code, status, user)
        self.client.force_login(self.jo)  # job coach at the lead: no sharing.view either
        self.assertEqual(self.client.get(community).status_code, 403)
        self.client.force_login(self.ines)
        participant = self.url("participant", participant_pk=self.jansens_p.pk)
        self.assertEqual(self.client.get(participant).status_code, 200)
        self.assertEqual(
            self.client.post(participant, {"ean": JANSENS_EAN, "role": "consumer"}).status_code,
            403,
        )
        self.client.force_login(self.cora)
        response = self.client.post(
            self.url("participant_add", community_pk=self.community.pk),
            {
                "name": "Apotheek Zuid",
                "language": "fr",
                "ean": "",
                "role": "consumer",
                "key_percentage": "5",
                "joined_on": "2026-02-01",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Participant.objects.filter(name="Apotheek Zuid").exists())
