"""Rate limits that cannot lock out the innocent: the client address behind trusted proxies,
the shared limiter, and the password limits of the login page and the API token endpoint."""

from datetime import timedelta
from typing import Any
from unittest import mock

import time_machine
from django.test import RequestFactory, SimpleTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from core import ratelimit
from core.ratelimit import (
    Limit,
    address_key,
    attempt_failed,
    attempts_blocked,
    attempts_reset,
    client_address,
)
from wijk.testing import PASSWORD, WijkTestCase

ATTACKER = "203.0.113.7"
NEIGHBOUR = "198.51.100.2"
PROXY = "10.0.0.1"
PROXY_2 = "10.0.0.2"


def request(remote: str = PROXY, forwarded: str | None = None) -> Any:
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


class ClientAddressTest(SimpleTestCase):
    @override_settings(WIJK_TRUSTED_PROXIES=0)
    def test_without_trusted_proxies_the_header_is_ignored(self) -> None:
        self.assertEqual(client_address(request(ATTACKER)), ATTACKER)
        self.assertEqual(client_address(request(ATTACKER, forwarded=NEIGHBOUR)), ATTACKER)

    @override_settings(WIJK_TRUSTED_PROXIES=1)
    def test_one_proxy_the_address_it_appended(self) -> None:
        self.assertEqual(client_address(request(PROXY, forwarded=ATTACKER)), ATTACKER)
        # The client wrote "198.51.100.2" itself; the proxy appended the real address.
        spoofed = request(PROXY, forwarded=f"{NEIGHBOUR}, {ATTACKER}")
        self.assertEqual(client_address(spoofed), ATTACKER)

    @override_settings(WIJK_TRUSTED_PROXIES=2)
    def test_two_proxies_the_second_address_from_the_right(self) -> None:
        forwarded = f"{NEIGHBOUR}, {ATTACKER}, {PROXY_2}"
        self.assertEqual(client_address(request(PROXY, forwarded=forwarded)), ATTACKER)
        self.assertEqual(client_address(request(PROXY, f"{ATTACKER},{PROXY_2}")), ATTACKER)

    @override_settings(WIJK_TRUSTED_PROXIES=2)
    def test_a_request_that_bypassed_the_proxies_counts_as_its_own_address(self) -> None:
        # Too few entries: the request did not pass both proxies, so the header is the
        # client's own invention.
        self.assertEqual(client_address(request(ATTACKER, forwarded=NEIGHBOUR)), ATTACKER)
        self.assertEqual(client_address(request(ATTACKER)), ATTACKER)

    @override_settings(WIJK_TRUSTED_PROXIES=1)
    def test_garbage_in_the_header_falls_back_to_the_connection(self) -> None:
        for forwarded in ("not-an-address", "", " , ", "1.2.3.4.5", "<script>"):
            with self.subTest(forwarded=forwarded):
                self.assertEqual(client_address(request(PROXY, forwarded=forwarded)), PROXY)

    @override_settings(WIJK_TRUSTED_PROXIES=1)
    def test_ipv6_is_normalised_and_counted_per_64(self) -> None:
        address = client_address(request(PROXY, forwarded="2001:DB8:0:0:0:0:0:1"))
        self.assertEqual(address, "2001:db8::1")
        self.assertEqual(address_key(address), address_key("2001:db8::ffff:1"))
        self.assertNotEqual(address_key(address), address_key("2001:db8:0:1::1"))
        self.assertEqual(address_key("::ffff:203.0.113.7"), ATTACKER)


class LimiterTest(SimpleTestCase):
    limit = Limit("test", attempts=3, window=60)

    def setUp(self) -> None:
        from django.core.cache import cache

        cache.clear()

    def test_blocked_after_the_allowed_failures_and_only_that_key(self) -> None:
        for _ in range(2):
            attempt_failed(self.limit, "a")
        self.assertFalse(attempts_blocked(self.limit, "a"))
        attempt_failed(self.limit, "a")
        self.assertTrue(attempts_blocked(self.limit, "a"))
        self.assertFalse(attempts_blocked(self.limit, "b"))
        self.assertFalse(attempts_blocked(Limit("other", 3, 60), "a"))

    def test_reset_forgets_the_failures(self) -> None:
        for _ in range(3):
            attempt_failed(self.limit, "a")
        attempts_reset(self.limit, "a")
        self.assertFalse(attempts_blocked(self.limit, "a"))

    def test_the_window_ends(self) -> None:
        from django.conf import settings

        if "Redis" in str(settings.CACHES["default"]["BACKEND"]):
            self.skipTest("Redis keeps its own clock; the window is Redis's own TTL there")
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            for _ in range(3):
                attempt_failed(self.limit, "a")
            traveller.shift(timedelta(seconds=59))
            self.assertTrue(attempts_blocked(self.limit, "a"))
            traveller.shift(timedelta(seconds=2))
            self.assertFalse(attempts_blocked(self.limit, "a"))


