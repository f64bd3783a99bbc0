"""The programme's savings read its tariffs once, not once per contract, and equal the sum of
its contracts' savings computed one by one."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Tariff
from rentals.models import Contract
from rentals.selectors import impact
from rentals.tests.cast import RentalTestCase
from rentals.tests.test_dashboard import enrolled_household

UNTIL = date(2026, 11, 30)


class ProgrammeSavingsTest(RentalTestCase):
    def tariff_queries(self) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as ctx:
            yearly = impact.programme_yearly(self.rental, UNTIL)
        table = Tariff._meta.db_table
        return sum(f'FROM "{table}"' in q["sql"] for q in ctx.captured_queries), yearly

    def test_tariffs_once_and_the_same_figures_as_contract_by_contract(self) -> None:
        Tariff.objects.create(
            programme=self.rental,
            valid_from=date(2026, 7, 1),
            electricity_standard=Decimal("0.3500"),
            electricity_social=Decimal("0.1500"),
            water=Decimal("5.5000"),
            co2=Decimal("0.1600"),
        )
        self.active_contract(installed_on=date(2026, 3, 10))
        self.active_contract(category="fridge", installed_on=date(2026, 4, 1))
        queries_for_two, _yearly = self.tariff_queries()
        self.active_contract(
            household=enrolled_household(self, "Claes"), installed_on=date(2026, 5, 20)
        )
        queries_for_three, yearly = self.tariff_queries()
        self.assertEqual((queries_for_two, queries_for_three), (1, 1))

        one_by_one: dict[int, impact.PeriodSavings] = {}
        for contract in Contract.objects.filter(programme=self.rental):
            for year, value in impact.contract_yearly(contract, UNTIL).items():
                one_by_one[year] = one_by_one.get(year, impact.PeriodSavings()) + value
        self.assertEqual(yearly, one_by_one)
        self.assertGreater(yearly[2026].kwh, 0)
