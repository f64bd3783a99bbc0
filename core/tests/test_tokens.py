"""API tokens with an end and a way to revoke them: the services, the endpoints, the command
and the migration that gives existing tokens an end."""

from datetime import timedelta
from io import StringIO
from typing import Any

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.models import ApiToken
from core.tokens import (
    TokenExpired,
    TokenRefused,
    TokenRevoked,
    api_token_check,
    api_token_issue,
    api_token_revoke,
)
from wijk.testing import PASSWORD, WijkTestCase


class TokenServiceTest(WijkTestCase):
    def test_a_new_token_expires_after_the_configured_days(self) -> None:
        with time_machine.travel(timezone.now(), tick=False):
            issued = api_token_issue(user=self.ines)
            self.assertEqual(issued.token.expires_at, timezone.now() + timedelta(days=90))
            with override_settings(WIJK_API_TOKEN_DAYS=7):
                other = api_token_issue(user=self.ines)
            self.assertEqual(other.token.expires_at, timezone.now() + timedelta(days=7))
            chosen = api_token_issue(user=self.ines, days=1)
            self.assertEqual(chosen.token.expires_at, timezone.now() + timedelta(days=1))

    def test_absurd_lifetimes_are_refused(self) -> None:
        for days in (0, -1, 100_000):
            with self.subTest(days=days), self.assertRaises(ValidationError) as caught:
                api_token_issue(user=self.ines, days=days)
            self.assertIn("days", caught.exception.message_dict)
        self.assertFalse(ApiToken.objects.exists())

    def test_the_token_works_until_it_expires(self) -> None:
        issued = api_token_issue(user=self.ines, days=1)
        acting, token = api_token_check(issued.key)
        self.assertEqual((acting.user, token), (self.ines, issued.token))
        just_before = issued.token.expires_at - timedelta(seconds=1)
        self.assertEqual(api_token_check(issued.key, now=just_before)[1], issued.token)
        with self.assertRaises(TokenExpired):
            api_token_check(issued.key, now=issued.token.expires_at)

    def test_a_revoked_token_stops_working(self) -> None:
        issued = api_token_issue(user=self.ines)
        api_token_revoke(user=self.ines, token=issued.token)
        with self.assertRaises(TokenRevoked):
            api_token_check(issued.key)
        first = ApiToken.objects.get().revoked_at
        api_token_revoke(user=self.ines, token=issued.token)  # twice: the first moment stays
        self.assertEqual(ApiToken.objects.get().revoked_at, first)

    def test_nobody_revokes_another_persons_token(self) -> None:
        issued = api_token_issue(user=self.ines)
        with self.assertRaises(PermissionDenied):
            api_token_revoke(user=self.cora, token=issued.token)
        self.assertIsNone(ApiToken.objects.get().revoked_at)

    def test_an_unknown_token_is_refused_without_saying_more(self) -> None:
        with self.assertRaises(TokenRefused) as caught:
            api_token_check("wijk_unknown")
        self.assertIs(type(caught.exception), TokenRefused)


class TokenApiTest(WijkTestCase):
    def call(self, method: str, path: str, key: str | None = None, data: Any = None) -> Any:
        extra: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if key:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        if data is not None:
            extra.update(data=data, content_type="application/json")
        response = getattr(self.client, method)(path, **extra)
        self.assertTrue(response["Content-Type"].startswith("application/json"))
        return response

    def get_token(self, username: str = "ines") -> dict[str, Any]:
        response = self.call(
            "post", "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def test_the_token_endpoint_answers_the_expiry(self) -> None:
        # A whole second: JSON gives milliseconds.
        with time_machine.travel(timezone.now().replace(microsecond=0), tick=False):
            body = self.get_token()
            expires = parse_datetime(body["expires_at"])
            self.assertEqual(expires, timezone.now() + timedelta(days=90))

    def test_an_expired_token_is_a_clear_401(self) -> None:
        key = self.get_token()["token"]
        with time_machine.travel(timezone.now() + timedelta(days=91)):
            response = self.call("get", "/api/v1/organisations", key)
        self.assertEqual(response.status_code, 401)
        self.assertIn("expired", response.json()["message"])
        self.assertEqual(response["WWW-Authenticate"], "Bearer")

    def test_revoke_the_current_token(self) -> None:
        key = self.get_token()["token"]
        response = self.call("post", "/api/v1/auth/token/revoke", key, data={})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertIsNotNone(response.json()["revoked_at"])
        again = self.call("get", "/api/v1/organisations", key)
        self.assertEqual(again.status_code, 401)
        self.assertIn("revoked", again.json()["message"])

    def test_revoke_another_own_token_by_id_and_list_them(self) -> None:
        lost = self.get_token()["token"]
        key = self.get_token()["token"]
        listing = self.call("get", "/api/v1/auth/tokens", key).json()
        self.assertEqual(len(listing), 2)
        self.assertEqual([t["current"] for t in listing], [True, False])
        self.assertNotIn(lost, str(listing))
        lost_id = listing[1]["id"]
        response = self.call("post", "/api/v1/auth/token/revoke", key, data={"id": lost_id})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.call("get", "/api/v1/organisations", lost).status_code, 401)
        self.assertEqual(self.call("get", "/api/v1/organisations", key).status_code, 200)

    def test_another_users_token_cannot_be_revoked_or_seen(self) -> None:
        victim = self.get_token("cora")["token"]
        victim_id = ApiToken.objects.get(user=self.cora).pk
        key = self.get_token("ines")["token"]
        listing = self.call("get", "/api/v1/auth/tokens", key).json()
        self.assertNotIn(victim_id, [t["id"] for t in listing])
        response = self.call("post", "/api/v1/auth/token/revoke", key, data={"id": victim_id})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.call("get", "/api/v1/organisations", victim).status_code, 200)

    def test_revoking_needs_a_working_token(self) -> None:
        response = self.call("post", "/api/v1/auth/token/revoke", data={})
        self.assertEqual(response.status_code, 401)