@override_settings(WIJK_TRUSTED_PROXIES=0)
class LoginLimitTest(WijkTestCase):
    client_language = "en"

    def log_in(self, username: str, password: str, address: str = ATTACKER) -> Any:
        return self.client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def wrong(self, username: str, times: int, address: str = ATTACKER) -> None:
        for _ in range(times):
            response = self.log_in(username, "wrong-password", address)
            self.assertIn(response.status_code, (200, 429))

    def test_wrong_passwords_lock_that_user_name_even_from_another_address(self) -> None:
        self.wrong("cora", ratelimit.PASSWORD_PER_USERNAME.attempts)
        response = self.log_in("cora", PASSWORD, address=NEIGHBOUR)
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many wrong passwords", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_locked_user_does_not_lock_another_user_from_the_same_address(self) -> None:
        self.wrong("cora", ratelimit.PASSWORD_PER_USERNAME.attempts + 5)
        response = self.log_in("ines", PASSWORD)
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)

    def test_the_right_password_resets_the_counter(self) -> None:
        almost = ratelimit.PASSWORD_PER_USERNAME.attempts - 1
        self.wrong("cora", almost)
        self.assertEqual(self.log_in("cora", PASSWORD).status_code, 302)
        self.client.logout()
        self.wrong("cora", almost)
        self.assertEqual(self.log_in("cora", PASSWORD).status_code, 302)

    def test_right_passwords_never_count(self) -> None:
        with (
            mock.patch.object(ratelimit, "PASSWORD_PER_USERNAME", Limit("u", 2, 900)),
            mock.patch.object(ratelimit, "PASSWORD_PER_ADDRESS", Limit("a", 2, 900)),
        ):
            for _ in range(5):
                self.assertEqual(self.log_in("cora", PASSWORD).status_code, 302)
                self.client.logout()

    def test_many_user_names_from_one_address_meet_the_safety_net(self) -> None:
        with mock.patch.object(ratelimit, "PASSWORD_PER_ADDRESS", Limit("a", 4, 900)):
            for name in ("anna", "bert", "carl", "dirk"):
                self.wrong(name, 1)
            self.assertEqual(self.log_in("cora", PASSWORD).status_code, 429)
            # Another address is not concerned.
            self.assertEqual(self.log_in("cora", PASSWORD, address=NEIGHBOUR).status_code, 302)

    def test_case_of_the_user_name_does_not_give_more_tries(self) -> None:
        limit = ratelimit.PASSWORD_PER_USERNAME.attempts
        for index in range(limit):
            self.wrong("CORA" if index % 2 else "cora", 1)
        self.assertEqual(self.log_in("cora", PASSWORD).status_code, 429)

    @override_settings(WIJK_TRUSTED_PROXIES=1)
    def test_behind_a_proxy_the_net_holds_per_real_address(self) -> None:
        with mock.patch.object(ratelimit, "PASSWORD_PER_ADDRESS", Limit("a", 3, 900)):
            for name in ("anna", "bert", "carl"):
                self.client.post(
                    reverse("login"),
                    {"username": name, "password": "x"},
                    REMOTE_ADDR=PROXY,
                    HTTP_X_FORWARDED_FOR=f"{NEIGHBOUR}, {ATTACKER}",  # first one spoofed
                )
            ok = self.client.post(
                reverse("login"),
                {"username": "cora", "password": PASSWORD},
                REMOTE_ADDR=PROXY,
                HTTP_X_FORWARDED_FOR=NEIGHBOUR,
            )
            self.assertEqual(ok.status_code, 302)


@override_settings(WIJK_TRUSTED_PROXIES=0)
class TokenLimitTest(WijkTestCase):
    def ask(self, username: str, password: str, address: str = ATTACKER) -> Any:
        return self.client.post(
            "/api/v1/auth/token",
            {"username": username, "password": password},
            content_type="application/json",
            REMOTE_ADDR=address,
            HTTP_ACCEPT_LANGUAGE="en",
        )

    def test_wrong_passwords_lock_the_user_name_with_a_json_429(self) -> None:
        for _ in range(ratelimit.PASSWORD_PER_USERNAME.attempts):
            self.assertEqual(self.ask("ines", "wrong").status_code, 401)
        response = self.ask("ines", PASSWORD, address=NEIGHBOUR)
        self.assertEqual(response.status_code, 429)
        self.assertIn("Too many wrong passwords", response.json()["message"])
        # Another user from the attacker's own address still gets a token.
        self.assertEqual(self.ask("cora", PASSWORD).status_code, 200)

    def test_login_page_and_token_endpoint_share_the_counter(self) -> None:
        limit = ratelimit.PASSWORD_PER_USERNAME.attempts
        for _ in range(limit // 2):
            self.ask("ines", "wrong")
        for _ in range(limit - limit // 2):
            self.client.post(
                reverse("login"), {"username": "ines", "password": "x"}, REMOTE_ADDR=ATTACKER
            )
        self.assertEqual(self.ask("ines", PASSWORD).status_code, 429)

    def test_right_passwords_never_count_and_reset(self) -> None:
        with mock.patch.object(ratelimit, "PASSWORD_PER_USERNAME", Limit("u", 2, 900)):
            for _ in range(4):
                self.assertEqual(self.ask("ines", PASSWORD).status_code, 200)
            self.ask("ines", "wrong")
            self.assertEqual(self.ask("ines", PASSWORD).status_code, 200)
            self.ask("ines", "wrong")
            self.assertEqual(self.ask("ines", PASSWORD).status_code, 200)
