"""Wijk-werken cheques one by one: bought with a date and an end, spent oldest first on
approved hours, never expired and never twice; the balance on the pages and the invoice."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.tokens import api_token_create
from jobs import rules as pure
from jobs import services
from jobs.models import Cheque, ChequeHolder, ChequeUse, Hours, JobRequest
from jobs.programme import erase, export_data
from jobs.selectors.cheques import holder_balance, holder_balances
from jobs.selectors.money import invoice
from jobs.tests.cast import DAY, JobsTestCase, ask, at
from wijk.testing import clock_at


class ValidityTest(JobsTestCase):
    def test_a_cheque_is_valid_twelve_months_from_the_day_bought(self) -> None:
        self.assertEqual(pure.cheque_valid_until(date(2025, 3, 2), 12), date(2026, 3, 1))
        self.assertEqual(pure.cheque_valid_until(date(2024, 2, 29), 12), date(2025, 2, 27))
        self.assertEqual(pure.cheque_valid_until(date(2025, 1, 31), 1), date(2025, 2, 27))
        self.assertIsNone(pure.cheque_valid_until(date(2025, 1, 31), None))

    def test_the_ones_ending_soonest_are_spent_first(self) -> None:
        available = [(date(2026, 5, 1), 7), (None, 1), (date(2026, 4, 1), 9), (date(2026, 4, 1), 3)]
        self.assertEqual(pure.spend_plan(3, available), [3, 9, 7])
        self.assertEqual(pure.spend_plan(9, available), [3, 9, 7, 1])
        self.assertEqual(pure.spend_plan(0, available), [])


@clock_at(DAY)
class ChequeTest(JobsTestCase):
    client_language = "en"  # the tests read the English wording

    def setUp(self) -> None:
        super().setUp()
        cora = self.acting("cora")
        self.holder = services.cheque_holder_create(
            acting=cora, programme=self.bureau, kind="resident", name="Marleen Peeters"
        )
        # Bought 2 March 2025: valid until 1 March 2026, expired on DAY (2 March 2026).
        self.old = services.cheques_buy(
            acting=cora, holder=self.holder, quantity=2, bought_on=date(2025, 3, 2)
        )
        # Bought 1 April 2025: valid until 31 March 2026, ending soon.
        self.soon = services.cheques_buy(
            acting=cora, holder=self.holder, quantity=3, bought_on=date(2025, 4, 1)
        )
        self.new = services.cheques_buy(acting=cora, holder=self.holder, quantity=5)

    def done_garden_job(self, minutes: int) -> tuple[JobRequest, Hours]:
        job = ask(self, self.garden, window_start=at(DAY, 8).time(), window_end=at(DAY, 15).time())
        services.request_cheque_holder_set(
            acting=self.acting("cora"), request=job, holder=self.holder
        )
        services.plan_run(
            acting=self.acting("jo"), programme=self.bureau, day=DAY, time_limit_s=0.3
        )
        assignment = job.assignments.get()
        with clock_at(DAY + timedelta(days=1)):
            hours = services.hours_register(
                acting=self.acting("jo"),
                assignment=assignment,
                starts_at=at(DAY, 9),
                ends_at=at(DAY, 9) + timedelta(minutes=minutes),
            )
            services.hours_approve(acting=self.acting("cora"), hours=hours)
        return job, hours

    def test_the_balances_of_many_cheque_users_take_two_queries(self) -> None:
        cora = self.acting("cora")
        others = [
            services.cheque_holder_create(
                acting=cora, programme=self.bureau, kind="resident", name=f"Gebruiker {n}"
            )
            for n in range(3)
        ]
        services.cheques_buy(acting=cora, holder=others[0], quantity=4)
        with self.assertNumQueries(2):
            balances = holder_balances([self.holder, *others], DAY)
        self.assertEqual(balances[self.holder.pk], holder_balance(self.holder, DAY))
        self.assertEqual((balances[others[0].pk].bought, balances[others[0].pk].valid), (4, 4))
        self.assertEqual(balances[others[1].pk].bought, 0)

    def test_the_purchase_dates_and_the_balance(self) -> None:
        self.assertEqual(self.old.valid_until, date(2026, 3, 1))
        self.assertEqual(self.new.valid_until, date(2027, 3, 1))
        self.assertEqual(self.new.price_each, Decimal("7.45"))
        balance = holder_balance(self.holder, DAY)
        self.assertEqual((balance.bought, balance.valid, balance.expired), (10, 8, 2))
        self.assertEqual(
            [(e.valid_until, e.count) for e in balance.expiring], [(date(2026, 3, 31), 3)]
        )
        self.client.force_login(self.cora)
        page = self.client.get(reverse("jobs:cheque_holder", args=[self.holder.pk]))
        self.assertContains(page, "8 valid cheques")
        self.assertContains(page, "2 cheques expired unspent")
        page = self.client.get(reverse("jobs:cheques", args=[self.bureau.pk]))
        self.assertContains(page, "Marleen Peeters")

    def test_approved_hours_spend_the_oldest_valid_cheques_never_an_expired_one(self) -> None:
        job, hours = self.done_garden_job(minutes=90)  # two started hours: two cheques
        spent = list(ChequeUse.objects.values_list("cheque__purchase", flat=True))
        self.assertEqual(spent, [self.soon.pk, self.soon.pk])
        self.assertEqual(holder_balance(self.holder, DAY).valid, 6)
        bill = invoice(job)
        self.assertEqual((bill.cheques, bill.cheques_paid, bill.cheques_short), (2, 2, 0))
        self.client.force_login(self.cora)
        pdf_page = self.client.get(reverse("jobs:request", args=[job.pk]))
        self.assertContains(pdf_page, "spent on the approved hours: 2")

    def test_too_few_valid_cheques_are_flagged_short(self) -> None:
        Cheque.objects.filter(purchase__in=(self.soon, self.new)).delete()
        job, _hours = self.done_garden_job(minutes=120)
        bill = invoice(job)
        self.assertEqual((bill.cheques_paid, bill.cheques_short), (0, 2))  # only expired left
        self.client.force_login(self.cora)
        self.assertContains(
            self.client.get(reverse("jobs:request", args=[job.pk])), "2 cheques short"
        )

    def test_nothing_is_spent_twice(self) -> None:
        _job, hours = self.done_garden_job(minutes=60)
        used = ChequeUse.objects.get()
        with self.assertRaises(IntegrityError), transaction.atomic():
            ChequeUse.objects.create(cheque=used.cheque, hours=hours)

    def test_who_may_sell_cheques_and_bad_input(self) -> None:
        for who in ("wout", "otto"):
            with self.subTest(who=who), self.assertRaises(PermissionDenied):
                services.cheques_buy(acting=self.acting(who), holder=self.holder, quantity=1)
        services.cheques_buy(acting=self.acting("jo"), holder=self.holder, quantity=1)  # coach
        for quantity, day in ((0, None), (501, None), (1, DAY + timedelta(days=1))):
            with self.subTest(quantity=quantity, day=day), self.assertRaises(ValidationError):
                services.cheques_buy(
                    acting=self.acting("cora"), holder=self.holder, quantity=quantity, bought_on=day
                )
        services.rules_update(
            acting=self.acting("cora"), programme=self.bureau, values={"pricing": "fixed"}
        )
        with self.assertRaises(ValidationError) as caught:
            services.cheques_buy(acting=self.acting("cora"), holder=self.holder, quantity=1)
        self.assertIn("fixed price", " ".join(caught.exception.messages))

    def test_api_shows_the_same_balance(self) -> None:
        token = api_token_create(user=self.cora)
        headers = {"authorization": f"Bearer {token}"}
        answer = self.client.get(f"/api/v1/jobs/cheque-users/{self.holder.pk}", headers=headers)
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.json()["balance"]["valid"], 8)
        bought = self.client.post(
            f"/api/v1/jobs/cheque-users/{self.holder.pk}/purchases",
            {"quantity": 4},
            content_type="application/json",
            headers=headers,
        )
        self.assertEqual(bought.status_code, 201)
        self.assertEqual(bought.json()["valid_until"], "2027-03-01")
        stranger = api_token_create(user=self.otto)
        refused = self.client.get(
            f"/api/v1/jobs/cheque-users/{self.holder.pk}",
            headers={"authorization": f"Bearer {stranger}"},
        )
        self.assertEqual(refused.status_code, 404)

    def test_export_and_erasure_of_a_households_cheques(self) -> None:
        holder = services.cheque_holder_create(
            acting=self.acting("cora"),
            programme=self.bureau,
            kind="resident",
            name="An Jansens",
            household=None,
        )
        holder.household = self.jansens
        holder.save()
        services.cheques_buy(acting=self.acting("cora"), holder=holder, quantity=2)
        data = export_data(self.acting("cora"), self.jansens)
        self.assertEqual([u["name"] for u in data["cheque_users"]], ["An Jansens"])
        self.assertEqual(data["cheque_users"][0]["purchases"][0]["quantity"], 2)
        erase(self.acting("cora"), self.jansens)
        holder.refresh_from_db()
        self.assertEqual((holder.name, holder.anonymised), ("", True))
        self.assertEqual(ChequeHolder.objects.get(pk=holder.pk).purchases.count(), 1)
