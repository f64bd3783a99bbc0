"""The resident page: link and PIN, lock, expiry, rate limit, what is shown, breakdowns."""

import re
from datetime import date, timedelta
from unittest import mock

from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from core import ratelimit
from core.models import AuditEvent
from core.ratelimit import Limit
from core.templatetags.wijk_tags import money
from households.models import Enrolment, Household, RestrictedNote
from rentals import selectors, services
from rentals.models import Contract, ResidentAccess, Ticket
from rentals.pure import savings
from rentals.selectors import impact
from rentals.services import resident
from rentals.services.resident import (
    Expired,
    Locked,
    UnknownKey,
    WrongPin,
    resident_access_check,
    resident_access_issue,
)
from rentals.tests.cast import RentalTestCase
from rentals.views.resident import SESSION_UNTIL
from wijk.testing import clock_at, make_household

ATTACKER = "203.0.113.7"
NEIGHBOUR = "198.51.100.2"
PROXY = "10.0.0.1"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def wrong(pin: str) -> str:
    """A PIN that is certainly not `pin`."""
    return f"{(int(pin) + 1) % 10**6:06d}"


class ResidentTestCase(RentalTestCase):
    def setUp(self) -> None:
        cache.clear()  # the per-address limit lives in the cache

    def issue(self, household: Household | None = None, **kwargs) -> tuple[str, str]:
        return resident_access_issue(
            acting=self.acting("ines"), household=household or self.jansens, **kwargs
        )

    def enter(self, key: str, pin: str, **extra):
        return self.client.post(f"/r/{key}/", {"pin": pin}, **extra)

    def french_household(self) -> Household:
        household = make_household(
            self.ocmw,
            first_name="Claire",
            last_name="Lambert",
            street="Rue Haute",
            house_number="3",
            language="fr",
            social_tariff=True,
        )
        Enrolment.objects.create(household=household, programme=self.rental, status="enrolled")
        return household


A_DAY = date(2027, 3, 10)  # a Wednesday in the middle of a month


@clock_at(A_DAY)  # a fixed day: the dates below count from it
class IssueTest(ResidentTestCase):
    def test_issue_gives_key_and_six_digit_pin_and_stores_only_a_hash(self) -> None:
        key, pin = self.issue()
        self.assertRegex(pin, r"^\d{6}$")
        self.assertGreaterEqual(len(key), 20)
        access = ResidentAccess.objects.get(household=self.jansens)
        self.assertEqual(access.key, key)
        self.assertNotIn(pin, access.pin_hash)
        self.assertTrue(check_password(pin, access.pin_hash))
        self.assertGreater(access.expires_at, timezone.now() + timedelta(days=364))
        event = AuditEvent.objects.get(household=self.jansens, subject__contains="resident")
        self.assertEqual(event.organisation, self.ocmw)
        self.assertNotIn(pin, event.subject)
        self.assertNotIn(key, event.subject)

    def test_issuing_again_replaces_the_old_link(self) -> None:
        old_key, old_pin = self.issue()
        new_key, new_pin = self.issue()
        self.assertNotEqual(old_key, new_key)
        self.assertEqual(ResidentAccess.objects.filter(household=self.jansens).count(), 1)
        with self.assertRaises(UnknownKey):
            resident_access_check(key=old_key, pin=old_pin)
        self.assertEqual(resident_access_check(key=new_key, pin=new_pin), self.jansens)

    def test_issue_needs_household_change_on_a_visible_household(self) -> None:
        for username in ("vera", "tom", "ilse", "otto"):  # viewer, technician, other orgs
            with self.subTest(username), self.assertRaises(PermissionDenied):
                resident_access_issue(acting=self.acting(username), household=self.jansens)
        self.assertFalse(ResidentAccess.objects.exists())