class TokenCommandTest(WijkTestCase):
    def run_command(self, *args: str) -> str:
        out = StringIO()
        call_command("api_token", *args, stdout=out)
        return out.getvalue()

    def test_days_choose_the_lifetime(self) -> None:
        with time_machine.travel(timezone.now(), tick=False):
            key = self.run_command("cora", "--days", "3").split()[0]
            token = ApiToken.objects.get(key_hash=ApiToken.hash(key))
            self.assertEqual(token.expires_at, timezone.now() + timedelta(days=3))

    def test_bad_days_are_a_clear_error(self) -> None:
        with self.assertRaises(CommandError):
            self.run_command("cora", "--days", "0")
        self.assertFalse(ApiToken.objects.exists())

    def test_revoke_every_working_token_of_a_user(self) -> None:
        first = api_token_issue(user=self.cora)
        second = api_token_issue(user=self.cora)
        other = api_token_issue(user=self.ines)
        output = self.run_command("cora", "--revoke")
        self.assertIn("2", output)
        for issued in (first, second):
            with self.assertRaises(TokenRevoked):
                api_token_check(issued.key)
        api_token_check(other.key)  # still works
        self.assertFalse(ApiToken.objects.filter(key_hash=ApiToken.hash(output)).exists())


class TokenPageTest(WijkTestCase):
    """The account page of one's own API tokens: list, make (shown once), revoke; through the
    same services as the API and the command, audited with the channel."""

    url = "/account/tokens/"
    revoke_url = "/account/tokens/revoke/"

    def test_the_page_lists_only_ones_own_tokens(self) -> None:
        mine = api_token_issue(user=self.cora, name="reporting script")
        api_token_issue(user=self.ines, name="ines laptop")
        self.login("cora")
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "reporting script")
        self.assertNotContains(response, "ines laptop")
        self.assertEqual([t.pk for t in response.context["tokens"]], [mine.token.pk])
        self.assertNotContains(response, mine.key)  # the key itself is never shown again

    def test_make_a_token_shown_once_and_audited_via_web(self) -> None:
        from core.models import AuditEvent

        self.login("cora")
        response = self.client.post(self.url, {"name": "laptop", "days": "30"})
        self.assertEqual(response.status_code, 200)
        token = ApiToken.objects.get(user=self.cora)
        self.assertEqual((token.name, token.organisation), ("laptop", self.lead))
        key = response.context["new_key"]
        self.assertContains(response, key)
        self.assertEqual(api_token_check(key)[1], token)
        self.assertEqual(
            list(
                AuditEvent.objects.filter(subject=f"API token {token.pk} made").values_list(
                    "via", "organisation", "user"
                )
            ),
            [("web", self.lead.pk, self.cora.pk)],
        )
        # Shown once: the list afterwards does not show it.
        self.assertNotContains(self.client.get(self.url), key)

    def test_bad_input_is_a_clear_message(self) -> None:
        self.login("cora")
        response = self.client.post(self.url, {"name": "x" * 101, "days": "0"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ApiToken.objects.exists())

    def test_revoke_asks_first_then_revokes_and_audits(self) -> None:
        from core.models import AuditEvent

        issued = api_token_issue(user=self.cora, name="old script")
        self.login("cora")
        page = self.client.get(self.revoke_url, {"token": issued.token.pk})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "old script")
        self.assertContains(page, 'name="confirm" value="yes"')
        api_token_check(issued.key)  # asking changes nothing
        response = self.client.post(self.revoke_url, {"token": issued.token.pk, "confirm": "yes"})
        self.assertRedirects(response, self.url)
        with self.assertRaises(TokenRevoked):
            api_token_check(issued.key)
        self.assertEqual(
            AuditEvent.objects.get(subject=f"API token {issued.token.pk} revoked").via, "web"
        )

    def test_nobody_revokes_another_persons_token_on_the_page(self) -> None:
        other = api_token_issue(user=self.ines)
        self.login("cora")
        for method in ("get", "post"):
            response = getattr(self.client, method)(
                self.revoke_url, {"token": other.token.pk, "confirm": "yes"}
            )
            self.assertRedirects(response, self.url, fetch_redirect_response=False)
        api_token_check(other.key)  # still works

    def test_anonymous_is_sent_to_login(self) -> None:
        for url in (self.url, self.revoke_url):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn("/accounts/login/", response["Location"])

    def test_the_api_and_the_command_audit_their_channel(self) -> None:
        from core.models import AuditEvent

        response = self.client.post(
            "/api/v1/auth/token",
            {"username": "cora", "password": PASSWORD, "name": "from api"},
            content_type="application/json",
        )
        token = ApiToken.objects.get(user=self.cora)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(token.name, "from api")
        call_command("api_token", "cora", "--name", "from command", stdout=StringIO())
        made = AuditEvent.objects.filter(subject__endswith=" made", user=self.cora)
        self.assertEqual(sorted(made.values_list("via", flat=True)), ["api", "command"])
