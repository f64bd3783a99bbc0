"""`manage.py demo_data`: the demo economy loads, is the same every time and loads only once."""

from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase, override_settings
from django.utils import translation

from core.demo import DEFAULT_HOUSEHOLDS, DEMO_PASSWORD, REGISTRAR
from core.models import (
    AuditEvent,
    Membership,
    Organisation,
    Programme,
    ProgrammePartner,
    Role,
    Tariff,
)
from core.tenancy import acting_for, scoped
from core.validators import clean_enterprise_number, clean_iban, clean_postcode
from households.demo import household_specs
from households.models import Consent, Enrolment, Household
from wijk.testing import WijkTestCase

# Hashing the demo password with the production hasher costs a quarter second per login.
FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])

# Enough households to reach every town and its refusals, few enough to load in a second.
HOUSEHOLDS = 60

# The printed logins: username → (role, slug of the organisation).
LOGINS = {
    "orgadmin": (Role.ORG_ADMIN, "ocmw-oostende"),
    "coordinator": (Role.COORDINATOR, "sowv"),
    "intake": (Role.INTAKE_WORKER, "ocmw-oostende"),
    "technician": (Role.TECHNICIAN, "elektro-vandamme"),
    "jobcoach": (Role.JOB_COACH, "sowv"),
    "worker": (Role.NEIGHBOURHOOD_WORKER, "sowv"),
    "viewer": (Role.VIEWER, "ocmw-oostende"),
    "arnhem": (Role.COORDINATOR, "spijkerkwartier"),
}

COUNTED = (
    Organisation,
    Membership,
    Programme,
    ProgrammePartner,
    Tariff,
    Household,
    Consent,
    Enrolment,
    AuditEvent,
)


def counts() -> dict[str, int]:
    result = {model.__name__: model.objects.count() for model in COUNTED}
    result["User"] = get_user_model().objects.count()
    return result


def run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):  # the checks below read the English output
        call_command("demo_data", *args, stdout=out)
    return out.getvalue()


class DemoHouseholdsTest(SimpleTestCase):
    """The generated households, without a database: the full load is too slow for every run."""

    def test_about_300_households_by_default_spread_over_the_towns(self) -> None:
        specs = household_specs()
        self.assertEqual(len(specs), DEFAULT_HOUSEHOLDS)
        self.assertEqual(DEFAULT_HOUSEHOLDS, 300)
        by_registrar = Counter(s.registrar for s in specs)
        self.assertEqual(set(by_registrar), set(REGISTRAR))
        self.assertGreater(by_registrar["spijkerkwartier"], 30)
        self.assertGreater(by_registrar["ocmw-oostende"], 50)
        self.assertEqual(len({(s.registrar, s.duplicate_key) for s in specs}), 300)

    def test_the_same_households_every_time_and_a_smaller_run_is_a_prefix(self) -> None:
        full = [(s.registrar, s.fields) for s in household_specs()]
        self.assertEqual([(s.registrar, s.fields) for s in household_specs()], full)
        for spec in household_specs(30):
            self.assertIn((spec.registrar, spec.fields), full)

    def test_generated_households_pass_the_validators(self) -> None:
        for spec in household_specs():
            fields = spec.fields
            self.assertEqual(
                clean_postcode(fields["postcode"], fields["country"]), fields["postcode"]
            )
            self.assertIn(fields["size"], range(1, 7))
            if fields["contact_channel"] in ("phone", "sms"):
                self.assertTrue(fields["phone"])
            if fields["contact_channel"] == "email":
                self.assertTrue(fields["email"])


