"""Service functions of core: organisations, programmes, partners, tariffs, API tokens."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.models import ApiToken, Membership, Organisation, Programme, ProgrammePartner, Tariff
from core.services import (
    organisation_create,
    organisation_update,
    programme_create,
    programme_partner_add,
    programme_update,
    tariff_create,
)
from core.tokens import api_token_authenticate, api_token_create
from wijk.testing import WijkTestCase

TARIFF = {
    "electricity_standard": Decimal("0.3500"),
    "electricity_social": Decimal("0.2000"),
    "water": Decimal("5.5000"),
    "co2": Decimal("0.1500"),
}


def org_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "OCMW Oostende",
        "slug": "ocmw-oostende",
        "kind": "welfare_office",
        "country": "BE",
        "postcode": "8400",
        "city": "Oostende",
        "iban": "BE48 3200 7018 4927",
        "enterprise_number": "0403.170.701",
    }
    fields.update(overrides)
    return fields


class OrganisationCreateTest(WijkTestCase):
    def test_valid_organisation_is_stored_with_compact_identifiers(self) -> None:
        org = organisation_create(fields=org_fields())
        org.refresh_from_db()
        self.assertEqual(org.iban, "BE48320070184927")
        self.assertEqual(org.enterprise_number, "0403170701")
        self.assertEqual(org.postcode, "8400")

    def test_dutch_organisation_with_kvk_and_postcode(self) -> None:
        org = organisation_create(
            fields=org_fields(
                slug="buurtbaan",
                country="NL",
                postcode="6811ab",
                iban="NL91ABNA0417164300",
                enterprise_number="12345678",
                time_zone="Europe/Amsterdam",
            )
        )
        self.assertEqual((org.postcode, org.enterprise_number), ("6811 AB", "12345678"))

    def assert_refused(self, field: str, **overrides: Any) -> None:
        before = Organisation.objects.count()
        with self.assertRaises(ValidationError) as caught:
            organisation_create(fields=org_fields(**overrides))
        self.assertIn(field, caught.exception.message_dict)
        self.assertEqual(Organisation.objects.count(), before)
        self.assertFalse(Organisation.objects.filter(slug=org_fields(**overrides)["slug"]).exists())

    def test_invalid_iban_is_refused(self) -> None:
        self.assert_refused("iban", iban="BE49 3200 7018 4927")

    def test_invalid_enterprise_number_is_refused(self) -> None:
        self.assert_refused("enterprise_number", enterprise_number="0403.170.702")

    def test_belgian_number_is_not_a_kvk_number(self) -> None:
        self.assert_refused("enterprise_number", country="NL", postcode="6811 AB")

    def test_invalid_postcode_is_refused(self) -> None:
        self.assert_refused("postcode", postcode="84000")

    def test_unknown_kind_is_refused(self) -> None:
        self.assert_refused("kind", kind="bank")

    def test_every_bad_field_is_reported_at_once(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            organisation_create(fields=org_fields(iban="nonsense", postcode="0999"))
        self.assertLessEqual({"iban", "postcode"}, set(caught.exception.message_dict))


class OrganisationUpdateTest(WijkTestCase):
    def test_org_admin_updates_own_organisation(self) -> None:
        org = organisation_update(
            acting=self.acting("ada"),
            organisation=self.ocmw,
            fields={"iban": "BE48 3200 7018 4927", "city": "Brugge"},
        )
        org.refresh_from_db()
        self.assertEqual((org.iban, org.city), ("BE48320070184927", "Brugge"))

    def test_org_admin_of_another_organisation_is_refused(self) -> None:
        with self.assertRaises(PermissionDenied):
            organisation_update(
                acting=self.acting("ada"), organisation=self.lead, fields={"city": "Roeselare"}
            )
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.city, "")

    def test_members_without_admin_role_are_refused(self) -> None:
        for username in ("ines", "vera"):
            with self.subTest(username=username), self.assertRaises(PermissionDenied):
                organisation_update(
                    acting=self.acting(username), organisation=self.ocmw, fields={"city": "X"}
                )
        self.assertEqual(Organisation.objects.get(pk=self.ocmw.pk).city, "")

    def test_invalid_iban_stores_nothing(self) -> None:
        ocmw = Organisation.objects.get(pk=self.ocmw.pk)
        with self.assertRaises(ValidationError) as caught:
            organisation_update(
                acting=self.acting("ada"),
                organisation=ocmw,
                fields={"city": "Brugge", "iban": "BE00 0000 0000 0000"},
            )
        self.assertIn("iban", caught.exception.message_dict)
        stored = Organisation.objects.get(pk=self.ocmw.pk)
        self.assertEqual((stored.city, stored.iban), ("", ""))

    def test_fields_outside_the_editable_list_are_refused(self) -> None:
        for name, value in (("slug", "other"), ("country", "NL"), ("kind", "supplier")):
            with self.subTest(name=name), self.assertRaises(ValidationError) as caught:
                organisation_update(
                    acting=self.acting("ada"),
                    organisation=Organisation.objects.get(pk=self.ocmw.pk),
                    fields={name: value},
                )
            self.assertIn(name, caught.exception.message_dict)
        stored = Organisation.objects.get(pk=self.ocmw.pk)
        self.assertEqual((stored.slug, stored.country), ("ocmw-brugge", "BE"))


class ProgrammeTest(WijkTestCase):
    def test_coordinator_creates_programme_led_by_own_organisation(self) -> None:
        programme = programme_create(
            acting=self.acting("otto"),
            name="Buurtbaanbureau",
            slug="buurtbaan-arnhem",
            kind="job_bureau",
            eligibility_rules={"any_of": ["welfare_client"]},
        )
        self.assertEqual(programme.lead_organisation, self.arnhem)
        self.assertEqual(programme.eligibility_rules, {"any_of": ["welfare_client"]})

    def test_unknown_rule_name_is_refused_on_create(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            programme_create(
                acting=self.acting("otto"),
                name="Huren",
                slug="huren-arnhem",
                kind="appliance_rental",
                eligibility_rules={"any_of": ["social_tariff", "lives_on_the_moon"]},
            )
        self.assertIn("eligibility_rules", caught.exception.message_dict)
        self.assertIn("lives_on_the_moon", caught.exception.message_dict["eligibility_rules"][0])
        self.assertFalse(Programme.objects.filter(slug="huren-arnhem").exists())

    def test_rule_without_its_values_is_refused_on_create(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            programme_create(
                acting=self.acting("otto"),
                name="Huren",
                slug="huren-arnhem",
                kind="appliance_rental",
                eligibility_rules={"any_of": ["income_below"]},
            )
        self.assertIn("eligibility_rules", caught.exception.message_dict)

    def test_intake_worker_cannot_create_programmes(self) -> None:
        with self.assertRaises(PermissionDenied):
            programme_create(acting=self.acting("ines"), name="X", slug="x-ocmw", kind="job_bureau")
        self.assertFalse(Programme.objects.filter(slug="x-ocmw").exists())

    def test_unknown_kind_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            programme_create(acting=self.acting("otto"), name="X", slug="x", kind="bakery")
        self.assertIn("kind", caught.exception.message_dict)

    def test_unknown_rule_name_is_refused_on_update_and_nothing_stored(self) -> None:
        programme = Programme.objects.get(pk=self.rental.pk)
        with self.assertRaises(ValidationError) as caught:
            programme_update(
                acting=self.acting("cora"),
                programme=programme,
                fields={"name": "Nieuw", "eligibility_rules": {"all_of": ["rich"]}},
            )
        self.assertIn("eligibility_rules", caught.exception.message_dict)
        stored = Programme.objects.get(pk=self.rental.pk)
        self.assertEqual(stored.name, "Huishoudtoestellen huren")
        self.assertEqual(stored.eligibility_rules["any_of"][0], "social_tariff")

    def test_lead_updates_programme(self) -> None:
        programme_update(
            acting=self.acting("cora"),
            programme=Programme.objects.get(pk=self.rental.pk),
            fields={"active": False, "eligibility_rules": {"any_of": ["welfare_client"]}},
        )
        stored = Programme.objects.get(pk=self.rental.pk)
        self.assertFalse(stored.active)
        self.assertEqual(stored.eligibility_rules, {"any_of": ["welfare_client"]})

    def test_only_the_lead_updates_a_programme(self) -> None:
        # ada holds programme.manage, but at a partner; otto at an outsider.
        for username in ("ada", "otto", "ines"):
            with self.subTest(username=username), self.assertRaises(PermissionDenied):
                programme_update(
                    acting=self.acting(username),
                    programme=Programme.objects.get(pk=self.rental.pk),
                    fields={"name": "Overgenomen"},
                )
        self.assertEqual(Programme.objects.get(pk=self.rental.pk).name, "Huishoudtoestellen huren")


class ProgrammePartnerAddTest(WijkTestCase):
    def test_lead_adds_a_partner(self) -> None:
        partner = programme_partner_add(
            acting=self.acting("cora"),
            programme=self.rental,
            organisation=self.arnhem,
            role="referrer",
        )
        self.assertEqual((partner.programme, partner.organisation), (self.rental, self.arnhem))

    def test_existing_partner_in_another_role_is_allowed(self) -> None:
        programme_partner_add(
            acting=self.acting("cora"),
            programme=self.rental,
            organisation=self.kortrijk,
            role="collector",
        )
        roles = set(
            ProgrammePartner.objects.filter(
                programme=self.rental, organisation=self.kortrijk
            ).values_list("role", flat=True)
        )
        self.assertEqual(roles, {"referrer", "collector"})

    def test_only_the_lead_adds_partners(self) -> None:
        for username in ("ada", "otto", "ines"):
            with self.subTest(username=username), self.assertRaises(PermissionDenied):
                programme_partner_add(
                    acting=self.acting(username),
                    programme=self.rental,
                    organisation=self.arnhem,
                    role="referrer",
                )
        self.assertFalse(ProgrammePartner.objects.filter(organisation=self.arnhem).exists())

    def test_lead_cannot_be_its_own_partner(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            programme_partner_add(
                acting=self.acting("cora"),
                programme=self.rental,
                organisation=self.lead,
                role="referrer",
            )
        self.assertIn("organisation", caught.exception.message_dict)
        self.assertFalse(ProgrammePartner.objects.filter(organisation=self.lead).exists())

    def test_duplicate_partner_role_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            programme_partner_add(
                acting=self.acting("cora"),
                programme=self.rental,
                organisation=self.ocmw,
                role="referrer",
            )
        self.assertIn("organisation", caught.exception.message_dict)
        self.assertEqual(
            ProgrammePartner.objects.filter(organisation=self.ocmw, role="referrer").count(), 1
        )

    def test_unknown_partner_role_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            programme_partner_add(
                acting=self.acting("cora"),
                programme=self.rental,
                organisation=self.arnhem,
                role="sponsor",
            )
        self.assertIn("role", caught.exception.message_dict)


class TariffTest(WijkTestCase):
    def test_lead_adds_a_dated_tariff(self) -> None:
        tariff = tariff_create(
            acting=self.acting("cora"), programme=self.rental, valid_from=date(2026, 7, 1), **TARIFF
        )
        tariff.refresh_from_db()
        self.assertEqual(tariff.electricity_social, Decimal("0.2000"))

    def test_only_the_lead_adds_tariffs(self) -> None:
        for username in ("ada", "otto", "ines"):
            with self.subTest(username=username), self.assertRaises(PermissionDenied):
                tariff_create(
                    acting=self.acting(username),
                    programme=self.rental,
                    valid_from=date(2026, 7, 1),
                    **TARIFF,
                )
        self.assertEqual(self.rental.tariffs.count(), 1)

    def test_second_tariff_on_the_same_start_date_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            tariff_create(
                acting=self.acting("cora"),
                programme=self.rental,
                valid_from=date(2026, 1, 1),
                **TARIFF,
            )
        self.assertEqual(self.rental.tariffs.count(), 1)
        self.assertTrue(caught.exception.message_dict)

    # BUG: tariff_create calls full_clean(validate_unique=False), which still validates the
    # model's constraints (Django 5), so the two-field UniqueConstraint refuses the duplicate
    # first with a generic "__all__" error that names the model fields untranslated; the
    # service's own message on "valid_from" is never reached. Fix in core/services.py: check
    # for the existing tariff before full_clean, or call full_clean(validate_unique=False,
    # validate_constraints=False) (the IntegrityError fallback still guards races).
    def test_duplicate_start_date_is_reported_on_the_date_field(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            tariff_create(
                acting=self.acting("cora"),
                programme=self.rental,
                valid_from=date(2026, 1, 1),
                **TARIFF,
            )
        self.assertEqual(list(caught.exception.message_dict), ["valid_from"])

    def test_negative_amounts_are_refused(self) -> None:
        for name in TARIFF:
            values = {**TARIFF, name: Decimal("-0.0100")}
            with self.subTest(name=name), self.assertRaises(ValidationError) as caught:
                tariff_create(
                    acting=self.acting("cora"),
                    programme=self.rental,
                    valid_from=date(2026, 7, 1),
                    **values,
                )
            self.assertIn(name, caught.exception.message_dict)
        self.assertEqual(self.rental.tariffs.count(), 1)

    def test_tariff_on_picks_the_latest_tariff_started_on_or_before_the_day(self) -> None:
        acting = self.acting("cora")
        july = tariff_create(
            acting=acting, programme=self.rental, valid_from=date(2026, 7, 1), **TARIFF
        )
        next_year = tariff_create(
            acting=acting, programme=self.rental, valid_from=date(2027, 1, 1), **TARIFF
        )
        january = Tariff.objects.get(programme=self.rental, valid_from=date(2026, 1, 1))
        self.assertIsNone(self.rental.tariff_on(date(2025, 12, 31)))
        self.assertEqual(self.rental.tariff_on(date(2026, 1, 1)), january)
        self.assertEqual(self.rental.tariff_on(date(2026, 6, 30)), january)
        self.assertEqual(self.rental.tariff_on(date(2026, 7, 1)), july)
        self.assertEqual(self.rental.tariff_on(date(2026, 12, 31)), july)
        self.assertEqual(self.rental.tariff_on(date(2031, 5, 5)), next_year)

    def test_tariff_on_ignores_other_programmes(self) -> None:
        other = Programme.objects.create(
            name="Ander", slug="ander", kind="job_bureau", lead_organisation=self.arnhem
        )
        Tariff.objects.create(programme=other, valid_from=date(2026, 6, 1), **TARIFF)
        tariff = self.rental.tariff_on(date(2026, 6, 2))
        assert tariff is not None
        self.assertEqual(tariff.valid_from, date(2026, 1, 1))
        self.assertIsNone(other.tariff_on(date(2026, 5, 31)))


class ApiTokenTest(WijkTestCase):
    ines: User  # cast members, set by build_cast
    ada: User

    def test_token_is_stored_only_as_its_hash(self) -> None:
        key = api_token_create(user=self.ines)
        token = ApiToken.objects.get(user=self.ines)
        self.assertEqual(token.key_hash, ApiToken.hash(key))
        self.assertNotEqual(token.key_hash, key)
        stored = [str(v) for v in ApiToken.objects.values_list(flat=False).get(pk=token.pk)]
        self.assertFalse(any(key in value for value in stored))

    def test_token_authenticates_as_user_and_organisation(self) -> None:
        key = api_token_create(user=self.ines)
        acting = api_token_authenticate(key)
        assert acting is not None
        self.assertEqual((acting.user, acting.organisation), (self.ines, self.ocmw))
        self.assertTrue(acting.can("household.change"))
        self.assertIsNotNone(ApiToken.objects.get(user=self.ines).last_used_at)

    def test_each_token_is_new(self) -> None:
        self.assertNotEqual(api_token_create(user=self.ines), api_token_create(user=self.ines))

    def test_wrong_token_gives_nothing(self) -> None:
        key = api_token_create(user=self.ines)
        for wrong in (key + "x", key[:-1], "", "wijk_", ApiToken.hash(key)):
            with self.subTest(wrong=wrong):
                self.assertIsNone(api_token_authenticate(wrong))

    def test_token_for_organisation_the_user_is_not_in_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            api_token_create(user=self.ines, organisation=self.lead)
        self.assertIn("organisation", caught.exception.message_dict)
        self.assertFalse(ApiToken.objects.exists())

    def test_token_of_a_user_in_two_organisations_keeps_its_organisation(self) -> None:
        Membership.objects.create(user=self.ines, organisation=self.kortrijk, role="intake_worker")
        key = api_token_create(user=self.ines, organisation=self.ocmw)
        acting = api_token_authenticate(key)
        assert acting is not None
        self.assertEqual(acting.organisation, self.ocmw)

    def test_removed_membership_makes_the_token_useless(self) -> None:
        key = api_token_create(user=self.ines)
        Membership.objects.filter(user=self.ines).delete()
        self.assertIsNone(api_token_authenticate(key))

    def test_removed_membership_with_another_organisation_left_gives_nothing(self) -> None:
        # The user still belongs to kortrijk: the token must not silently switch to it.
        Membership.objects.create(user=self.ines, organisation=self.kortrijk, role="intake_worker")
        key = api_token_create(user=self.ines, organisation=self.ocmw)
        Membership.objects.filter(user=self.ines, organisation=self.ocmw).delete()
        self.assertIsNone(api_token_authenticate(key))

    def test_inactive_user_gives_nothing(self) -> None:
        key = api_token_create(user=self.ines)
        self.ines.is_active = False
        self.ines.save()
        self.assertIsNone(api_token_authenticate(key))

    def test_hash_is_unique_in_the_database(self) -> None:
        key = api_token_create(user=self.ines)
        with self.assertRaises(IntegrityError), transaction.atomic():
            ApiToken.objects.create(
                user=self.ada, organisation=self.ocmw, key_hash=ApiToken.hash(key)
            )
