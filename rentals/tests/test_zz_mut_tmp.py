from decimal import Decimal
from unittest import mock

from rentals import services
from rentals.proration import charge_split as real_split
from rentals.tests import test_billing as tb


def bad_split(**kw):
    t, s = real_split(**kw)
    return (t + Decimal("0.01") if t else t), s


class Mut1(tb.BillingPropertyTest):
    def setUp(self):
        p = mock.patch.object(services, "charge_split", bad_split)
        p.start()
        self.addCleanup(p.stop)


real_open = services.open_charges


def newest_first(household, collector=None):
    return real_open(household, collector).order_by("-month", "contract_id", "pk")


class Mut2(tb.BillingPropertyTest):
    def setUp(self):
        p = mock.patch.object(services, "open_charges", newest_first)
        p.start()
        self.addCleanup(p.stop)
