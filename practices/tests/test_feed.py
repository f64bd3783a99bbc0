"""The feed: its shape and ETag, a pull from a second real server, hostile feeds."""

import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from unittest import mock, skipUnless

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import LiveServerTestCase, override_settings

from core.models import Organisation, Programme, Role
from core.tenancy import acting_for
from practices import feed
from practices.models import RemotePractice, Subscription
from practices.tests.helpers import make_practice
from wijk.testing import WijkTestCase

GOOD_ITEM: dict[str, Any] = {
    "id": "https://elders.example/practices/p/buurtwerk/",
    "url": "https://elders.example/practices/p/buurtwerk/",
    "title": "Buurtwerk elders",
    "summary": "Een praktijk van een andere installatie.",
    "date_modified": "2026-03-01T10:00:00+00:00",
    "_wijk": {
        "version": 1,
        "country": "NL",
        "themes": ["work"],
        "languages": ["nl"],
        "figures": [{"label": "Bewoners", "value": "40", "unit": "persons", "suppressed": False}],
    },
}


def _feed(*items):
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "Elders", "items": list(items)}
    ).encode()


BODIES = {
    "/good": _feed(GOOD_ITEM),
    "/invalid": b"{not json",
    "/types": _feed({**GOOD_ITEM, "title": 5}),
    "/typed-items": json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "items": {"a": 1}}
    ).encode(),
    "/script": _feed(
        {
            **GOOD_ITEM,
            "title": "<script>alert(1)</script>Veilig <b>vet</b>",
            "summary": "<img src=x onerror=alert(1)>ok",
        }
    ),
    "/smuggle": _feed(
        {
            **GOOD_ITEM,
            "_wijk": {
                **GOOD_ITEM["_wijk"],
                "figures": [{"label": "x", "value": 1, "iban": "BE71096123456769"}],
            },
        }
    ),
    "/figure-type": _feed(
        {**GOOD_ITEM, "_wijk": {**GOOD_ITEM["_wijk"], "figures": [{"label": "x", "value": "lots"}]}}
    ),
}