@clock_at(A_DAY)  # a fixed day: the dates below count from it
class CheckTest(ResidentTestCase):
    def test_five_wrong_pins_lock_even_the_right_one_until_the_lock_expires(self) -> None:
        key, pin = self.issue()
        now = timezone.now()
        for _attempt in range(resident.MAX_FAILED_PINS - 1):
            with self.assertRaises(WrongPin):
                resident_access_check(key=key, pin=wrong(pin), now=now)
        with self.assertRaises(Locked):
            resident_access_check(key=key, pin=wrong(pin), now=now)
        with self.assertRaises(Locked):
            resident_access_check(key=key, pin=pin, now=now + timedelta(minutes=14))
        household = resident_access_check(key=key, pin=pin, now=now + timedelta(minutes=16))
        self.assertEqual(household, self.jansens)

    def test_success_resets_the_counter(self) -> None:
        key, pin = self.issue()
        for _attempt in range(resident.MAX_FAILED_PINS - 1):
            with self.assertRaises(WrongPin):
                resident_access_check(key=key, pin=wrong(pin))
        resident_access_check(key=key, pin=pin)
        self.assertEqual(ResidentAccess.objects.get(key=key).failed_attempts, 0)
        with self.assertRaises(WrongPin):  # not locked: the count started again
            resident_access_check(key=key, pin=wrong(pin))

    def test_expired_access_is_refused(self) -> None:
        key, pin = self.issue(valid_days=1)
        with self.assertRaises(Expired):
            resident_access_check(key=key, pin=pin, now=timezone.now() + timedelta(days=2))
        self.assertFalse(AuditEvent.objects.filter(via="resident").exists())

    def test_unknown_key_still_costs_a_hash_check(self) -> None:
        with (
            mock.patch("rentals.services.resident.check_password", return_value=False) as checked,
            self.assertRaises(UnknownKey),
        ):
            resident_access_check(key="guessed-key-123", pin="123456")
        checked.assert_called_once()
        self.assertEqual(str(UnknownKey.message), str(WrongPin.message))

    def test_success_is_audited_for_the_registering_organisation(self) -> None:
        key, pin = self.issue()
        resident_access_check(key=key, pin=pin)
        event = AuditEvent.objects.get(via="resident")
        self.assertIsNone(event.user)
        self.assertEqual(event.organisation, self.ocmw)
        self.assertEqual(event.household, self.jansens)
        self.assertEqual(event.action, AuditEvent.Action.VIEW)


