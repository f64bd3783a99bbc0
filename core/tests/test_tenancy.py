from core.models import Programme
from core.tenancy import scoped
from households.models import Household
from wijk.testing import WijkTestCase


class TenancyRulesTest(WijkTestCase):
    def test_registering_organisation_sees_its_households(self) -> None:
        visible = set(scoped(Household, self.acting("ines")))
        self.assertEqual(visible, {self.jansens, self.peeters})

    def test_lead_organisation_sees_only_enrolled_households(self) -> None:
        self.assertEqual(list(scoped(Household, self.acting("cora"))), [self.jansens])

    def test_partners_never_see_each_others_households(self) -> None:
        self.assertEqual(list(scoped(Household, self.acting("ilse"))), [self.dubois])

    def test_outsider_sees_no_household_and_no_programme(self) -> None:
        self.assertFalse(scoped(Household, self.acting("otto")).exists())
        self.assertFalse(scoped(Programme, self.acting("otto")).exists())

    def test_partner_sees_programme_once(self) -> None:
        # ocmw is partner twice (referrer and collector): one row, not two.
        self.assertEqual(list(scoped(Programme, self.acting("ines"))), [self.rental])
