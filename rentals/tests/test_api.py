"""The rental API: the whole flow through /api/v1/rentals, bad input, and other organisations."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import Organisation
from core.tests.test_api import ApiTestCase
from rentals import services
from rentals.models import (
    ApplianceModel,
    Application,
    BankImport,
    Charge,
    Contract,
    Offer,
    Payment,
    Ticket,
    Unit,
    UnitEvent,
    Visit,
)
from rentals.tests.cast import RentalTestCase
from wijk.testing import clock_at

R = "/api/v1/rentals"


class RentalApiTestCase(RentalTestCase, ApiTestCase):
    def programme_url(self, rest: str = "") -> str:
        return f"{R}/programmes/{self.rental.pk}{rest}"

    def put(self, path: str, as_user: str | None = None, **kw: Any) -> Any:
        return self.call("put", path, as_user, **kw)

    def ok(self, response: Any, status: int = 200) -> Any:
        self.assertEqual(response.status_code, status, response.content[:800])
        return response.json()


A_DAY = date(2027, 3, 10)  # a Wednesday in the middle of a month


@clock_at(A_DAY)  # a fixed day: the dates below count from it
class RentalApiFlowTest(RentalApiTestCase):
    def test_full_flow(self) -> None:
        # Scheme and offer by the lead coordinator.
        body = self.ok(
            self.put(
                self.programme_url("/scheme"),
                "cora",
                data={"collector": "ocmw-brugge", "supplier": "desmet", "max_appliances": 2},
            )
        )
        self.assertEqual(
            (body["collector"], body["supplier"], body["max_appliances"]),
            ("ocmw-brugge", "desmet", 2),
        )
        self.assertEqual(
            self.ok(self.get(self.programme_url("/scheme"), "ines"))["collector"], "ocmw-brugge"
        )
        body = self.ok(
            self.put(
                self.programme_url("/offers"),
                "cora",
                data={"category": "dryer", "tenant_fee": "8.50", "subsidy": "2.00"},
            )
        )
        self.assertEqual(
            body, {"category": "dryer", "tenant_fee": "8.50", "subsidy": "2.00", "term_months": 120}
        )
        offers = self.ok(self.get(self.programme_url("/offers"), "ines"))
        self.assertIn("dryer", [o["category"] for o in offers])

        # Catalogue and a unit in stock.
        model = self.ok(
            self.post(
                self.programme_url("/appliance-models"),
                "cora",
                data={
                    "category": "dryer",
                    "brand": "Miele",
                    "model_name": "TWB 120",
                    "energy_class": "A+++",
                    "label_scale": "old",
                    "kwh_per_100_cycles": "19.4",
                    "cycles_per_year": 160,
                },
            ),
            201,
        )
        self.assertEqual(model["yearly_kwh"], "31.0")
        unit = self.ok(
            self.post(
                self.programme_url("/units"),
                "cora",
                data={"appliance_model": model["id"], "serial": "D-001", "status": "in_stock"},
            ),
            201,
        )
        listed = self.ok(self.get(self.programme_url("/units?category=dryer"), "cora"))
        self.assertEqual([u["serial"] for u in listed["results"]], ["D-001"])
        in_stock = self.ok(self.get(self.programme_url("/units?status=in_stock"), "tom"))
        self.assertEqual(in_stock["count"], 5)
        detail = self.ok(self.get(f"{R}/units/{unit['id']}", "tom"))
        self.assertEqual([e["to_status"] for e in detail["events"]], ["in_stock"])
        self.assertEqual(detail["events"][0]["by"], "cora")

        # Intake: the application waits on the list; the contract reserves the unit.
        application = self.ok(
            self.post(
                self.programme_url("/applications"),
                "ines",
                data={
                    "household": self.jansens.pk,
                    "category": "dryer",
                    "old_age_band": ">15",
                    "old_label": "c",
                    "old_label_scale": "old",
                },
            ),
            201,
        )
        self.assertEqual((application["status"], application["old_label"]), ("waiting", "C"))
        waiting = self.ok(self.get(self.programme_url("/applications"), "cora"))
        self.assertEqual([a["id"] for a in waiting["results"]], [application["id"]])
        contract = self.ok(
            self.post(f"{R}/applications/{application['id']}/contract", "ines", raw=""), 201
        )
        self.assertEqual((contract["status"], contract["unit_serial"]), ("draft", "D-001"))
        self.assertEqual(Unit.objects.get(pk=unit["id"]).status, "reserved")
        url = f"{R}/contracts/{contract['id']}"
        contract = self.ok(
            self.post(
                f"{url}/sign",
                "ines",
                data={"payment_method": "transfer", "installation_on": "2026-03-10"},
            )
        )
        self.assertEqual(contract["status"], "signed")
        self.assertEqual(contract["tenant_fee"], "8.50")
        self.assertTrue(contract["payment_reference"].startswith("+++"))
        [visit] = contract["visits"]
        self.assertEqual(visit["kind"], "installation")

        # The technician sees only the visits assigned to them, and completes the installation.
        self.assertEqual(self.ok(self.get(f"{R}/visits", "tom"))["count"], 0)
        self.ok(self.post(f"{R}/visits/{visit['id']}/assign", "cora", data={"technician": "tom"}))
        mine = self.ok(self.get(f"{R}/visits?on=2026-03-10", "tom"))
        self.assertEqual([v["id"] for v in mine["results"]], [visit["id"]])
        self.assertEqual(mine["results"][0]["address"], "Kerkstraat 12, 8000 Brugge")
        done = self.ok(
            self.post(
                f"{R}/visits/{visit['id']}/complete",
                "tom",
                data={"done_on": "2026-03-10", "disposal": "recycled", "report": "ok"},
            )
        )
        self.assertEqual(done["status"], "done")
        contract = self.ok(self.get(url, "cora"))
        self.assertEqual((contract["status"], contract["start_date"]), ("active", "2026-03-10"))

        # Billing twice: the second run adds nothing.
        run = self.programme_url("/billing-runs")
        self.assertEqual(
            self.ok(self.post(run, "cora", data={"month": "2026-03"})),
            {"month": "2026-03", "created": 1, "contracts": 1},
        )
        self.assertEqual(self.ok(self.post(run, "cora", data={"month": "2026-03"}))["created"], 0)
        self.assertEqual(self.ok(self.post(run, "cora", data={"month": "2026-04"}))["created"], 1)
        charges = self.ok(self.get(f"{url}/charges", "ines"))
        # 22 of 31 days of March: 8.50 × 22 / 31 = 6.03 and 2.00 × 22 / 31 = 1.42.
        self.assertEqual(
            [(c["month"], c["tenant_amount"], c["subsidy_amount"]) for c in charges],
            [("2026-03", "6.03", "1.42"), ("2026-04", "8.50", "2.00")],
        )

        # A payment settles the oldest charge first.
        payment = self.ok(
            self.post(
                f"{R}/households/{self.jansens.pk}/payments",
                "ines",
                data={"amount": "10", "received_on": "2026-04-02", "method": "cash"},
            ),
            201,
        )
        self.assertEqual((payment["amount"], payment["collector"]), ("10.00", "ocmw-brugge"))
        charges = self.ok(self.get(f"{url}/charges", "ines"))
        self.assertEqual([c["settled"] for c in charges], ["6.03", "3.97"])
        balance = self.ok(self.get(f"{R}/households/{self.jansens.pk}/balance", "ines"))
        self.assertEqual(
            {k: balance[k] for k in ("charged", "paid", "credit", "due")},
            {"charged": "14.53", "paid": "10.00", "credit": "0.00", "due": "4.53"},
        )
        payments = self.ok(self.get(f"{R}/households/{self.jansens.pk}/payments", "ines"))
        self.assertEqual([p["id"] for p in payments], [payment["id"]])
        # The lead does not collect for this household: its payments are the collector's.
        self.assertEqual(
            self.get(f"{R}/households/{self.jansens.pk}/payments", "cora").status_code, 403
        )

        # A breakdown.
        ticket = self.ok(
            self.post(
                f"{url}/tickets",
                "ines",
                data={"channel": "phone", "description": "The drum does not turn."},
            ),
            201,
        )
        self.assertEqual(ticket["status"], "open")
        self.assertEqual(
            self.ok(self.get(f"{R}/tickets/{ticket['id']}", "cora"))["id"], ticket["id"]
        )
        self.assertEqual(Unit.objects.get(pk=unit["id"]).status, "in_repair")
        repair = self.ok(
            self.post(
                f"{url}/visits",
                "cora",
                data={"kind": "repair", "planned_on": "2026-04-20", "ticket": ticket["id"]},
            ),
            201,
        )
        self.assertEqual(Ticket.objects.get(pk=ticket["id"]).status, "planned")
        self.ok(self.post(f"{R}/visits/{repair['id']}/assign", "cora", data={"technician": "tom"}))
        self.ok(self.post(f"{R}/visits/{repair['id']}/complete", "tom", data={}))
        self.assertEqual(
            self.ok(self.get(f"{R}/tickets/{ticket['id']}", "ines"))["resolution"], "repaired"
        )

        # Savings since installation, per year.
        savings = self.ok(self.get(f"{R}/households/{self.jansens.pk}/savings", "ines"))
        # From the installation year up to this year (a test on 1 January 2027 sees two).
        years = list(range(2026, timezone.localdate().year + 1))
        self.assertEqual([y["year"] for y in savings["years"]], years)
        self.assertGreater(float(savings["total"]["kwh"]), 0)
        self.assertEqual(
            sum(Decimal(y["eur"]) for y in savings["years"]), Decimal(savings["total"]["eur"])
        )

    def test_priority_and_end(self) -> None:
        contract = self.active_contract()
        self.peeters.enrolments.create(programme=self.rental, status="enrolled")
        first = self.ok(
            self.post(
                self.programme_url("/applications"),
                "ines",
                data={"household": self.jansens.pk, "category": "fridge"},
            ),
            201,
        )
        second = self.ok(
            self.post(
                self.programme_url("/applications"),
                "ines",
                data={"household": self.peeters.pk, "category": "fridge"},
            ),
            201,
        )
        self.assertError(
            self.post(f"{R}/applications/{second['id']}/priority", "ines", data={"reason": "baby"}),
            403,
        )
        self.assertError(
            self.post(f"{R}/applications/{second['id']}/priority", "cora", data={"reason": "  "}),
            422,
            "reason",
        )
        body = self.ok(
            self.post(
                f"{R}/applications/{second['id']}/priority",
                "cora",
                data={"reason": "Fridge broken, baby at home"},
            )
        )
        self.assertTrue(body["priority"])
        waiting = self.ok(self.get(self.programme_url("/applications?category=fridge"), "cora"))
        self.assertEqual([a["id"] for a in waiting["results"]], [second["id"], first["id"]])

        ended = self.ok(
            self.post(
                f"{R}/contracts/{contract.pk}/end",
                "ines",
                data={"reason": "moved", "on": "2026-05-31"},
            )
        )
        self.assertEqual((ended["status"], ended["end_date"]), ("ended", "2026-05-31"))
        self.assertEqual([v["kind"] for v in ended["visits"]], ["installation", "return"])
        self.assertError(
            self.post(
                f"{R}/contracts/{contract.pk}/end",
                "ines",
                data={"reason": "moved", "on": "2026-06-30"},
            ),
            422,
        )

    def test_visit_list_for_coordinators_by_programme(self) -> None:
        self.active_contract()
        body = self.ok(self.get(f"{R}/visits?programme={self.rental.pk}", "cora"))
        self.assertEqual([v["kind"] for v in body["results"]], ["installation"])
        self.assertEqual(self.ok(self.get(f"{R}/visits?programme=999999", "cora"))["count"], 0)
        self.assertEqual(self.ok(self.get(f"{R}/visits", "otto"))["count"], 0)
        self.assertError(self.get(f"{R}/visits", "jo"), 403)

    def test_contract_pdf(self) -> None:
        contract = self.active_contract()
        response = self.get(f"{R}/contracts/{contract.pk}/pdf", "ines")
        self.assertEqual(response.status_code, 200, response.content[:500])
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        response = self.get(f"{R}/households/{self.jansens.pk}/savings/2026/pdf", "ines")
        self.assertEqual(response.status_code, 200, response.content[:500])
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertError(
            self.get(f"{R}/households/{self.jansens.pk}/savings/1800/pdf", "ines"), 422, "year"
        )


class RentalApiBadInputTest(RentalApiTestCase):
    def test_duplicate_serial(self) -> None:
        before = Unit.objects.count()
        body = self.assertError(
            self.post(
                self.programme_url("/units"),
                "cora",
                data={"appliance_model": self.washer.pk, "serial": "w-001"},
            ),
            422,
            "serial",
        )
        self.assertIn("w-001", body["message"])
        self.assertEqual(Unit.objects.count(), before)

    def test_unit_of_a_model_that_is_not_in_the_catalogue(self) -> None:
        self.assertError(
            self.post(
                self.programme_url("/units"),
                "cora",
                data={"appliance_model": 999999, "serial": "X-1"},
            ),
            422,
            "appliance_model",
        )
        self.assertError(
            self.post(
                self.programme_url("/units"),
                "cora",
                data={"appliance_model": self.washer.pk, "serial": "X-1", "status": "installed"},
            ),
            422,
            "status",
        )
        self.assertFalse(Unit.objects.filter(serial="X-1").exists())

    def test_illegal_transitions(self) -> None:
        unit = self.unit("W-001")
        url = f"{R}/units/{unit.pk}/transition"
        events = UnitEvent.objects.count()
        # in stock → refurbishing is not part of the lifecycle; installing goes via a visit.
        self.assertError(self.post(url, "cora", data={"to": "refurbishing"}), 422, "status")
        self.assertError(self.post(url, "cora", data={"to": "installed"}), 422, "status")
        self.assertError(self.post(url, "cora", data={"to": "broken"}), 422, "to")
        self.assertError(self.post(url, "ines", data={"to": "in_repair"}), 403)
        self.assertEqual(UnitEvent.objects.count(), events)
        unit.refresh_from_db()
        self.assertEqual(unit.status, "in_stock")
        body = self.ok(self.post(url, "tom", data={"to": "in_repair", "note": "dent"}))
        self.assertEqual((body["status"], body["events"][-1]["note"]), ("in_repair", "dent"))

    def test_second_contract_draft_for_a_unit_no_longer_free(self) -> None:
        ines = "ines"
        apps = [
            self.ok(
                self.post(
                    self.programme_url("/applications"),
                    ines,
                    data={"household": self.jansens.pk, "category": "washing_machine"},
                ),
                201,
            )
            for _ in range(2)
        ]
        first = self.ok(self.post(f"{R}/applications/{apps[0]['id']}/contract", ines, data={}), 201)
        taken = first["unit_id"]
        self.assertError(
            self.post(f"{R}/applications/{apps[1]['id']}/contract", ines, data={"unit": taken}),
            422,
            "unit",
        )
        # The application that already has a contract cannot get a second one.
        self.assertError(self.post(f"{R}/applications/{apps[0]['id']}/contract", ines, raw=""), 422)
        self.assertEqual(Contract.objects.count(), 1)
        self.assertEqual(
            Application.objects.get(pk=apps[1]["id"]).status, Application.Status.WAITING
        )

    def test_bad_payments_store_nothing(self) -> None:
        self.active_contract()
        url = f"{R}/households/{self.jansens.pk}/payments"
        for amount in ("-5.00", "0", "1000000", "100000.01"):
            with self.subTest(amount=amount):
                self.assertError(
                    self.post(
                        url,
                        "ines",
                        data={"amount": amount, "received_on": "2026-04-02", "method": "cash"},
                    ),
                    422,
                    "amount",
                )
        garbage: tuple[Any, ...] = ("1e30", "NaN", "Infinity", "abc", "1.234", True, None)
        for amount in garbage:
            with self.subTest(amount=amount):
                self.assertError(
                    self.post(
                        url,
                        "ines",
                        data={"amount": amount, "received_on": "2026-04-02", "method": "cash"},
                    ),
                    422,
                    "amount",
                )
        self.assertError(
            self.post(
                url, "ines", data={"amount": "5", "received_on": "2026-04-02", "method": "bitcoin"}
            ),
            422,
            "method",
        )
        self.assertError(
            self.post(
                url, "ines", data={"amount": "5", "received_on": "2999-01-01", "method": "cash"}
            ),
            422,
            "received_on",
        )
        # A viewer may not record money; a household without rentals is not collected for.
        self.assertError(
            self.post(
                url, "vera", data={"amount": "5", "received_on": "2026-04-02", "method": "cash"}
            ),
            403,
        )
        self.assertError(
            self.post(
                f"{R}/households/{self.peeters.pk}/payments",
                "ines",
                data={"amount": "5", "received_on": "2026-04-02", "method": "cash"},
            ),
            403,
        )
        self.assertFalse(Payment.objects.exists())

    def test_unknown_enum_values(self) -> None:
        self.assertError(
            self.post(
                self.programme_url("/applications"),
                "ines",
                data={"household": self.jansens.pk, "category": "toaster"},
            ),
            422,
            "category",
        )
        self.assertError(
            self.put(
                self.programme_url("/offers"),
                "cora",
                data={"category": "toaster", "tenant_fee": "1", "subsidy": "1"},
            ),
            422,
            "category",
        )
        self.assertError(self.get(self.programme_url("/units?status=lost"), "cora"), 422, "status")
        self.assertFalse(Application.objects.exists())

    def test_bad_months_bill_nothing(self) -> None:
        self.active_contract()
        url = self.programme_url("/billing-runs")
        months: tuple[Any, ...] = ("2026-13", "2026-00", "2026-1", "november", "2026-11-01", 202611)
        for month in months:
            with self.subTest(month=month):
                self.assertError(self.post(url, "cora", data={"month": month}), 422, "month")
        self.assertError(self.post(url, "cora", data={}), 422, "month")
        self.assertFalse(Charge.objects.exists())
        # Only the lead's coordinators run the billing.
        self.assertError(self.post(url, "ines", data={"month": "2026-11"}), 403)
        self.assertError(self.post(url, "tom", data={"month": "2026-11"}), 403)
        self.assertFalse(Charge.objects.exists())

    def test_bad_offers_and_models(self) -> None:
        url = self.programme_url("/offers")
        for fee in ("-1", "501", "12345678"):
            with self.subTest(fee=fee):
                self.assertError(
                    self.put(
                        url, "cora", data={"category": "dryer", "tenant_fee": fee, "subsidy": "1"}
                    ),
                    422,
                    "tenant_fee",
                )
        self.assertError(
            self.put(url, "ines", data={"category": "dryer", "tenant_fee": "8", "subsidy": "1"}),
            403,
        )
        self.assertFalse(Offer.objects.filter(category="dryer").exists())
        models = self.programme_url("/appliance-models")
        self.assertError(
            self.post(
                models,
                "cora",
                data={
                    "category": "dryer",
                    "brand": "Miele",
                    "model_name": "T1",
                    "energy_class": "A",
                },
            ),
            422,
            "kwh_per_year",
        )
        self.assertError(
            self.post(
                models,
                "cora",
                data={
                    "category": "washing_machine",
                    "brand": "bosch",
                    "model_name": "wan28",
                    "energy_class": "A",
                    "kwh_per_year": "100",
                },
            ),
            422,
            "model_name",
        )
        self.assertEqual(ApplianceModel.objects.count(), 2)
        self.assertError(
            self.put(
                self.programme_url("/scheme"),
                "cora",
                data={"collector": "spijkerkwartier", "supplier": "desmet"},
            ),
            422,
            "collector",
        )
        self.assertError(
            self.put(
                self.programme_url("/scheme"),
                "cora",
                data={"collector": "nobody", "supplier": "desmet"},
            ),
            422,
            "collector",
        )

    def test_ticket_and_visit_input(self) -> None:
        contract = self.active_contract()
        url = f"{R}/contracts/{contract.pk}/tickets"
        self.assertError(
            self.post(url, "ines", data={"channel": "pigeon", "description": "x"}), 422, "channel"
        )
        self.assertError(
            self.post(url, "ines", data={"channel": "phone", "description": "   "}),
            422,
            "description",
        )
        self.assertError(
            self.post(url, "tom", data={"channel": "phone", "description": "broken"}), 403
        )
        self.assertFalse(Ticket.objects.exists())
        visit = contract.visits.get()
        self.assertError(
            self.post(f"{R}/visits/{visit.pk}/complete", "tom", data={"disposal": "left"}), 422
        )
        self.assertError(
            self.post(f"{R}/visits/{visit.pk}/assign", "cora", data={"technician": "ines"}),
            422,
            "technician",
        )
        self.assertError(
            self.post(f"{R}/visits/{visit.pk}/assign", "cora", data={"technician": "nobody"}),
            422,
            "technician",
        )
        self.assertEqual(Visit.objects.get(pk=visit.pk).technician_id, self.tom.pk)

    def test_ids_out_of_range_are_not_found(self) -> None:
        for path in (f"{R}/units/0", f"{R}/units/{2**70}", f"{R}/contracts/abc"):
            with self.subTest(path=path):
                response = self.get(path, "cora")
                self.assertIn(response.status_code, (404, 422))
        self.assertError(self.get(f"{R}/contracts/999999", "cora"), 404)


class RentalApiTenancyTest(RentalApiTestCase):
    """A coordinator of another organisation (otto, arnhem) gets a 404 for every record."""

    def test_other_organisation_gets_404_everywhere(self) -> None:
        contract = self.active_contract()
        ticket = Ticket.objects.create(contract=contract, channel="phone", description="x")
        visit = contract.visits.get()
        unit = self.unit("W-002")
        waiting = Application.objects.create(
            household=self.jansens, programme=self.rental, category="fridge"
        )
        p, h = self.rental.pk, self.jansens.pk
        routes: list[tuple[str, str, dict[str, Any] | None]] = [
            ("get", f"/programmes/{p}/scheme", None),
            (
                "put",
                f"/programmes/{p}/scheme",
                {"collector": "spijkerkwartier", "supplier": "spijkerkwartier"},
            ),
            ("get", f"/programmes/{p}/offers", None),
            (
                "put",
                f"/programmes/{p}/offers",
                {"category": "dryer", "tenant_fee": "1", "subsidy": "1"},
            ),
            ("get", f"/programmes/{p}/appliance-models", None),
            (
                "post",
                f"/programmes/{p}/appliance-models",
                {
                    "category": "dryer",
                    "brand": "X",
                    "model_name": "Y",
                    "energy_class": "A",
                    "kwh_per_year": "100",
                },
            ),
            ("get", f"/programmes/{p}/units", None),
            (
                "post",
                f"/programmes/{p}/units",
                {"appliance_model": self.washer.pk, "serial": "Z-1"},
            ),
            ("get", f"/units/{unit.pk}", None),
            ("post", f"/units/{unit.pk}/transition", {"to": "retired"}),
            ("get", f"/programmes/{p}/applications", None),
            ("post", f"/programmes/{p}/applications", {"household": h, "category": "fridge"}),
            ("post", f"/applications/{waiting.pk}/priority", {"reason": "x"}),
            ("post", f"/applications/{waiting.pk}/contract", {}),
            ("get", f"/contracts/{contract.pk}", None),
            (
                "post",
                f"/contracts/{contract.pk}/sign",
                {"payment_method": "cash", "installation_on": "2026-05-01"},
            ),
            ("post", f"/contracts/{contract.pk}/end", {"reason": "moved", "on": "2026-05-01"}),
            ("get", f"/contracts/{contract.pk}/pdf", None),
            ("get", f"/contracts/{contract.pk}/charges", None),
            (
                "post",
                f"/contracts/{contract.pk}/visits",
                {"kind": "repair", "planned_on": "2026-05-01"},
            ),
            ("post", f"/contracts/{contract.pk}/tickets", {"channel": "phone", "description": "x"}),
            ("get", f"/tickets/{ticket.pk}", None),
            ("get", f"/visits/{visit.pk}", None),
            ("post", f"/visits/{visit.pk}/assign", {"technician": "otto"}),
            ("post", f"/visits/{visit.pk}/complete", {}),
            ("post", f"/programmes/{p}/billing-runs", {"month": "2026-04"}),
            ("get", f"/households/{h}/balance", None),
            ("get", f"/households/{h}/payments", None),
            (
                "post",
                f"/households/{h}/payments",
                {"amount": "5", "received_on": "2026-04-02", "method": "cash"},
            ),
            ("get", f"/households/{h}/savings", None),
            ("get", f"/households/{h}/savings/2026/pdf", None),
            (
                "post",
                f"/programmes/{p}/sepa-export",
                {"collection_date": "2026-05-02", "creditor_id": "BE69ZZZ050D000000008"},
            ),
        ]
        before = self.snapshot()
        for method, path, data in routes:
            with self.subTest(route=f"{method.upper()} {path}"):
                response = self.call(method, R + path, "otto", data=data)
                self.assertError(response, 404)
        self.assertEqual(self.snapshot(), before)

    def snapshot(self) -> tuple:
        return (
            list(Unit.objects.values_list("pk", "status").order_by("pk")),
            list(Contract.objects.values_list("pk", "status").order_by("pk")),
            list(Application.objects.values_list("pk", "status", "priority").order_by("pk")),
            list(Visit.objects.values_list("pk", "status", "technician").order_by("pk")),
            Ticket.objects.count(),
            Charge.objects.count(),
            Payment.objects.count(),
            Offer.objects.count(),
            ApplianceModel.objects.count(),
            UnitEvent.objects.count(),
        )

    def test_lists_do_not_show_other_organisations(self) -> None:
        self.active_contract()
        self.assertEqual(self.ok(self.get(f"{R}/visits", "otto"))["count"], 0)
        # ilse (kortrijk) takes part in the programme but does not see ocmw's applications.
        Application.objects.create(household=self.jansens, programme=self.rental, category="fridge")
        body = self.ok(self.get(self.programme_url("/applications"), "ilse"))
        self.assertEqual(body["count"], 0)
        self.assertError(self.get(f"{R}/households/{self.jansens.pk}/balance", "ilse"), 404)


@clock_at(A_DAY)  # a fixed day: the dates below count from it
class RentalApiCollectionTest(RentalApiTestCase):
    """Bank statements (multipart field `file`) and the SEPA direct-debit export."""

    def upload(self, as_user: str, name: str, content: bytes) -> Any:
        headers: Any = {
            "HTTP_AUTHORIZATION": f"Bearer {self.token(as_user)}",
            "HTTP_ACCEPT_LANGUAGE": self.language,
        }
        with self.assertNoLogs("wijk.api", level="ERROR"):
            response = self.client.post(
                f"{R}/bank-imports", {"file": SimpleUploadedFile(name, content)}, **headers
            )
        self.assertLess(response.status_code, 500, response.content[:500])
        return response

    def statement(self, *lines: str) -> bytes:
        header = "Rekening;Boekingsdatum;Bedrag;Munt;Naam tegenpartij;Tegenrekening;Mededeling"
        return "\n".join((header, *lines)).encode("cp1252")

    def test_import_matches_on_the_reference_and_lists_the_rest(self) -> None:
        contract = self.active_contract()
        services.billing_run(programme=self.rental, month=date(2026, 4, 1), confirm=True)
        data = self.statement(
            f"BE62510007547061;02/04/2026;7,50;EUR;Jansens An;BE71 0961 2345 6769;"
            f"{contract.payment_reference}",
            "BE62510007547061;03/04/2026;12,00;EUR;Café De Zwaan;BE21 0012 3456 7803;factuur",
        )
        body = self.ok(self.upload("ines", "april.csv", data), 201)
        self.assertEqual((body["file_format"], body["filename"]), ("csv", "april.csv"))
        self.assertEqual([line["amount"] for line in body["matched"]], ["7.50"])
        self.assertEqual([line["number"] for line in body["unmatched"]], [3])
        self.assertEqual(Payment.objects.get().amount, Decimal("7.50"))
        # The same file again: nothing new.
        again = self.ok(self.upload("ines", "april.csv", data), 200)
        self.assertIsNone(again["id"])
        self.assertEqual(len(again["already_imported"]), 2)
        self.assertEqual(Payment.objects.count(), 1)

    def test_a_file_with_errors_imports_nothing(self) -> None:
        contract = self.active_contract()
        data = self.statement(
            f"BE62510007547061;02/04/2026;7,50;EUR;Jansens An;BE71;{contract.payment_reference}",
            "BE62510007547061;31/31/2026;5,00;EUR;X;BE21;x",
            "BE62510007547061;03/04/2026;veel;EUR;Y;BE21;y",
        )
        body = self.assertError(self.upload("ines", "bad.csv", data), 422, "file")
        messages = [e["message"] for e in body["errors"]]
        self.assertEqual(len(messages), 2)
        self.assertIn("3", messages[0])
        self.assertIn("4", messages[1])
        self.assertFalse(BankImport.objects.exists())
        self.assertFalse(Payment.objects.exists())
        for content in (b"", b"\x00\x01\x02garbage\xff" * 50, b"<?xml version='1.0'?><x>"):
            with self.subTest(content=content[:10]):
                self.assertError(self.upload("ines", "x.xml", content), 422, "file")
        self.assertFalse(BankImport.objects.exists())

    def test_upload_needs_a_file_and_a_collector(self) -> None:
        response = self.post(f"{R}/bank-imports", "ines", data={})
        self.assertEqual(response.status_code, 422)
        self.assertError(self.upload("cora", "x.csv", self.statement()), 403)
        self.assertError(self.upload("vera", "x.csv", self.statement()), 403)
        self.assertError(self.upload("otto", "x.csv", self.statement()), 403)

    def direct_debit_contract(self) -> None:
        application = services.application_create(
            acting=self.acting("ines"),
            household=self.jansens,
            programme=self.rental,
            category="washing_machine",
            has_old_appliance=False,
        )
        contract = self.ok(
            self.post(f"{R}/applications/{application.pk}/contract", "ines", raw=""), 201
        )
        sign = f"{R}/contracts/{contract['id']}/sign"
        signing = {"payment_method": "direct_debit", "installation_on": "2026-03-10"}
        self.assertError(self.post(sign, "ines", data=signing), 422, "debtor_iban")
        bad_iban = {**signing, "debtor_iban": "BE00 1234"}
        self.assertError(self.post(sign, "ines", data=bad_iban), 422, "debtor_iban")
        signed = self.ok(
            self.post(sign, "ines", data={**signing, "debtor_iban": "BE71 0961 2345 6769"})
        )
        self.assertEqual(signed["mandate_id"], f"WIJK-{contract['id']}")
        visit = Visit.objects.get(contract_id=contract["id"])
        services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        self.ok(self.post(f"{R}/visits/{visit.pk}/complete", "tom", data={"done_on": "2026-03-10"}))

    def test_sepa_export(self) -> None:
        Organisation.objects.filter(pk=self.ocmw.pk).update(iban="BE62510007547061")
        url = self.programme_url("/sepa-export")
        collection = timezone.localdate() + timedelta(days=5)
        payload = {"collection_date": collection.isoformat(), "creditor_id": "BE68ZZZ0123456789"}
        self.direct_debit_contract()
        self.assertError(self.post(url, "ines", data=payload), 422)  # nothing billed yet
        services.billing_run(programme=self.rental, month=date(2026, 4, 1), confirm=True)
        response = self.post(url, "ines", data=payload)
        self.assertEqual(response.status_code, 200, response.content[:500])
        self.assertEqual(response["Content-Type"], "application/xml")
        self.assertIn(b"pain.008", response.content)
        self.assertIn(b"7.50", response.content)
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertError(self.post(url, "ines", data={**payload, "creditor_id": "nonsense"}), 422)
        self.assertError(self.post(url, "cora", data=payload), 403)