@clock_at(A_DAY)  # a fixed day: the dates below count from it
class PageTest(ResidentTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contract = self.active_contract()
        self.key, self.pin = self.issue()

    def open_home(self, key: str | None = None, pin: str | None = None):
        key = key or self.key
        response = self.enter(key, pin or self.pin)
        self.assertRedirects(response, f"/r/{key}/home/", fetch_redirect_response=False)
        return self.client.get(f"/r/{key}/home/")

    def assert_to_pin(self, url: str, key: str) -> None:
        """A page that needs a verified session sends the visitor to the PIN form."""
        self.assertRedirects(self.client.get(url), f"/r/{key}/", fetch_redirect_response=False)

    def test_right_pin_opens_the_page_with_appliance_balance_and_next_visit(self) -> None:
        services.billing_run(programme=self.rental, month=date(2026, 10, 1), confirm=True)
        visit_day = timezone.localdate() + timedelta(days=6)
        services.visit_plan(
            acting=self.acting("cora"),
            contract=self.contract,
            kind="repair",
            planned_on=visit_day,
            window="08:00–12:00",
        )
        response = self.open_home()
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        with translation.override("nl"):
            due = money(selectors.household_balance(self.jansens, collector=None).charged)
            day = formats.date_format(visit_day, "j F Y")
            installed = formats.date_format(date(2026, 3, 10), "j F Y")
        self.assertIn("Bosch WAN28", body)
        self.assertIn(installed, body)
        self.assertIn(due, body)
        self.assertIn(day, body)
        self.assertIn("08:00–12:00", body)
        self.assertEqual(
            AuditEvent.objects.filter(via="resident", household=self.jansens).count(), 1
        )

    def test_nothing_open_says_up_to_date(self) -> None:
        body = self.open_home().content.decode()
        with translation.override("nl"):
            self.assertIn(gettext("You are up to date. Thank you!"), body)
            self.assertIn(gettext("No visit is planned."), body)

    def test_a_savings_figure_that_cannot_be_computed_does_not_close_the_page(self) -> None:
        with mock.patch.object(
            impact, "household_yearly", side_effect=savings.SavingsError("bad label")
        ):
            response = self.open_home()
        self.assertEqual(response.status_code, 200)
        with translation.override("nl"):
            self.assertContains(response, gettext("We cannot show what you save yet."))

    def test_no_name_address_income_or_notes_are_shown(self) -> None:
        Household.objects.filter(pk=self.jansens.pk).update(
            net_monthly_income="1234.56", phone="0470 11 22 33"
        )
        RestrictedNote.objects.create(
            household=self.jansens, organisation=self.ocmw, text="Geheime notitie"
        )
        body = self.open_home().content.decode()
        for secret in ("1234", "1.234", "Geheime", "Jansens", "Kerkstraat", "0470", "8000"):
            self.assertNotIn(secret, body)

    def test_wrong_pins_lock_the_page_even_for_the_right_pin(self) -> None:
        for _attempt in range(resident.MAX_FAILED_PINS - 1):
            self.assertEqual(self.enter(self.key, wrong(self.pin)).status_code, 403)
        self.assertEqual(self.enter(self.key, wrong(self.pin)).status_code, 429)
        response = self.enter(self.key, self.pin)
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("Bosch", response.content.decode())
        self.assert_to_pin(f"/r/{self.key}/home/", self.key)

    def test_badly_typed_pin_is_a_clear_error_and_no_attempt(self) -> None:
        response = self.enter(self.key, "12ab")
        self.assertEqual(response.status_code, 400)
        with translation.override("nl"):
            self.assertIn(
                gettext("The code has 6 digits. Look at your letter."), response.content.decode()
            )
        self.assertEqual(ResidentAccess.objects.get(key=self.key).failed_attempts, 0)

    def test_printed_pin_with_a_space_works(self) -> None:
        response = self.enter(self.key, f"{self.pin[:3]} {self.pin[3:]}")
        self.assertRedirects(response, f"/r/{self.key}/home/", fetch_redirect_response=False)

    def test_expired_access_is_refused_on_the_page(self) -> None:
        ResidentAccess.objects.filter(key=self.key).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        response = self.enter(self.key, self.pin)
        self.assertEqual(response.status_code, 403)
        with translation.override("nl"):
            self.assertIn(gettext(str(Expired.message)), response.content.decode())
        self.assert_to_pin(f"/r/{self.key}/home/", self.key)

    def test_unknown_key_shows_the_same_pin_page_and_no_data(self) -> None:
        guessed = "AAAAAAAAAAAAAAAAAAAAAA"
        known = self.client.get(f"/r/{self.key}/")
        unknown = self.client.get(f"/r/{guessed}/")
        self.assertEqual(known.status_code, unknown.status_code)
        self.assertEqual(
            CSRF.sub("", known.content.decode()).replace(self.key, "KEY"),
            CSRF.sub("", unknown.content.decode()).replace(guessed, "KEY"),
        )
        wrong_known = self.enter(self.key, wrong(self.pin))
        wrong_unknown = self.enter(guessed, self.pin)
        self.assertEqual(wrong_known.status_code, wrong_unknown.status_code)
        self.assertEqual(
            CSRF.sub("", wrong_known.content.decode()).replace(self.key, "KEY"),
            CSRF.sub("", wrong_unknown.content.decode()).replace(guessed, "KEY"),
        )
        for response in (known, unknown, wrong_known, wrong_unknown):
            body = response.content.decode()
            for secret in ("Bosch", "Jansens", "OCMW Brugge", "Kerkstraat"):
                self.assertNotIn(secret, body)

    def test_another_organisations_user_sees_only_the_pin_form(self) -> None:
        self.login("otto")
        response = self.client.get(f"/r/{self.key}/")
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        for secret in ("Bosch", "Jansens", "OCMW Brugge", "Kerkstraat", "Huishoudtoestellen"):
            self.assertNotIn(secret, body)
        for page in ("home", "breakdown"):
            self.assert_to_pin(f"/r/{self.key}/{page}/", self.key)

    def test_pages_without_a_verified_session_go_to_the_pin_page(self) -> None:
        for page in ("home", "breakdown", "breakdown/sent"):
            with self.subTest(page):
                self.assert_to_pin(f"/r/{self.key}/{page}/", self.key)
        response = self.client.post(
            f"/r/{self.key}/breakdown/", {"contract": self.contract.pk, "description": "Kapot"}
        )
        self.assertRedirects(response, f"/r/{self.key}/", fetch_redirect_response=False)
        self.assertFalse(Ticket.objects.exists())

    def test_a_session_opens_only_its_own_link_and_ends_after_30_minutes(self) -> None:
        other = self.french_household()
        self.active_contract(household=other, category="fridge")
        other_key, _pin = self.issue(other)
        self.open_home()
        self.assert_to_pin(f"/r/{other_key}/home/", other_key)
        session = self.client.session
        session[SESSION_UNTIL] = session[SESSION_UNTIL] - 31 * 60
        session.save()
        self.assert_to_pin(f"/r/{self.key}/home/", self.key)

    def test_a_new_letter_ends_the_old_session(self) -> None:
        self.open_home()
        self.issue()
        self.assert_to_pin(f"/r/{self.key}/home/", self.key)

    def test_logout_closes_the_page(self) -> None:
        self.open_home()
        self.assertEqual(self.client.get(f"/r/{self.key}/logout/").status_code, 405)
        response = self.client.post(f"/r/{self.key}/logout/")
        self.assertRedirects(response, f"/r/{self.key}/", fetch_redirect_response=False)
        self.assert_to_pin(f"/r/{self.key}/home/", self.key)

    def test_breakdown_opens_a_resident_ticket_on_the_chosen_appliance(self) -> None:
        self.open_home()
        form = self.client.get(f"/r/{self.key}/breakdown/")
        self.assertContains(form, "Bosch WAN28")
        response = self.client.post(
            f"/r/{self.key}/breakdown/",
            {"contract": self.contract.pk, "description": "Hij lekt water"},
        )
        self.assertRedirects(
            response, f"/r/{self.key}/breakdown/sent/", fetch_redirect_response=False
        )
        ticket = Ticket.objects.get()
        self.assertEqual(ticket.contract, self.contract)
        self.assertEqual(ticket.channel, Ticket.Channel.RESIDENT)
        self.assertEqual(ticket.description, "Hij lekt water")
        sent = self.client.get(f"/r/{self.key}/breakdown/sent/")
        with translation.override("nl"):
            self.assertContains(
                sent, gettext("We have received your message. Someone will call you.")
            )

    def test_breakdown_cannot_target_another_households_contract(self) -> None:
        other = self.french_household()
        foreign = self.active_contract(household=other, category="fridge")
        self.open_home()
        form = self.client.get(f"/r/{self.key}/breakdown/")
        self.assertNotContains(form, "Liebherr")
        response = self.client.post(
            f"/r/{self.key}/breakdown/", {"contract": foreign.pk, "description": "Kapot"}
        )
        self.assertEqual(response.status_code, 400)
        for bad in (
            {"contract": "x", "description": "Kapot"},
            {"contract": self.contract.pk, "description": "   "},
            {},
        ):
            with self.subTest(bad):
                self.assertEqual(
                    self.client.post(f"/r/{self.key}/breakdown/", bad).status_code, 400
                )
        self.assertFalse(Ticket.objects.exists())

    def test_ended_contract_is_not_a_choice(self) -> None:
        Contract.objects.filter(pk=self.contract.pk).update(status=Contract.Status.ENDED)
        self.open_home()
        response = self.client.post(
            f"/r/{self.key}/breakdown/", {"contract": self.contract.pk, "description": "Kapot"}
        )
        self.assertEqual(response.status_code, 400)
        with translation.override("nl"):
            self.assertContains(
                response, gettext("You have no installed appliance yet."), status_code=400
            )
        self.assertFalse(Ticket.objects.exists())

    def test_page_in_french_for_a_french_household(self) -> None:
        household = self.french_household()
        contract = self.active_contract(household=household, category="fridge")
        visit_day = timezone.localdate() + timedelta(days=3)
        services.visit_plan(
            acting=self.acting("cora"), contract=contract, kind="repair", planned_on=visit_day
        )
        key, pin = self.issue(household)
        response = self.open_home(key, pin)
        body = response.content.decode()
        self.assertIn('<html lang="fr">', body)
        self.assertEqual(response["Content-Language"], "fr")
        with translation.override("fr"):
            self.assertIn(formats.date_format(visit_day, "l j F Y"), body)
        self.assertIn("Liebherr K 3710", body)
        # The resident may choose another language on the page.
        english = self.client.get(f"/r/{key}/home/?lang=en")
        self.assertIn('<html lang="en">', english.content.decode())
        self.assertIn('<html lang="en">', self.client.get(f"/r/{key}/home/").content.decode())

    def neighbour(self) -> tuple[str, str]:
        """Another resident with their own link and PIN."""
        return self.issue(self.peeters)

    def test_an_attackers_many_tries_do_not_lock_out_another_residents_right_pin(self) -> None:
        # Everyone comes through the same proxy address (no trusted proxy configured).
        for attempt in range(25):
            key = f"guessed-key-{attempt}" if attempt % 2 else self.key
            response = self.enter(key, wrong(self.pin), REMOTE_ADDR=PROXY)
            self.assertIn(response.status_code, (403, 429))
        key, pin = self.neighbour()
        fresh = Client()
        response = fresh.post(f"/r/{key}/", {"pin": pin}, REMOTE_ADDR=PROXY)
        self.assertRedirects(response, f"/r/{key}/home/", fetch_redirect_response=False)

    def test_right_pins_never_count(self) -> None:
        key, pin = self.neighbour()
        with mock.patch.object(ratelimit, "RESIDENT_PIN_PER_ADDRESS", Limit("t", 2, 900)):
            for _ in range(4):
                for right_key, right_pin in ((self.key, self.pin), (key, pin)):
                    response = Client().post(
                        f"/r/{right_key}/", {"pin": right_pin}, REMOTE_ADDR=PROXY
                    )
                    self.assertEqual(response.status_code, 302)

    def test_a_right_pin_resets_the_links_count(self) -> None:
        for _ in range(resident.MAX_FAILED_PINS - 1):
            self.assertEqual(self.enter(self.key, wrong(self.pin)).status_code, 403)
        self.assertEqual(Client().post(f"/r/{self.key}/", {"pin": self.pin}).status_code, 302)
        for _ in range(resident.MAX_FAILED_PINS - 1):
            self.assertEqual(self.enter(self.key, wrong(self.pin)).status_code, 403)
        self.assertEqual(Client().post(f"/r/{self.key}/", {"pin": self.pin}).status_code, 302)

    def test_very_many_wrong_tries_from_one_address_meet_the_safety_net(self) -> None:
        with mock.patch.object(ratelimit, "RESIDENT_PIN_PER_ADDRESS", Limit("t", 6, 900)):
            for attempt in range(6):
                response = self.enter(f"guessed-{attempt}", "123456", REMOTE_ADDR=ATTACKER)
                self.assertEqual(response.status_code, 403)
            blocked = self.enter(self.key, self.pin, REMOTE_ADDR=ATTACKER)
            self.assertEqual(blocked.status_code, 429)
            self.assertNotIn("Bosch", blocked.content.decode())
            self.assertFalse(AuditEvent.objects.filter(via="resident").exists())
            # Another address is not blocked.
            other = Client().post(f"/r/{self.key}/", {"pin": self.pin}, REMOTE_ADDR=NEIGHBOUR)
            self.assertRedirects(other, f"/r/{self.key}/home/", fetch_redirect_response=False)

    @override_settings(WIJK_TRUSTED_PROXIES=1)
    def test_behind_a_trusted_proxy_the_net_counts_the_real_address(self) -> None:
        with mock.patch.object(ratelimit, "RESIDENT_PIN_PER_ADDRESS", Limit("t", 3, 900)):
            for attempt in range(3):
                self.enter(
                    f"guessed-{attempt}",
                    "123456",
                    REMOTE_ADDR=PROXY,
                    # The attacker spoofs the neighbour's address; the proxy appends its own.
                    HTTP_X_FORWARDED_FOR=f"{NEIGHBOUR}, {ATTACKER}",
                )
            attacker = self.enter(
                self.key, self.pin, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER
            )
            self.assertEqual(attacker.status_code, 429)
            neighbour = Client().post(
                f"/r/{self.key}/",
                {"pin": self.pin},
                REMOTE_ADDR=PROXY,
                HTTP_X_FORWARDED_FOR=NEIGHBOUR,
            )
            self.assertEqual(neighbour.status_code, 302)
