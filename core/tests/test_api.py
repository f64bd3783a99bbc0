"""The API of the core domain: tokens, errors, organisations, memberships, programmes."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO
from typing import Any
from unittest import mock

from django.core.management import CommandError, call_command
from django.test.client import Client

from core.models import ApiToken, Organisation, Programme, ProgrammePartner, Tariff
from core.tokens import api_token_authenticate, api_token_create
from wijk.testing import PASSWORD, WijkTestCase


class ApiTestCase(WijkTestCase):
    """Requests with a bearer token of a cast member; every answer must be JSON, never a 500.

    Each request runs under assertNoLogs on the API's error logger: bad input must be
    answered by its own handler and never reach the catch-all for bugs.
    """

    language = "en"

    def user(self, username: str) -> Any:
        return getattr(self, username)

    def token(self, username: str) -> str:
        return api_token_create(user=self.user(username))

    def call(
        self,
        method: str,
        path: str,
        as_user: str | None = None,
        data: Any = None,
        raw: str | bytes | None = None,
        **headers: str,
    ) -> Any:
        client: Client = self.client
        extra = {"HTTP_ACCEPT_LANGUAGE": self.language, **headers}
        if as_user is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.token(as_user)}"
        body = raw if raw is not None else (json.dumps(data) if data is not None else None)
        kwargs: dict[str, Any] = {"content_type": "application/json"} if body is not None else {}
        if body is not None:
            kwargs["data"] = body
        with self.assertNoLogs("wijk.api", level="ERROR"):
            response = getattr(client, method)(path, **kwargs, **extra)
        self.assertLess(response.status_code, 500, response.content[:500])
        return response

    def get(self, path: str, as_user: str | None = None, **kw: Any) -> Any:
        return self.call("get", path, as_user, **kw)

    def post(self, path: str, as_user: str | None = None, **kw: Any) -> Any:
        return self.call("post", path, as_user, **kw)

    def patch(self, path: str, as_user: str | None = None, **kw: Any) -> Any:
        return self.call("patch", path, as_user, **kw)

    def assertError(self, response: Any, status: int, field: str | None = None) -> dict:
        """A JSON error of the one shape, with the given status and (first) field."""
        self.assertEqual(response.status_code, status, response.content[:500])
        self.assertTrue(response["Content-Type"].startswith("application/json"))
        body = response.json()
        self.assertEqual(set(body), {"message", "field", "errors"})
        self.assertTrue(body["message"])
        self.assertEqual(body["field"], field)
        self.assertTrue(body["errors"])
        for error in body["errors"]:
            self.assertEqual(set(error), {"field", "message"})
        return body


class TokenTest(ApiTestCase):
    def test_good_credentials_give_a_token_for_the_first_organisation(self) -> None:
        response = self.post("/api/v1/auth/token", data={"username": "ines", "password": PASSWORD})
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["organisation"], "ocmw-brugge")
        acting = api_token_authenticate(body["token"])
        assert acting is not None
        self.assertEqual(acting.organisation, self.ocmw)
        self.assertEqual(acting.user, self.user("ines"))

    def test_token_for_a_named_organisation(self) -> None:
        self.user("cora").memberships.create(organisation=self.arnhem, role="viewer")
        response = self.post(
            "/api/v1/auth/token",
            data={"username": "cora", "password": PASSWORD, "organisation": "spijkerkwartier"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["organisation"], "spijkerkwartier")

    def test_wrong_password_is_401_and_stores_no_token(self) -> None:
        response = self.post(
            "/api/v1/auth/token", data={"username": "ines", "password": "wrong-password"}
        )
        body = self.assertError(response, 401)
        self.assertEqual(body["message"], "Wrong username or password.")
        self.assertFalse(ApiToken.objects.exists())

    def test_unknown_user_is_401(self) -> None:
        response = self.post("/api/v1/auth/token", data={"username": "nobody", "password": "x"})
        self.assertError(response, 401)
        self.assertFalse(ApiToken.objects.exists())

    def test_organisation_the_user_is_not_in_is_refused(self) -> None:
        for slug in ("spijkerkwartier", "does-not-exist"):
            response = self.post(
                "/api/v1/auth/token",
                data={"username": "ines", "password": PASSWORD, "organisation": slug},
            )
            self.assertError(response, 422, "organisation")
        self.assertFalse(ApiToken.objects.exists())

    def test_missing_password_is_a_field_error(self) -> None:
        response = self.post("/api/v1/auth/token", data={"username": "ines"})
        self.assertError(response, 422, "password")

    def test_wrong_or_missing_token_is_401(self) -> None:
        for headers in (
            {},
            {"HTTP_AUTHORIZATION": "Bearer wijk_not-a-real-token"},
            {"HTTP_AUTHORIZATION": "Basic aW5lczp3YWNodHdvb3JkLTEyMw=="},
            {"HTTP_AUTHORIZATION": "Bearer " + "x" * 5000},
        ):
            with self.subTest(headers=headers):
                response = self.get("/api/v1/households", **headers)
                self.assertError(response, 401)
                self.assertEqual(response["WWW-Authenticate"], "Bearer")

    def test_token_of_a_removed_membership_stops_working(self) -> None:
        token = self.token("ines")
        self.user("ines").memberships.all().delete()
        response = self.get("/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertError(response, 401)

    def test_token_overrides_the_session_organisation(self) -> None:
        # Logged in as cora in the browser, but calling with ines's token: ines's view.
        self.login("cora")
        response = self.get("/api/v1/organisations", "ines")
        self.assertEqual([o["slug"] for o in response.json()], ["ocmw-brugge"])

    def test_session_alone_is_not_enough(self) -> None:
        self.login("ines")
        self.assertError(self.get("/api/v1/households"), 401)


class ApiTokenCommandTest(ApiTestCase):
    def test_prints_a_working_token(self) -> None:
        out = StringIO()
        call_command("api_token", "cora", stdout=out)
        acting = api_token_authenticate(out.getvalue().strip())
        assert acting is not None
        self.assertEqual(acting.organisation, self.lead)

    def test_named_organisation(self) -> None:
        self.user("cora").memberships.create(organisation=self.arnhem, role="viewer")
        out = StringIO()
        call_command("api_token", "cora", "--organisation", "spijkerkwartier", stdout=out)
        acting = api_token_authenticate(out.getvalue().strip())
        assert acting is not None
        self.assertEqual(acting.organisation, self.arnhem)

    def test_unknown_user_or_organisation_is_a_clear_error(self) -> None:
        with self.assertRaisesMessage(CommandError, "nobody"):
            call_command("api_token", "nobody", stdout=StringIO())
        with self.assertRaises(CommandError):
            call_command("api_token", "cora", "--organisation", "nope", stdout=StringIO())
        with self.assertRaises(CommandError):
            call_command("api_token", "cora", "--organisation", "ocmw-brugge", stdout=StringIO())
        self.assertFalse(ApiToken.objects.exists())


class ErrorHandlingTest(ApiTestCase):
    def test_malformed_json_is_400_json(self) -> None:
        for raw in ('{"username": ', "\xff\xfe", "[" * 100_000):
            with self.subTest(raw=raw[:10]):
                response = self.post("/api/v1/auth/token", raw=raw)
                self.assertError(response, 400)

    def test_json_that_is_not_an_object_is_422(self) -> None:
        response = self.post("/api/v1/auth/token", raw="[1, 2]")
        self.assertEqual(response.status_code, 422)
        self.assertError(response, 422, response.json()["field"])

    def test_huge_payload_is_413_json_and_stores_nothing(self) -> None:
        raw = json.dumps({"username": "ines", "password": PASSWORD, "pad": "x" * (3 * 2**20)})
        response = self.post("/api/v1/auth/token", raw=raw)
        body = self.assertError(response, 413)
        self.assertIn("2 MiB", body["message"])
        self.assertFalse(ApiToken.objects.exists())

    def test_id_too_large_for_the_database_is_422_not_500(self) -> None:
        response = self.get(f"/api/v1/programmes/{10**30}", "ines")
        self.assertError(response, 422, "programme_id")
        response = self.get("/api/v1/programmes/abc", "ines")
        self.assertError(response, 422, "programme_id")

    def test_messages_follow_accept_language(self) -> None:
        # Django's own messages are translated already; ours will be once the catalogues are.
        messages = {}
        for language in ("en", "fr"):
            self.language = language
            response = self.patch(f"/api/v1/organisations/{self.ocmw.pk}", "ada", data={"name": ""})
            messages[language] = self.assertError(response, 422, "name")["message"]
        self.assertEqual(messages["en"], "This field cannot be blank.")
        self.assertEqual(messages["fr"], "Ce champ ne peut pas être vide.")

    def test_unknown_api_path_view_answers_json_404(self) -> None:
        from django.test import RequestFactory
        from django.utils import translation

        from wijk.api import not_found_view

        with translation.override("en"):
            response = not_found_view(RequestFactory().get("/api/v1/nothing-here"))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertEqual(json.loads(response.content)["message"], "Not found.")

    def test_a_bug_is_logged_and_answered_as_json_500(self) -> None:
        token = self.token("ines")
        with (
            mock.patch("core.api.scoped", side_effect=RuntimeError("boom")),
            self.assertLogs("wijk.api", level="ERROR") as logs,
        ):
            response = self.client.get(
                "/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
        self.assertError(response, 500)
        self.assertNotIn("boom", response.json()["message"])
        self.assertIn("boom", "\n".join(logs.output))


class OpenApiTest(ApiTestCase):
    def test_schema_is_served_and_lists_household_routes(self) -> None:
        response = self.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        paths = response.json()["paths"]
        for path in (
            "/api/v1/households",
            "/api/v1/households/{household_id}",
            "/api/v1/households/{household_id}/export",
            "/api/v1/households/{household_id}/erase",
            "/api/v1/households/{household_id}/enrolments",
            "/api/v1/auth/token",
        ):
            self.assertIn(path, paths)
        self.assertIn("post", paths["/api/v1/households"])
        self.assertIn("patch", paths["/api/v1/households/{household_id}"])

    def test_docs_page_is_served(self) -> None:
        self.assertEqual(self.get("/api/v1/docs").status_code, 200)


class OrganisationApiTest(ApiTestCase):
    def test_list_shows_only_the_acting_organisation(self) -> None:
        response = self.get("/api/v1/organisations", "ines")
        self.assertEqual([o["slug"] for o in response.json()], ["ocmw-brugge"])
        self.assertEqual(response.json()[0]["kind"], "welfare_office")

    def test_detail_of_own_and_of_another_organisation(self) -> None:
        self.assertEqual(
            self.get(f"/api/v1/organisations/{self.ocmw.pk}", "ines").json()["name"], "OCMW Brugge"
        )
        self.assertError(self.get(f"/api/v1/organisations/{self.lead.pk}", "ines"), 404)

    def test_admin_changes_the_organisation(self) -> None:
        response = self.patch(
            f"/api/v1/organisations/{self.ocmw.pk}",
            "ada",
            data={"iban": "BE71 0961 2345 6769", "language": "fr", "city": "Brugge"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.ocmw.refresh_from_db()
        self.assertEqual(self.ocmw.iban, "BE71096123456769")
        self.assertEqual(self.ocmw.language, "fr")

    def test_invalid_iban_is_refused_and_nothing_stored(self) -> None:
        response = self.patch(
            f"/api/v1/organisations/{self.ocmw.pk}",
            "ada",
            data={"iban": "BE71 0961 2345 6768", "city": "Gent"},
        )
        body = self.assertError(response, 422, "iban")
        self.assertIn("IBAN", body["message"])
        self.ocmw.refresh_from_db()
        self.assertEqual((self.ocmw.iban, self.ocmw.city), ("", ""))

    def test_unknown_enum_value_is_422_with_the_field(self) -> None:
        response = self.patch(
            f"/api/v1/organisations/{self.ocmw.pk}", "ada", data={"time_zone": "Mars/Olympus"}
        )
        body = self.assertError(response, 422, "time_zone")
        self.assertIn("Europe/Brussels", body["message"])
        self.ocmw.refresh_from_db()
        self.assertEqual(self.ocmw.time_zone, "Europe/Brussels")

    def test_field_that_cannot_be_changed_is_refused(self) -> None:
        response = self.patch(f"/api/v1/organisations/{self.ocmw.pk}", "ada", data={"slug": "x"})
        self.assertError(response, 422, "slug")
        self.ocmw.refresh_from_db()
        self.assertEqual(self.ocmw.slug, "ocmw-brugge")

    def test_non_admin_cannot_change_it(self) -> None:
        response = self.patch(f"/api/v1/organisations/{self.ocmw.pk}", "ines", data={"city": "X"})
        self.assertError(response, 403)
        self.ocmw.refresh_from_db()
        self.assertEqual(self.ocmw.city, "")

    def test_another_organisation_cannot_be_changed(self) -> None:
        response = self.patch(f"/api/v1/organisations/{self.lead.pk}", "ada", data={"city": "X"})
        self.assertError(response, 404)
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.city, "")


class MembershipApiTest(ApiTestCase):
    def test_admin_lists_the_members_of_their_organisation(self) -> None:
        response = self.get("/api/v1/memberships", "ada")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            sorted((m["username"], m["role"]) for m in response.json()),
            [("ada", "org_admin"), ("ines", "intake_worker"), ("vera", "viewer")],
        )

    def test_intake_worker_may_not(self) -> None:
        self.assertError(self.get("/api/v1/memberships", "ines"), 403)


class ProgrammeApiTest(ApiTestCase):
    def test_list_shows_led_and_partner_programmes_only(self) -> None:
        self.assertEqual(
            [p["slug"] for p in self.get("/api/v1/programmes", "ines").json()], ["huren-wvl"]
        )
        self.assertEqual(self.get("/api/v1/programmes", "otto").json(), [])

    def test_detail(self) -> None:
        body = self.get(f"/api/v1/programmes/{self.rental.pk}", "cora").json()
        self.assertEqual(body["kind"], "appliance_rental")
        self.assertEqual(body["lead_organisation_id"], self.lead.pk)
        self.assertEqual(body["eligibility_rules"]["any_of"][0], "social_tariff")
        self.assertError(self.get(f"/api/v1/programmes/{self.rental.pk}", "otto"), 404)

    def test_coordinator_creates_a_programme_led_by_their_organisation(self) -> None:
        response = self.post(
            "/api/v1/programmes",
            "otto",
            data={
                "name": "Buurtbaanbureau",
                "slug": "bbb-arnhem",
                "kind": "job_bureau",
                "eligibility_rules": {"any_of": ["welfare_client"]},
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        programme = Programme.objects.get(slug="bbb-arnhem")
        self.assertEqual(programme.lead_organisation, self.arnhem)
        self.assertEqual(programme.eligibility_rules, {"any_of": ["welfare_client"]})

    def test_bad_programmes_are_refused_and_nothing_stored(self) -> None:
        good = {"name": "X", "slug": "x-prog", "kind": "job_bureau"}
        cases = [
            ("ines", good, 403, None),
            ("otto", {**good, "kind": "bakery"}, 422, "kind"),
            ("otto", {**good, "slug": "huren-wvl"}, 422, "slug"),
            ("otto", {**good, "slug": "not a slug"}, 422, "slug"),
            (
                "otto",
                {**good, "eligibility_rules": {"any_of": ["luck"]}},
                422,
                "eligibility_rules.any_of.0",
            ),
            (
                "otto",
                {**good, "eligibility_rules": {"any_of": ["income_below"]}},
                422,
                "eligibility_rules",
            ),
            (
                "otto",
                {**good, "eligibility_rules": {"income_limits": "lots"}},
                422,
                "eligibility_rules.income_limits",
            ),
        ]
        for user, data, status, field in cases:
            with self.subTest(data=data):
                self.assertError(self.post("/api/v1/programmes", user, data=data), status, field)
        self.assertEqual(Programme.objects.count(), 1)

    def test_lead_updates_and_partner_may_not(self) -> None:
        response = self.patch(
            f"/api/v1/programmes/{self.rental.pk}", "cora", data={"active": False}
        )
        self.assertEqual(response.status_code, 200)
        self.rental.refresh_from_db()
        self.assertFalse(self.rental.active)
        response = self.patch(f"/api/v1/programmes/{self.rental.pk}", "ada", data={"name": "X"})
        self.assertError(response, 403)
        self.rental.refresh_from_db()
        self.assertEqual(self.rental.name, "Huishoudtoestellen huren")

    def test_partners(self) -> None:
        path = f"/api/v1/programmes/{self.rental.pk}/partners"
        listed = self.get(path, "ines").json()
        self.assertEqual(len(listed), 4)
        self.assertIn(("sh-kortrijk", "referrer"), {(p["organisation"], p["role"]) for p in listed})
        response = self.post(
            path, "cora", data={"organisation": "spijkerkwartier", "role": "referrer"}
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(
            ProgrammePartner.objects.filter(programme=self.rental, organisation=self.arnhem)
        )
        self.assertError(self.get(path, "tom"), 403)

    def test_bad_partners_are_refused_and_nothing_stored(self) -> None:
        path = f"/api/v1/programmes/{self.rental.pk}/partners"
        cases = [
            ("cora", {"organisation": "nope", "role": "referrer"}, 422, "organisation"),
            ("cora", {"organisation": "spijkerkwartier", "role": "banker"}, 422, "role"),
            ("cora", {"organisation": "ocmw-brugge", "role": "referrer"}, 422, "organisation"),
            ("cora", {"organisation": "sowv", "role": "referrer"}, 422, "organisation"),
            ("ada", {"organisation": "spijkerkwartier", "role": "referrer"}, 403, None),
        ]
        for user, data, status, field in cases:
            with self.subTest(data=data):
                self.assertError(self.post(path, user, data=data), status, field)
        self.assertEqual(ProgrammePartner.objects.count(), 4)
        self.assertError(
            self.post(path, "otto", data={"organisation": "spijkerkwartier", "role": "referrer"}),
            404,
        )

    def test_tariffs(self) -> None:
        path = f"/api/v1/programmes/{self.rental.pk}/tariffs"
        listed = self.get(path, "ines").json()
        self.assertEqual([t["valid_from"] for t in listed], ["2026-01-01"])
        self.assertEqual(Decimal(listed[0]["electricity_social"]), Decimal("0.19"))
        response = self.post(
            path,
            "cora",
            data={
                "valid_from": "2027-01-01",
                "electricity_standard": "0.3100",
                "electricity_social": 0.18,
                "water": "5.5",
                "co2": "0.15",
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        tariff = self.rental.tariff_on(date(2027, 6, 1))
        assert tariff is not None
        self.assertEqual(tariff.water, Decimal("5.5"))

    def test_bad_tariffs_are_refused_and_nothing_stored(self) -> None:
        path = f"/api/v1/programmes/{self.rental.pk}/tariffs"
        good = {
            "valid_from": "2027-01-01",
            "electricity_standard": "0.31",
            "electricity_social": "0.18",
            "water": "5.5",
            "co2": "0.15",
        }
        cases = [
            ("cora", {**good, "valid_from": "2027-02-30"}, 422, "valid_from"),
            ("cora", {**good, "water": "-1"}, 422, "water"),
            ("cora", {**good, "water": "NaN"}, 422, "water"),
            ("cora", {**good, "water": "123456789"}, 422, "water"),
            ("cora", {**good, "co2": "lots"}, 422, "co2"),
            ("ines", good, 403, None),
        ]
        for user, data, status, field in cases:
            with self.subTest(data=data):
                self.assertError(self.post(path, user, data=data), status, field)
        self.assertEqual(Tariff.objects.count(), 1)

    def test_second_tariff_on_the_same_date_is_refused_on_that_field(self) -> None:
        response = self.post(
            f"/api/v1/programmes/{self.rental.pk}/tariffs",
            "cora",
            data={
                "valid_from": "2026-01-01",
                "electricity_standard": "0.31",
                "electricity_social": "0.18",
                "water": "5.5",
                "co2": "0.15",
            },
        )
        self.assertError(response, 422, "valid_from")
        self.assertEqual(Tariff.objects.get().water, Decimal("5.2"))

    def test_other_organisation_gets_404_on_every_programme_route(self) -> None:
        for path in ("", "/partners", "/tariffs"):
            with self.subTest(path=path):
                self.assertError(
                    self.get(f"/api/v1/programmes/{self.rental.pk}{path}", "otto"), 404
                )
        self.assertEqual(Organisation.objects.count(), 5)


class TokenThrottleTest(WijkTestCase):
    def test_password_guessing_is_slowed_down(self) -> None:
        statuses = [
            self.client.post(
                "/api/v1/auth/token",
                {"username": "ines", "password": f"guess-{i}"},
                content_type="application/json",
            ).status_code
            for i in range(12)
        ]
        self.assertEqual(statuses[:10], [401] * 10)
        self.assertEqual(statuses[10:], [429, 429])