class Hostile(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        address: Any = self.server.server_address
        port = address[1]
        if self.path == "/huge":
            self.send_response(200)
            self.end_headers()
            for _i in range(64):
                self.wfile.write(b" " * 16384)
            return
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{port}/good")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(1.5)
        body = BODIES.get(self.path, _feed())
        self.send_response(200)
        self.send_header("Content-Type", "application/feed+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FeedTest(WijkTestCase):
    client_language = "en"  # the pages are read in English
    server: Any
    port: int
    allowed: Any
    practice: Any

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
        cls.port = cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.allowed = override_settings(
            WIJK_FEED_PRIVATE_ALLOWED=[f"127.0.0.1:{cls.port}"],
            WIJK_FEED_MAX_BYTES=100_000,
            WIJK_FEED_TIMEOUT=0.5,
        )
        cls.allowed.enable()

    @classmethod
    def tearDownClass(cls):
        cls.allowed.disable()
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.practice = make_practice(acting_for(cls.cora), programme=cls.rental)

    def subscribe(self, path):
        return Subscription.objects.create(
            organisation=self.arnhem, url=f"http://127.0.0.1:{self.port}{path}"
        )

    def test_feed_is_json_feed_with_the_wijk_extension_and_an_etag(self):
        response = self.client.get("/practices/feed.json")
        data = response.json()
        self.assertEqual(data["version"], "https://jsonfeed.org/version/1.1")
        item = data["items"][0]
        self.assertEqual(item["title"], "Huishoudtoestellen huren")
        self.assertEqual(item["_wijk"]["country"], "BE")
        figures = {f["key"]: f for f in item["_wijk"]["figures"]}
        # One household enrolled: suppressed in the feed.
        self.assertEqual(
            figures["households_reached"],
            {**figures["households_reached"], "value": None, "suppressed": True},
        )
        self.assertTrue(
            item["_wijk"]["package_url"].endswith(f"/practices/p/{self.practice.pk}/package.json")
        )
        again = self.client.get("/practices/feed.json", HTTP_IF_NONE_MATCH=response["ETag"])
        self.assertEqual(again.status_code, 304)
        self.assertNotIn(self.jansens.last_name, response.content.decode())

    def test_a_good_feed_lands_in_the_library_with_its_source(self):
        subscription = self.subscribe("/good")
        self.assertEqual(feed.subscription_pull(subscription=subscription), 1)
        self.assertNotContains(self.client.get("/practices/"), "Buurtwerk elders")  # anonymous
        self.login("otto")  # arnhem follows the feed
        page = self.client.get("/practices/")
        self.assertContains(page, "Buurtwerk elders")
        self.assertContains(page, "From another installation")
        self.assertContains(page, "Elders")
        self.assertContains(
            self.client.get("/practices/?country=NL&theme=work"), "Buurtwerk elders"
        )

    def test_hostile_feeds_are_refused_and_break_nothing(self):
        good = self.subscribe("/good")
        feed.subscription_pull(subscription=good)
        cases = {
            "/invalid": "not valid JSON",
            "/types": "not text",
            "/typed-items": "missing or too many",
            "/huge": "larger than",
            "/redirect": "private or local address",
            "/smuggle": "personal data or code",
            "/figure-type": "not a number",
            "/slow": "could not be reached",
        }
        for path, reason in cases.items():
            with self.subTest(path=path):
                subscription = self.subscribe(path)
                feed.subscription_pull(subscription=subscription)
                subscription.refresh_from_db()
                self.assertIn(reason, subscription.last_error)
                self.assertFalse(subscription.practices.exists())
        self.assertEqual(RemotePractice.objects.count(), 1)
        self.login("otto")
        self.assertContains(self.client.get("/practices/"), "Buurtwerk elders")

    def test_a_refused_pull_keeps_what_the_feed_gave_before(self):
        subscription = self.subscribe("/good")
        feed.subscription_pull(subscription=subscription)
        subscription.url = f"http://127.0.0.1:{self.port}/invalid"
        subscription.save()
        feed.subscription_pull(subscription=subscription)
        self.assertEqual(subscription.practices.count(), 1)

    def test_script_in_remote_text_is_removed(self):
        subscription = self.subscribe("/script")
        feed.subscription_pull(subscription=subscription)
        remote = subscription.practices.get()
        self.assertEqual(remote.title, "Veilig vet")
        self.assertNotIn("onerror", remote.summary)
        self.login("otto")
        page = self.client.get(f"/practices/remote/{remote.pk}/")
        self.assertContains(page, "Veilig vet")
        self.assertNotContains(page, "alert(1)")

    @override_settings(WIJK_FEED_PRIVATE_ALLOWED=[])
    def test_private_addresses_are_refused_unless_allowed(self):
        subscription = self.subscribe("/good")
        feed.subscription_pull(subscription=subscription)
        subscription.refresh_from_db()
        self.assertIn("private or local address", subscription.last_error)

    def test_the_background_run_pulls_the_organisations_feeds(self):
        from core.runs import run_start

        self.subscribe("/good")
        self.subscribe("/invalid")
        run = run_start(acting=self.acting("otto"), kind="practices.feed_pull")
        run.refresh_from_db()
        self.assertEqual(run.status, "done", run.error)
        self.assertEqual((run.result["pulled"], run.result["refused"]), (2, 1))
        self.assertEqual(RemotePractice.objects.count(), 1)


class TwoInstallationsTest(LiveServerTestCase):
    """A second real server on another loopback port serves its feed; this installation's
    organisation subscribes and pulls it with the management command."""

    def test_subscribe_pull_and_see_the_remote_practice(self):
        User = get_user_model()
        remote_org = Organisation.objects.create(
            name="Wijkfabriek", slug="wf", kind="community", country="BE"
        )
        programme = Programme.objects.create(
            name="Klussen", slug="klussen", kind="job_bureau", lead_organisation=remote_org
        )
        coordinator = User.objects.create_user(username="remote", password="x")
        coordinator.memberships.create(organisation=remote_org, role=Role.COORDINATOR)
        make_practice(acting_for(coordinator), programme=programme, title="Wijkfabriek op afstand")
        here = Organisation.objects.create(
            name="Spijkerkwartier", slug="sk", kind="community", country="NL"
        )
        otto = User.objects.create_user(username="otto2", password="x")
        otto.memberships.create(organisation=here, role=Role.COORDINATOR)
        self.client.force_login(otto)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the pages are read in English
        host = self.live_server_url.split("//")[1]
        with override_settings(WIJK_FEED_PRIVATE_ALLOWED=[host]):
            self.client.post(
                "/practices/subscriptions/", {"url": f"{self.live_server_url}/practices/feed.json"}
            )
            subscription = Subscription.objects.get(organisation=here)
            call_command("practices_pull", stdout=open("/dev/null", "w"))  # noqa: SIM115
            subscription.refresh_from_db()
            self.assertEqual(subscription.last_error, "")
            remote = subscription.practices.get()
            self.assertEqual(remote.title, "Wijkfabriek op afstand")
            self.assertTrue(remote.package_url.startswith(self.live_server_url))
            etag = subscription.etag
            self.assertTrue(etag)
            call_command("practices_pull", stdout=open("/dev/null", "w"))  # noqa: SIM115
            subscription.refresh_from_db()
            self.assertEqual(subscription.etag, etag)  # 304: nothing changed
            page = self.client.get(f"/practices/remote/{remote.pk}/")
            self.assertContains(page, "From another installation")
            # Its package comes through the feed, checked, for the preview.
            preview = self.client.get(f"/practices/packages/adopt/?remote={remote.pk}")
            self.assertContains(preview, "Will be created")


class Recording(Hostile):
    """The good feed, remembering the Host header of every request it served."""

    hosts: ClassVar[list[str]] = []

    def do_GET(self):
        self.hosts.append(self.headers.get("Host", ""))
        super().do_GET()


class DnsRebindingTest(WijkTestCase):
    """A resolver we control answers a public address first and 127.0.0.1 after: the feed
    reader connects to the address it checked, never to the second answer. No mock of the HTTP
    layer: a real server listens on 127.0.0.1 and counts what reaches it."""

    server: Any
    port: int
    real_getaddrinfo: Any

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), Recording)
        cls.port = cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        Recording.hosts.clear()
        self.calls: list[str] = []

    def resolver(self, *answers):
        """getaddrinfo that gives the answers in turn (the last one from then on)."""
        real = socket.getaddrinfo

        def fake(host, port, *args, **kwargs):
            if host != "feed.example":
                return real(host, port, *args, **kwargs)
            self.calls.append(host)
            address = answers[min(len(self.calls), len(answers)) - 1]
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

        return mock.patch("socket.getaddrinfo", fake)

    def pull(self, path="/good"):
        subscription = Subscription.objects.create(
            organisation=self.arnhem, url=f"http://feed.example:{self.port}{path}"
        )
        feed.subscription_pull(subscription=subscription)
        subscription.refresh_from_db()
        return subscription

    @override_settings(WIJK_FEED_PRIVATE_ALLOWED=[], WIJK_FEED_TIMEOUT=0.5)
    def test_a_second_private_answer_is_never_connected_to(self):
        # 8.8.8.8 is public: checked, then connected to (and unreachable from the tests).
        with self.resolver("8.8.8.8", "127.0.0.1"):
            subscription = self.pull()
        self.assertEqual(Recording.hosts, [])  # nothing reached the private address
        self.assertFalse(subscription.practices.exists())
        self.assertTrue(subscription.last_error)
        self.assertEqual(self.calls, ["feed.example"])  # resolved once, for the connection

    @override_settings(WIJK_FEED_PRIVATE_ALLOWED=[])
    def test_a_private_answer_is_refused_before_connecting(self):
        with self.resolver("127.0.0.1"):
            subscription = self.pull()
        self.assertIn("private or local address", subscription.last_error)
        self.assertEqual(Recording.hosts, [])

    @override_settings(WIJK_FEED_PRIVATE_ALLOWED=[])
    def test_every_address_of_an_answer_is_checked(self):
        real = socket.getaddrinfo

        def mixed(host, port, *args, **kwargs):
            if host != "feed.example":
                return real(host, port, *args, **kwargs)
            return [
                (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, port))
                for a in ("8.8.8.8", "127.0.0.1")
            ]

        with mock.patch("socket.getaddrinfo", mixed):
            subscription = self.pull()
        self.assertIn("private or local address", subscription.last_error)
        self.assertEqual(Recording.hosts, [])

    def test_a_redirect_to_a_host_that_turns_private_is_refused(self):
        port = self.port
        with override_settings(WIJK_FEED_PRIVATE_ALLOWED=[f"127.0.0.1:{port}"]):
            # /redirect points at localhost:<port>, which resolves to a loopback address and
            # is not on the allowed list (127.0.0.1:<port> is).
            subscription = Subscription.objects.create(
                organisation=self.arnhem, url=f"http://127.0.0.1:{port}/redirect"
            )
            feed.subscription_pull(subscription=subscription)
        subscription.refresh_from_db()
        self.assertIn("private or local address", subscription.last_error)
        self.assertEqual(len(Recording.hosts), 1)  # only the first hop was served

    def test_the_allowed_host_is_reached_at_its_checked_address_with_its_own_name(self):
        with (
            override_settings(WIJK_FEED_PRIVATE_ALLOWED=[f"feed.example:{self.port}"]),
            self.resolver("127.0.0.1", "10.0.0.1"),
        ):
            subscription = self.pull()
        self.assertEqual(subscription.last_error, "")
        self.assertEqual(subscription.practices.count(), 1)
        # The request went to the pinned address with the original Host header.
        self.assertEqual(Recording.hosts, [f"feed.example:{self.port}"])


