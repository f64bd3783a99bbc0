"""The energy-sharing API: participants, imports (with the error report), runs, statements."""

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Run
from core.tokens import api_token_create
from sharing.models import AllocationRun, MeterImport, MeterUpload
from sharing.tests.cast import SharingTestCase, ean, month_file
from wijk.testing import clock_at

API = "/api/v1/sharing"


@clock_at(date(2026, 11, 20))
class ApiTests(SharingTestCase):
    def headers(self, user: str) -> dict[str, Any]:
        return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=getattr(self, user))}"}

    def test_import_run_and_statement(self) -> None:
        cora = self.headers("cora")
        community = self.community.pk
        broken = month_file(date(2026, 1, 1)).replace(b"Afname Dag", b"Afname Zon", 1)
        response = self.client.post(
            f"{API}/communities/{community}/imports",
            {"file": SimpleUploadedFile("bad.csv", broken)},
            **cora,
        )
        # A background run: 202 with its id; the failed run lists every bad line.
        self.assertEqual(response.status_code, 202, response.content)
        run = self.client.get(f"/api/v1/runs/{response.json()['run']}", **cora).json()
        self.assertEqual(run["status"], "failed", run)
        self.assertEqual(run["kind"], "sharing.import")
        self.assertEqual(run["result"]["problems"], ["Regel 2: onbekend register “Afname Zon”."])
        self.assertFalse(MeterImport.objects.exists())
        good = month_file(date(2026, 1, 1))
        response = self.client.post(
            f"{API}/communities/{community}/imports",
            {"file": SimpleUploadedFile("jan.csv", good)},
            **cora,
        )
        self.assertEqual(response.status_code, 202, response.content)
        self.assertTrue(response.json()["new"])
        run = self.client.get(f"/api/v1/runs/{response.json()['run']}", **cora).json()
        self.assertEqual(run["status"], "done", run)
        self.assertEqual(run["result"]["days"], 31)
        self.assertEqual(run["result"]["meter_import"], MeterImport.objects.get().pk)
        self.assertFalse(MeterUpload.objects.exists())
        # The same file again: refused at once, nothing queued.
        response = self.client.post(
            f"{API}/communities/{community}/imports",
            {"file": SimpleUploadedFile("jan-again.csv", good)},
            **cora,
        )
        self.assertEqual(response.status_code, 422, response.content)
        self.assertEqual(response.json()["field"], "file")
        self.assertEqual(Run.objects.filter(kind="sharing.import").count(), 2)
        # Imports need sharing.import at the lead: the job coach follows runs but may not.
        response = self.client.post(
            f"{API}/communities/{community}/imports",
            {"file": SimpleUploadedFile("x.csv", month_file(date(2026, 2, 1), days=1))},
            **self.headers("jo"),
        )
        self.assertEqual(response.status_code, 403)
        for _ in range(2):
            response = self.client.post(
                f"{API}/communities/{community}/runs",
                {"month": "2026-01"},
                content_type="application/json",
                **cora,
            )
            self.assertEqual(response.status_code, 202, response.content)
            run = self.client.get(f"/api/v1/runs/{response.json()['run']}", **cora).json()
            self.assertEqual(run["status"], "done", run)
        self.assertEqual(AllocationRun.objects.get().times_run, 2)
        response = self.client.get(
            f"{API}/participants/{self.jansens_p.pk}/statements/2026-01", **self.headers("ines")
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertGreater(body["received_kwh"], 0)
        self.assertEqual(body["from_producers"][0]["producer"], "Basisschool De Linde")
        self.assertEqual(
            self.client.get(
                f"{API}/participants/{self.jansens_p.pk}/statements/2026-01",
                **self.headers("otto"),
            ).status_code,
            404,
        )

    def test_key_simulation_through_a_run(self) -> None:
        cora = self.headers("cora")
        url = f"{API}/communities/{self.community.pk}/simulations"
        body = {"month": "2026-01", "custom": [{"weighting": "equal"}]}
        response = self.client.post(url, body, content_type="application/json", **cora)
        self.assertEqual(response.status_code, 422)  # no meter data for January yet
        self.assertFalse(Run.objects.exists())
        self.client.post(
            f"{API}/communities/{self.community.pk}/imports",
            {"file": SimpleUploadedFile("jan.csv", month_file(date(2026, 1, 1), days=5))},
            **cora,
        )
        response = self.client.post(url, body, content_type="application/json", **cora)
        self.assertEqual(response.status_code, 202, response.content)
        run = self.client.get(f"/api/v1/runs/{response.json()['run']}", **cora).json()
        self.assertEqual(run["status"], "done", run)
        simulations = run["result"]["simulations"]
        self.assertEqual(len(simulations), 7)
        self.assertTrue(all(s["shared_kwh"] > 0 for s in simulations))
        self.assertLessEqual(
            max(s["shared_kwh"] for s in simulations), run["result"]["injection_kwh"] + 1e-6
        )
        bad = {"month": "2026-01", "custom": [{"weighting": "lottery"}]}
        response = self.client.post(url, bad, content_type="application/json", **cora)
        self.assertEqual(response.status_code, 422)
        for user, status in (("tom", 404), ("jo", 403), ("otto", 404), ("ines", 404)):
            response = self.client.post(
                url, body, content_type="application/json", **self.headers(user)
            )
            self.assertEqual(response.status_code, status, user)

    def test_participants(self) -> None:
        url = f"{API}/communities/{self.community.pk}/participants"
        response = self.client.get(url, **self.headers("cora"))
        self.assertEqual(len(response.json()), 4)
        self.assertEqual(self.client.get(url, **self.headers("otto")).status_code, 404)
        response = self.client.post(
            url,
            {
                "name": "Apotheek Zuid",
                "ean": ean(77),
                "role": "consumer",
                "key_percentage": "5",
                "joined_on": "2026-02-01",
            },
            content_type="application/json",
            **self.headers("cora"),
        )
        self.assertEqual(response.status_code, 201, response.content)
        response = self.client.post(
            url,
            {"name": "Dubbel", "ean": ean(77), "role": "consumer", "joined_on": "2026-02-01"},
            content_type="application/json",
            **self.headers("cora"),
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["field"], "ean")