@FAST_HASHER
class DemoDataTest(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = run("--households", str(HOUSEHOLDS))

    def test_the_requested_households_in_every_town(self) -> None:
        self.assertEqual(Household.objects.count(), HOUSEHOLDS)
        self.assertEqual(
            set(Household.objects.values_list("organisation__slug", flat=True)), set(REGISTRAR)
        )
        languages = set(Household.objects.values_list("language", flat=True))
        self.assertEqual(languages, {"nl", "fr", "en"})
        channels = set(Household.objects.values_list("contact_channel", flat=True))
        self.assertEqual(channels, {"phone", "letter", "sms", "email"})

    def test_second_run_changes_nothing(self) -> None:
        before = counts()
        decisions = set(Enrolment.objects.values_list("household__reference", "status"))
        output = run("--households", str(HOUSEHOLDS))
        self.assertEqual(counts(), before)
        self.assertEqual(
            set(Enrolment.objects.values_list("household__reference", "status")), decisions
        )
        self.assertIn("nothing changed", output)

    def test_smaller_run_after_a_full_one_adds_nothing(self) -> None:
        # The households of a smaller run are the first ones of the full run.
        before = counts()
        run("--households", "20")
        self.assertEqual(counts(), before)

    def test_the_households_are_the_seeded_ones(self) -> None:
        expected = {
            (s.fields["first_name"], s.fields["last_name"], s.fields["postcode"])
            for s in household_specs(HOUSEHOLDS)
        }
        stored = set(Household.objects.values_list("first_name", "last_name", "postcode"))
        self.assertEqual(stored, expected)

    def test_every_role_has_a_login_that_authenticates(self) -> None:
        for username, (role, org_slug) in LOGINS.items():
            with self.subTest(username=username):
                user = authenticate(username=username, password=DEMO_PASSWORD)
                self.assertIsNotNone(user)
                self.assertTrue(
                    Membership.objects.filter(
                        user=user, role=role, organisation__slug=org_slug
                    ).exists()
                )
                self.assertIn(username, self.output)
        self.assertEqual({role for role, _org in LOGINS.values()}, set(Role.values))
        self.assertIsNone(authenticate(username="intake", password="wrong"))
        self.assertIn(DEMO_PASSWORD, self.output)

    def test_the_intake_worker_belongs_to_one_welfare_office(self) -> None:
        kinds = set(
            Membership.objects.filter(user__username="intake").values_list(
                "organisation__kind", flat=True
            )
        )
        self.assertEqual(kinds, {"welfare_office"})
        lead = Programme.objects.get(slug="huren-wvl").lead_organisation
        self.assertEqual(lead.kind, "community")
        self.assertTrue(
            Membership.objects.filter(
                user__username="coordinator", organisation=lead, role=Role.COORDINATOR
            ).exists()
        )

    def test_enrolments_store_their_rule_results(self) -> None:
        enrolments = Enrolment.objects.all()
        self.assertGreater(enrolments.filter(status="enrolled").count(), HOUSEHOLDS * 3 // 4)
        refused = enrolments.filter(status="refused")
        self.assertGreater(refused.count(), 0)
        for enrolment in enrolments:
            self.assertTrue(enrolment.rule_results, enrolment)
            self.assertIsNotNone(enrolment.decided_by_id)
        for enrolment in refused:
            self.assertTrue(any(not r["passed"] for r in enrolment.rule_results))

    def test_households_outside_the_served_area_are_refused(self) -> None:
        izegem = Enrolment.objects.filter(household__city="Izegem")
        self.assertTrue(izegem.exists())
        self.assertEqual(set(izegem.values_list("status", flat=True)), {"refused"})

    def test_arnhem_households_have_valid_dutch_postcodes(self) -> None:
        arnhem = Household.objects.filter(organisation__slug="spijkerkwartier")
        self.assertGreater(arnhem.count(), 5)
        for household in arnhem:
            self.assertEqual(household.country, "NL")
            self.assertEqual(clean_postcode(household.postcode, "NL"), household.postcode)
            self.assertRegex(household.postcode, r"^68\d\d [A-Z]{2}$")

    def test_organisations_have_valid_identifiers(self) -> None:
        orgs = Organisation.objects.all()
        self.assertEqual(orgs.count(), 10)
        for org in orgs:
            with self.subTest(org=org.slug):
                self.assertEqual(clean_iban(org.iban), org.iban)
                self.assertEqual(
                    clean_enterprise_number(org.enterprise_number, org.country),
                    org.enterprise_number,
                )
                expected_zone = "Europe/Amsterdam" if org.country == "NL" else "Europe/Brussels"
                self.assertEqual(org.time_zone, expected_zone)

    def test_rental_programme_partners_rules_and_tariffs(self) -> None:
        rental = Programme.objects.get(slug="huren-wvl")
        partners = set(rental.partners.values_list("organisation__slug", "role"))
        for office in ("ocmw-oostende", "ocmw-brugge", "sh-roeselare", "sh-kortrijk"):
            self.assertIn((office, "referrer"), partners)
            self.assertIn((office, "collector"), partners)
        self.assertIn(("elektro-vandamme", "supplier"), partners)
        self.assertIn("8400", rental.eligibility_rules["postcodes"])
        tariff = rental.tariff_on(date(2026, 6, 1))
        assert tariff is not None
        self.assertEqual(tariff.electricity_standard, Decimal("0.3300"))
        self.assertEqual(rental.tariffs.count(), 2)
        arnhem = Programme.objects.get(slug="huren-arnhem")
        self.assertEqual(arnhem.lead_organisation.country, "NL")
        self.assertEqual(arnhem.tariff_on(date(2026, 6, 1)).water, Decimal("1.6000"))  # type: ignore[union-attr]
        kinds = set(Programme.objects.values_list("kind", flat=True))
        self.assertEqual(kinds, {"appliance_rental", "job_bureau", "energy_sharing"})

    def test_partners_see_only_their_own_households(self) -> None:
        intake = acting_for(get_user_model().objects.get(username="intake"))
        assert intake is not None
        visible = scoped(Household, intake)
        self.assertGreater(visible.count(), 0)
        self.assertEqual(
            set(visible.values_list("organisation__slug", flat=True)), {"ocmw-oostende"}
        )
        coordinator = acting_for(get_user_model().objects.get(username="coordinator"))
        assert coordinator is not None
        lead_sees = scoped(Household, coordinator)
        self.assertEqual(
            lead_sees.count(),
            Household.objects.filter(
                enrolments__programme__lead_organisation__slug="sowv",
                enrolments__status__in=["enrolled", "ended"],
            )
            .distinct()
            .count(),
        )

    def test_negative_household_count_is_refused(self) -> None:
        with self.assertRaises(CommandError):
            run("--households", "-1")


@FAST_HASHER
class DemoDataOnExistingDataTest(WijkTestCase):
    """Loading the demo into a database that already holds data leaves that data alone."""

    def test_small_load_twice_keeps_the_existing_households(self) -> None:
        cast = {h.pk: (h.last_name, h.organisation_id) for h in Household.objects.all()}
        run("--households", "12")
        after_first = counts()
        self.assertEqual(Household.objects.count(), len(cast) + 12)
        run("--households", "12")
        self.assertEqual(counts(), after_first)
        for pk, (last_name, org_id) in cast.items():
            household = Household.objects.get(pk=pk)
            self.assertEqual((household.last_name, household.organisation_id), (last_name, org_id))
        self.assertEqual(self.jansens.enrolments.get().status, "enrolled")
