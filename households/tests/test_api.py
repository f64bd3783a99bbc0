"""The household API: search, create, read, update, export, erase, enrol — and bad input."""

import json
from typing import Any

from core.models import AuditEvent, Programme
from core.tests.test_api import ApiTestCase
from households.models import Enrolment, Household

NEW = {
    "first_name": "Fatima",
    "last_name": "El Amrani",
    "street": "Zandstraat",
    "house_number": "7",
    "postcode": "8200",
    "city": "Sint-Andries",
    "country": "BE",
    "language": "fr",
    "contact_channel": "phone",
    "phone": "+32 470 12 34 56",
    "size": 4,
    "welfare_client": True,
    "net_monthly_income": "1850.50",
}


class HouseholdApiTest(ApiTestCase):
    def url(self, household: Household, rest: str = "") -> str:
        return f"/api/v1/households/{household.pk}{rest}"

    # --- search ---------------------------------------------------------------------------

    def test_list_shows_only_visible_households(self) -> None:
        body = self.get("/api/v1/households", "ines").json()
        self.assertEqual(body["count"], 2)
        self.assertEqual([h["last_name"] for h in body["results"]], ["Jansens", "Peeters"])
        # The lead organisation sees only the household enrolled in its programme.
        body = self.get("/api/v1/households", "cora").json()
        self.assertEqual([h["reference"] for h in body["results"]], [self.jansens.reference])
        self.assertEqual(self.get("/api/v1/households", "otto").json()["count"], 0)

    def test_search_by_name_postcode_and_reference(self) -> None:
        for q, expected in (
            ("peet", ["Peeters"]),
            ("8000", ["Jansens", "Peeters"]),
            ("langestraat 8000", ["Peeters"]),
            (self.jansens.reference, ["Jansens"]),
            ("dubois", []),  # kortrijk's household, not ocmw's
        ):
            with self.subTest(q=q):
                body = self.get(f"/api/v1/households?q={q}", "ines").json()
                self.assertEqual([h["last_name"] for h in body["results"]], expected)

    def test_pages(self) -> None:
        for i in range(55):
            self.make(house_number=str(100 + i))
        first = self.get("/api/v1/households", "ines").json()
        second = self.get("/api/v1/households?page=2", "ines").json()
        self.assertEqual((first["count"], first["pages"], len(first["results"])), (57, 2, 50))
        self.assertEqual(len(second["results"]), 7)
        ids = {h["id"] for h in first["results"]} | {h["id"] for h in second["results"]}
        self.assertEqual(len(ids), 57)
        self.assertError(self.get("/api/v1/households?page=0", "ines"), 422, "page")
        self.assertError(self.get("/api/v1/households?page=x", "ines"), 422, "page")

    def test_technician_may_not_list_households(self) -> None:
        self.assertError(self.get("/api/v1/households", "tom"), 403)
        self.assertFalse(AuditEvent.objects.exists())

    def make(self, **fields: Any) -> Household:
        from wijk.testing import make_household

        return make_household(self.ocmw, first_name="X", last_name="Y", **fields)

    # --- create ---------------------------------------------------------------------------

    def test_create(self) -> None:
        response = self.post("/api/v1/households", "ines", data=NEW)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        household = Household.objects.get(pk=body["id"])
        self.assertEqual(household.organisation, self.ocmw)
        self.assertEqual(str(household.net_monthly_income), "1850.50")
        self.assertEqual(body["net_monthly_income"], "1850.50")
        self.assertEqual(body["contact_channel"], "phone")
        self.assertEqual(body["debt_support"], "none")
        event = AuditEvent.objects.get(household=household)
        self.assertEqual((event.action, event.via), ("create", "api"))

    def assertRefused(self, data: Any, status: int, field: str | None, user: str = "ines") -> dict:
        before = Household.objects.count()
        body = self.assertError(self.post("/api/v1/households", user, data=data), status, field)
        self.assertEqual(Household.objects.count(), before)
        self.assertFalse(AuditEvent.objects.filter(action="create").exists())
        return body

    def test_invalid_postcode(self) -> None:
        body = self.assertRefused({**NEW, "postcode": "82000"}, 422, "postcode")
        self.assertIn("82000", body["message"])
        self.assertRefused({**NEW, "country": "NL", "postcode": "8200"}, 422, "postcode")

    def test_duplicate_household(self) -> None:
        duplicate = {
            **NEW,
            "first_name": "Anna",
            "last_name": "JANSENS",
            "street": "Kerkstraat",
            "house_number": "12",
            "postcode": "8000",
            "city": "Brugge",
        }
        body = self.assertRefused(duplicate, 422, None)
        self.assertIn("already registered", body["message"])

    def test_unknown_enum_value(self) -> None:
        body = self.assertRefused({**NEW, "contact_channel": "pigeon"}, 422, "contact_channel")
        self.assertIn("'letter'", body["message"])
        self.assertRefused({**NEW, "language": "de"}, 422, "language")
        self.assertRefused({**NEW, "debt_support": "lots"}, 422, "debt_support")

    def test_other_bad_input(self) -> None:
        without_city = {k: v for k, v in NEW.items() if k != "city"}
        for data, field in (
            (without_city, "city"),
            ({**NEW, "colour": "blue"}, "colour"),
            ({**NEW, "size": 0}, "size"),
            ({**NEW, "size": "many"}, "size"),
            ({**NEW, "birth_year": 1850}, "birth_year"),
            ({**NEW, "net_monthly_income": "-5"}, "net_monthly_income"),
            ({**NEW, "net_monthly_income": "1e400"}, "net_monthly_income"),
            ({**NEW, "first_name": "A\x00B"}, "first_name"),
            ({**NEW, "first_name": "x" * 101}, "first_name"),
            ({**NEW, "first_name": ""}, "first_name"),
            ({**NEW, "phone": ""}, "phone"),  # contacted by phone, so a number is needed
            ({**NEW, "phone": "abc"}, "phone"),  # issue 6
            ({**NEW, "birth_year": 2090}, "birth_year"),  # issue 6
            ({**NEW, "email": "not-an-address"}, "email"),
        ):
            with self.subTest(field=field, data=data.get(field)):
                self.assertRefused(data, 422, field)

    def test_huge_payload(self) -> None:
        raw = json.dumps({**NEW, "city": "x" * (3 * 2**20)})
        before = Household.objects.count()
        body = self.assertError(self.post("/api/v1/households", "ines", raw=raw), 413)
        self.assertIn("MiB", body["message"])
        self.assertEqual(Household.objects.count(), before)

    def test_malformed_json(self) -> None:
        before = Household.objects.count()
        self.assertError(self.post("/api/v1/households", "ines", raw="{'first_name': 1}"), 400)
        self.assertEqual(Household.objects.count(), before)

    def test_roles_that_may_not_register(self) -> None:
        self.assertRefused(NEW, 403, None, user="vera")
        self.assertRefused(NEW, 403, None, user="tom")

    # --- read and update ------------------------------------------------------------------

    def test_detail_is_audited_as_an_api_view(self) -> None:
        body = self.get(self.url(self.peeters), "ines").json()
        self.assertEqual(body["reference"], self.peeters.reference)
        event = AuditEvent.objects.get(household=self.peeters)
        self.assertEqual((event.action, event.via, event.user), ("view", "api", self.user("ines")))

    def test_other_organisations_household_is_404_and_not_audited(self) -> None:
        for user, household in (
            ("ines", self.dubois),
            ("cora", self.peeters),
            ("otto", self.jansens),
        ):
            with self.subTest(user=user):
                self.assertError(self.get(self.url(household), user), 404)
                self.assertError(self.patch(self.url(household), user, data={"city": "Gent"}), 404)
        self.assertFalse(AuditEvent.objects.exists())
        self.dubois.refresh_from_db()
        self.assertEqual(self.dubois.city, "Kortrijk")

    def test_unknown_or_absurd_id(self) -> None:
        self.assertError(self.get("/api/v1/households/999999", "ines"), 404)
        self.assertError(self.get(f"/api/v1/households/{2**64}", "ines"), 422, "household_id")

    def test_update_changes_only_the_fields_sent(self) -> None:
        response = self.patch(
            self.url(self.peeters), "ines", data={"size": 3, "net_monthly_income": 1200}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.peeters.refresh_from_db()
        self.assertEqual((self.peeters.size, self.peeters.first_name), (3, "Piet"))
        self.assertEqual(str(self.peeters.net_monthly_income), "1200.00")
        event = AuditEvent.objects.get(household=self.peeters)
        self.assertEqual((event.action, event.via), ("change", "api"))

    def test_bad_update_stores_nothing(self) -> None:
        for data, field in (
            ({"contact_channel": "sms"}, "phone"),
            ({"postcode": "abc", "city": "Gent"}, "postcode"),
            ({"country": "XX"}, "country"),
            ({"first_name": None}, "first_name"),
            ({"reference": "H2222222"}, "reference"),
        ):
            with self.subTest(data=data):
                self.assertError(self.patch(self.url(self.peeters), "ines", data=data), 422, field)
        self.peeters.refresh_from_db()
        self.assertEqual(
            (self.peeters.contact_channel, self.peeters.postcode, self.peeters.city),
            ("letter", "8000", "Brugge"),
        )
        self.assertFalse(AuditEvent.objects.exists())

    def test_update_into_a_duplicate_is_refused(self) -> None:
        response = self.patch(
            self.url(self.peeters),
            "ines",
            data={"last_name": "Jansens", "street": "Kerkstraat", "house_number": "12"},
        )
        self.assertError(response, 422, None)
        self.peeters.refresh_from_db()
        self.assertEqual(self.peeters.last_name, "Peeters")

    def test_viewer_may_read_but_not_change(self) -> None:
        self.assertEqual(self.get(self.url(self.peeters), "vera").status_code, 200)
        self.assertError(self.patch(self.url(self.peeters), "vera", data={"size": 5}), 403)
        self.peeters.refresh_from_db()
        self.assertEqual(self.peeters.size, 2)

    # --- export and erase -----------------------------------------------------------------

    def test_export_json(self) -> None:
        response = self.get(self.url(self.jansens, "/export"), "ines")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/json"))
        self.assertEqual(response["Cache-Control"], "no-store")  # personal data: never cached
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn(f"{self.jansens.reference}.json", response["Content-Disposition"])
        data = response.json()
        self.assertEqual(data["household"]["reference"], self.jansens.reference)
        self.assertEqual(data["enrolments"][0]["programme"], "Huishoudtoestellen huren")
        event = AuditEvent.objects.get(household=self.jansens, action="export")
        self.assertEqual(event.via, "api")

    def test_export_pdf(self) -> None:
        response = self.get(self.url(self.jansens, "/export?format=pdf"), "ines")
        self.assertEqual(response.status_code, 200, response.content[:500])
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertIn(f"{self.jansens.reference}.pdf", response["Content-Disposition"])
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertTrue(AuditEvent.objects.filter(household=self.jansens, action="export"))

    def test_export_refusals(self) -> None:
        self.assertError(
            self.get(self.url(self.jansens, "/export?format=doc"), "ines"), 422, "format"
        )
        self.assertError(self.get(self.url(self.jansens, "/export"), "vera"), 403)
        self.assertError(self.get(self.url(self.dubois, "/export"), "ines"), 404)
        self.assertFalse(AuditEvent.objects.exists())

    def test_erase(self) -> None:
        response = self.post(self.url(self.peeters, "/erase"), "ada")
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body["first_name"], body["street"]), ("", ""))
        self.assertIsNotNone(body["erased_at"])
        self.peeters.refresh_from_db()
        self.assertIsNotNone(self.peeters.erased_at)
        self.assertEqual(self.peeters.last_name, "")
        # Erased households no longer turn up in a search.
        body = self.get("/api/v1/households", "ines").json()
        self.assertEqual([h["last_name"] for h in body["results"]], ["Jansens"])

    def test_erase_refusals_change_nothing(self) -> None:
        for user, household, status in (
            ("ines", self.peeters, 403),  # an intake worker may not erase
            ("cora", self.jansens, 403),  # the lead sees it but did not register it
            ("ada", self.dubois, 404),
        ):
            with self.subTest(user=user):
                self.assertError(self.post(self.url(household, "/erase"), user), status)
        self.assertFalse(Household.objects.filter(erased_at__isnull=False).exists())
        self.assertFalse(AuditEvent.objects.exists())

    # --- enrolments -----------------------------------------------------------------------

    def enrol(self, household: Household, user: str = "ines", **data: Any) -> Any:
        return self.post(
            self.url(household, "/enrolments"), user, data={"programme": self.rental.pk, **data}
        )

    def test_enrol_an_eligible_household(self) -> None:
        self.peeters.net_monthly_income = 1500
        self.peeters.save()
        response = self.enrol(self.peeters)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["status"], body["programme"]), ("enrolled", "huren-wvl"))
        results = {r["rule"]: r for r in body["rule_results"]}
        self.assertTrue(results["income_below"]["passed"])
        self.assertEqual(results["income_below"]["detail"]["limit"], "2100")
        self.assertEqual(
            Enrolment.objects.get(household=self.peeters).status, Enrolment.Status.ENROLLED
        )

    def test_not_eligible_is_refused_with_the_result_of_each_rule(self) -> None:
        response = self.enrol(self.peeters)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["status"], "refused")
        self.assertEqual(
            [(r["rule"], r["passed"]) for r in body["rule_results"]],
            [("social_tariff", False), ("welfare_client", False), ("income_below", False)],
        )
        listed = self.get(self.url(self.peeters, "/enrolments"), "ines").json()
        self.assertEqual([e["status"] for e in listed], ["refused"])

    def test_only_a_coordinator_may_override(self) -> None:
        response = self.enrol(self.peeters, override_reason="Acute energy debt")
        self.assertError(response, 422, "override_reason")
        self.assertFalse(Enrolment.objects.filter(household=self.peeters).exists())

    def test_bad_enrolments_store_nothing(self) -> None:
        other = Programme.objects.create(
            name="Buurtbaan", slug="bbb", kind="job_bureau", lead_organisation=self.arnhem
        )
        cases: list[tuple[Any, str, str, dict[str, Any], int, str | None]] = [
            (self.jansens, "ines", "", {}, 422, "programme"),  # already enrolled
            (self.peeters, "ines", "", {"programme": other.pk}, 422, "programme"),
            (self.peeters, "ines", "", {"programme": 999999}, 422, "programme"),
            (self.peeters, "ines", "", {"programme": "rental"}, 422, "programme"),
            (self.peeters, "vera", "", {}, 403, None),
            (self.dubois, "ines", "", {}, 404, None),
        ]
        for household, user, _reason, extra, status, field in cases:
            with self.subTest(user=user, extra=extra):
                self.assertError(self.enrol(household, user, **extra), status, field)
        self.assertEqual(Enrolment.objects.count(), 1)
        self.assertFalse(AuditEvent.objects.exists())

    def test_enrolments_of_another_organisations_household_are_hidden(self) -> None:
        self.assertError(self.get(self.url(self.jansens, "/enrolments"), "otto"), 404)
        self.assertEqual(len(self.get(self.url(self.jansens, "/enrolments"), "cora").json()), 1)
