"""The energy-sharing API: participants, imports (with the error report), runs, statements."""

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from core.tokens import api_token_create
from sharing.models import AllocationRun, MeterImport
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
        self.assertEqual(response.status_code, 422)
        self.assertEqual(
            response.json()["errors"][0]["message"], "Regel 2: onbekend register “Afname Zon”."
        )
        self.assertFalse(MeterImport.objects.exists())
        response = self.client.post(
            f"{API}/communities/{community}/imports",
            {"file": SimpleUploadedFile("jan.csv", month_file(date(2026, 1, 1)))},
            **cora,
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["days"], 31)
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