@skipUnless(shutil.which("openssl"), "needs openssl to make a test certificate")
class PinnedHttpsTest(WijkTestCase):
    """HTTPS to the pinned address keeps the host name for SNI and the certificate check: a
    real TLS server on 127.0.0.1 with a certificate for feed.example only."""

    def test_sni_and_certificate_use_the_host_name_not_the_address(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        subprocess.run(  # a fixed command line, no input from outside
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=feed.example",
                "-addext",
                "subjectAltName=DNS:feed.example",
                "-keyout",
                key,
                "-out",
                cert,
            ],
            check=True,
            capture_output=True,
        )
        names: list[str] = []
        server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_context.load_cert_chain(cert, key)
        server_context.sni_callback = lambda sock, name, ctx: names.append(name or "")
        server = ThreadingHTTPServer(("127.0.0.1", 0), Recording)
        server.socket = server_context.wrap_socket(server.socket, server_side=True)
        port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        Recording.hosts.clear()
        real = socket.getaddrinfo

        def resolve(host, port_, *args, **kwargs):
            if host != "feed.example":
                return real(host, port_, *args, **kwargs)
            return [
                (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port_))
            ]

        client_context = ssl.create_default_context(cafile=cert)
        with (
            mock.patch("socket.getaddrinfo", resolve),
            override_settings(WIJK_FEED_PRIVATE_ALLOWED=[f"feed.example:{port}"]),
        ):
            connection = feed._PinnedHTTPSConnection(
                "feed.example", port, context=client_context, timeout=5
            )
            connection.request("GET", "/good")
            response = connection.getresponse()
            self.assertEqual(response.status, 200)
            connection.close()
            # Not allowed: refused before any TLS is spoken.
            with (
                override_settings(WIJK_FEED_PRIVATE_ALLOWED=[]),
                self.assertRaises(feed.FeedRefused),
            ):
                feed._PinnedHTTPSConnection("feed.example", port, context=client_context).connect()
        self.assertEqual(names, ["feed.example"])
        self.assertEqual(Recording.hosts, [f"feed.example:{port}"])
