"""The counts the dashboard reads — units and contracts per appliance and status, households
with an appliance (rentals/services/counts.py), enrolments per status (households/counts.py) —
equal what the units, contracts and enrolments say, recomputed from scratch, after every kind
of write: a unit made (ordered, in stock) and moved by hand, a contract drafted, signed,
installed, broken (repair, swap), ended and collected, a refused write (nothing moves), an
enrolment decided, refused, ended and decided again, an erasure; and after random sequences of
all of them. The database refuses impossible counts, the rebuild gives the same rows, and no
module assigns a status past the functions that keep the counts."""

import ast
import random
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import SimpleTestCase

from households import counts as enrolment_counts
from households.models import Consent, Enrolment
from households.services import enrolment_end, household_enrol, household_erase
from rentals import services
from rentals.models import Contract, KeptCount, Unit, UnitStatus, Visit
from rentals.selectors import dashboard
from rentals.services import counts
from rentals.tests.cast import RentalTestCase
from wijk.testing import clock_at, make_household

TODAY = date(2026, 6, 15)
MANUAL_MOVES: dict[str, list[str]] = {
    UnitStatus.ORDERED: [UnitStatus.IN_STOCK, UnitStatus.RETIRED],
    UnitStatus.IN_STOCK: [UnitStatus.IN_REPAIR, UnitStatus.RETIRED],
    UnitStatus.IN_REPAIR: [UnitStatus.IN_STOCK, UnitStatus.RETURNED, UnitStatus.RETIRED],
    UnitStatus.RETURNED: [UnitStatus.REFURBISHING, UnitStatus.IN_STOCK, UnitStatus.RETIRED],
    UnitStatus.REFURBISHING: [UnitStatus.IN_STOCK, UnitStatus.RETIRED],
}


@clock_at(TODAY)
class KeptCountsTest(RentalTestCase):
    def assert_kept(self, step: str) -> None:
        with self.subTest(step=step):
            self.assertEqual(
                counts.rental_counts_kept(self.rental), counts.rental_counts_recomputed(self.rental)
            )
            self.assertEqual(
                enrolment_counts.enrolment_counts_kept(),
                enrolment_counts.enrolment_counts_recomputed(),
            )

    # ---------------------------------------------------------------- the writes
    def new_household(self, name: str):
        household = make_household(
            self.ocmw, first_name="Test", last_name=name, social_tariff=True, street=name
        )
        Consent.objects.create(household=household, purpose="programme", given_on=date(2026, 1, 5))
        return household

    def enrol(self, household) -> Enrolment:
        return household_enrol(
            acting=self.acting("ines"), household=household, programme=self.rental
        )

    def unit(self, serial: str, category: str = "washing_machine", status: str = "in_stock"):
        model = self.washer if category == "washing_machine" else self.fridge
        return services.unit_create(
            acting=self.acting("cora"), appliance_model=model, serial=serial, status=status
        )

    def draft(self, household, category: str = "washing_machine") -> Contract:
        application = services.application_create(
            acting=self.acting("ines"),
            household=household,
            programme=self.rental,
            category=category,
        )
        return services.contract_draft(acting=self.acting("ines"), application=application)

    def sign(self, contract: Contract) -> Contract:
        return services.contract_sign(
            acting=self.acting("ines"),
            contract=contract,
            payment_method="transfer",
            installation_on=date(2026, 6, 10),
        )

    def visit_done(self, visit: Visit, **kwargs) -> None:
        if visit.technician_id is None:
            services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        services.visit_complete(
            acting=self.acting("tom"),
            visit=visit,
            done_on=visit.planned_on,
            early_confirmed=True,
            **kwargs,
        )

    def install(self, contract: Contract) -> Contract:
        self.visit_done(contract.visits.get(kind=Visit.Kind.INSTALLATION), disposal="recycled")
        contract.refresh_from_db()
        return contract

    def end(self, contract: Contract) -> None:
        services.contract_end(
            acting=self.acting("ines"), contract=contract, reason="moved", on=date(2026, 6, 12)
        )
        self.visit_done(contract.visits.get(kind=Visit.Kind.RETURN))

    def broken(self, contract: Contract, kind: str, replacement: Unit | None = None) -> None:
        ticket = services.ticket_open(
            acting=self.acting("ines"), contract=contract, channel="phone", description="stuk"
        )
        visit = services.visit_plan(
            acting=self.acting("cora"),
            contract=contract,
            kind=kind,
            planned_on=date(2026, 6, 12),
            technician=self.tom,
            ticket=ticket,
        )
        self.visit_done(visit, replacement=replacement)

    # ---------------------------------------------------------------- the tests
    def test_every_kind_of_write_keeps_the_counts(self) -> None:
        self.assert_kept("the cast (units made in stock)")
        claes, wauters = self.new_household("Claes"), self.new_household("Wauters")
        self.enrol(claes)
        self.assert_kept("enrolled")
        self.unit("W-010", status="ordered")
        self.unit("F-010", category="fridge")
        self.assert_kept("units made, ordered and in stock")
        services.unit_transition(
            acting=self.acting("cora"), unit=self.unit_of("W-010"), to="in_stock"
        )
        self.assert_kept("a unit delivered")

        washer = self.draft(self.jansens)
        self.assert_kept("drafted: a unit reserved")
        washer = self.install(self.sign(washer))
        self.assert_kept("signed and installed")
        fridge = self.install(self.sign(self.draft(self.jansens, "fridge")))
        self.assert_kept("a second appliance of the same household")
        claes_washer = self.install(self.sign(self.draft(claes)))
        self.assertEqual(dashboard.households_with_appliance(self.rental), 2)

        self.broken(washer, Visit.Kind.REPAIR)
        self.assert_kept("broken and repaired")
        self.broken(claes_washer, Visit.Kind.SWAP, replacement=self.free("washing_machine"))
        self.assert_kept("broken and swapped")

        with self.assertRaises(ValidationError):
            self.sign(washer)  # signed already
        self.assert_kept("a refused write moves nothing")

        services.contract_cancel(
            acting=self.acting("ines"), contract=self.draft(claes, "fridge"), reason="moved"
        )
        self.assert_kept("a draft cancelled: its unit back in stock")
        services.contract_cancel(
            acting=self.acting("ines"), contract=self.sign(self.draft(claes, "fridge")), reason="x"
        )
        self.assert_kept("a signed contract cancelled")

        self.end(fridge)
        self.assert_kept("one of two appliances ended and collected")
        self.assertEqual(dashboard.households_with_appliance(self.rental), 2)
        self.end(washer)
        self.assert_kept("the household's last appliance ended")
        self.assertEqual(dashboard.households_with_appliance(self.rental), 1)
        returned = Unit.objects.get(pk=washer.unit_id)
        services.unit_transition(acting=self.acting("cora"), unit=returned, to="refurbishing")
        returned.refresh_from_db()
        services.unit_transition(acting=self.acting("cora"), unit=returned, to="in_stock")
        self.assert_kept("collected, refurbished, back in stock")

        refused = make_household(self.ocmw, first_name="Rijk", last_name="Rijkers", size=1)
        refused.net_monthly_income = 9000
        refused.save()
        self.assertEqual(self.enrol(refused).status, Enrolment.Status.REFUSED)
        self.assert_kept("refused")
        self.enrol(wauters)
        ended = enrolment_end(acting=self.acting("ines"), enrolment=self.enrol_of(wauters))
        self.assert_kept("an enrolment ended")
        enrolment_end(acting=self.acting("ines"), enrolment=ended)
        self.assert_kept("ended twice: moved once")
        self.enrol(wauters)
        self.assert_kept("enrolled again")

        household_erase(acting=self.acting("ada"), household=wauters)
        self.assert_kept("an erasure")

        # What the dashboard shows is the kept counts, and equals the records.
        figures = dashboard.summary(self.rental, TODAY)
        self.assertEqual(
            figures.households_enrolled,
            Enrolment.objects.filter(programme=self.rental, status="enrolled").count(),
        )
        self.assertEqual(
            figures.active_contracts,
            Contract.objects.filter(programme=self.rental, status="active").count(),
        )
        self.assertEqual(figures.units, Unit.objects.filter(programme=self.rental).count())

        # Rebuilding from scratch (the command) gives the same rows.
        kept = counts.rental_counts_kept(), enrolment_counts.enrolment_counts_kept()
        call_command("rental_figures_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("enrolment_counts_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual(
            (counts.rental_counts_kept(), enrolment_counts.enrolment_counts_kept()), kept
        )

    def unit_of(self, serial: str) -> Unit:
        return Unit.objects.get(serial=serial)

    def free(self, category: str) -> Unit:
        unit = Unit.objects.filter(
            programme=self.rental, appliance_model__category=category, status="in_stock"
        ).first()
        assert unit is not None
        return unit

    def enrol_of(self, household) -> Enrolment:
        return Enrolment.objects.get(household=household, programme=self.rental)

    def test_random_sequences_of_writes_keep_the_counts(self) -> None:
        for seed in (1, 2, 3):
            with transaction.atomic():
                self.random_run(random.Random(seed), seed)
                transaction.set_rollback(True)

    def random_run(self, rng: random.Random, seed: int) -> None:
        households = [self.jansens, self.peeters]  # registered by ocmw, where ines works
        households += [self.new_household(f"Huis{seed}x{i}") for i in range(4)]
        for household in households[2:]:
            self.enrol(household)
        serials = iter(range(100, 1000))

        def contracts(status: str) -> list[Contract]:
            return list(
                Contract.objects.filter(programme=self.rental, status=status).order_by("pk")
            )

        def step_enrol() -> None:
            self.enrol(rng.choice(households))

        def step_enrolment_end() -> None:
            enrolments = list(Enrolment.objects.filter(programme=self.rental).order_by("pk"))
            enrolment_end(acting=self.acting("ines"), enrolment=rng.choice(enrolments))

        def step_unit() -> None:
            self.unit(
                f"R-{next(serials)}",
                rng.choice(["washing_machine", "fridge"]),
                rng.choice(["ordered", "in_stock"]),
            )

        def step_unit_move() -> None:
            units = list(
                Unit.objects.filter(programme=self.rental, status__in=list(MANUAL_MOVES)).order_by(
                    "pk"
                )
            )
            unit = rng.choice(units)
            services.unit_transition(
                acting=self.acting("cora"), unit=unit, to=rng.choice(MANUAL_MOVES[unit.status])
            )

        def step_draft() -> None:
            self.draft(rng.choice(households), rng.choice(["washing_machine", "fridge"]))

        def step_sign() -> None:
            self.sign(rng.choice(contracts("draft")))

        def step_install() -> None:
            self.install(rng.choice(contracts("signed")))

        def step_end() -> None:
            self.end(rng.choice(contracts("active")))

        def step_broken() -> None:
            contract = rng.choice(contracts("active"))
            free = Unit.objects.filter(
                programme=self.rental,
                appliance_model__category=contract.category,
                status=UnitStatus.IN_STOCK,
            ).first()
            if free is not None and rng.random() < 0.5:
                self.broken(contract, Visit.Kind.SWAP, replacement=free)
            else:
                self.broken(contract, Visit.Kind.REPAIR)

        steps = [
            step_enrol,
            step_enrolment_end,
            step_unit,
            step_unit,
            step_unit_move,
            step_draft,
            step_draft,
            step_sign,
            step_sign,
            step_install,
            step_install,
            step_install,
            step_end,
            step_broken,
        ]
        done, refused = 0, {}
        for i in range(80):
            step = rng.choice(steps)
            try:
                with transaction.atomic():
                    step()
                done += 1
            except (ValidationError, IndexError) as exc:
                refused[step.__name__] = str(exc)  # refused, or nothing to do: nothing moved
            self.assert_kept(f"seed {seed}, step {i}: {step.__name__}")
        self.assertGreater(done, 30, refused)  # the sequence really wrote

    def test_the_database_refuses_impossible_counts(self) -> None:
        row = KeptCount.objects.filter(programme=self.rental, kind="units").first()
        assert row is not None
        for change, model in (
            ({"n": -1}, KeptCount),
            ({"n": -1}, enrolment_counts.EnrolmentCount),
        ):
            target = model.objects.filter(programme=self.rental)
            with self.subTest(model=model), self.assertRaises(IntegrityError), transaction.atomic():
                target.update(**change)
        with self.assertRaises(IntegrityError), transaction.atomic():
            KeptCount.objects.create(
                programme=self.rental,
                kind=row.kind,
                category=row.category,
                status=row.status,
                n=1,
            )
        # Taking one off a count that was never kept fails instead of drifting.
        with self.assertRaises(IntegrityError), transaction.atomic():
            counts.unit_moved(
                unit=self.unit_of("W-001"), from_status="retired", to_status="in_stock"
            )


COUNTED_MODELS = {"Unit", "Contract", "Enrolment"}
COUNTED_NAMES = {"unit", "contract", "enrolment"}  # what the services call them
# Each of these calls counts.unit_moved / counts.contract_moved / enrolment_moved itself.
ALLOWED = {
    ("rentals/services/common.py", "move_unit", "unit"),
    ("rentals/services/contracts.py", "contract_sign", "contract"),
    ("rentals/services/contracts.py", "contract_end", "contract"),
    ("rentals/services/contracts.py", "contract_cancel", "contract"),
    ("rentals/services/visits.py", "visit_complete", "contract"),  # the installation
    ("households/services.py", "household_enrol", "enrolment"),
    ("households/services.py", "enrolment_end", "enrolment"),
}
APPS = ("core", "households", "rentals", "jobs", "sharing", "practices", "impact")


def _queryset_model(node: ast.expr) -> str | None:
    """`Contract.objects.filter(…).exclude(…)` → "Contract"."""
    while isinstance(node, ast.Call | ast.Attribute):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
        ):
            return node.value.id
        node = node.func if isinstance(node, ast.Call) else node.value
    return None


def status_writes(source: str) -> list[tuple[int, str, str]]:
    """(line, function, what) for every `<unit|contract|enrolment>.status = …` and every bulk
    write of units, contracts or enrolments (`update(status=…)`, `bulk_update`,
    `bulk_create`); `function` is the innermost function around it ("" at module level)."""
    found: list[tuple[int, str, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for t in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if (
                        isinstance(t, ast.Attribute)
                        and t.attr == "status"
                        and isinstance(t.value, ast.Name)
                        and t.value.id in COUNTED_NAMES
                    ):
                        found.append((node.lineno, function, t.value.id))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            model = _queryset_model(node.func.value)
            if model in COUNTED_MODELS and (
                name in ("bulk_create", "bulk_update")
                or (name == "update" and any(k.arg == "status" for k in node.keywords))
            ):
                found.append((node.lineno, function, f"{model}.objects….{name}"))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "")
    return sorted(found)


class OnlyTheKeepingServicesChangeStatusesTest(SimpleTestCase):
    def test_no_module_assigns_a_counted_status_elsewhere(self) -> None:
        """A new write of a unit's, contract's or enrolment's status (a contract cancelled, a
        bulk update) must move the kept counts: this fails until it is listed here, after it
        calls the counting function."""
        root = Path(__file__).resolve().parents[2]
        found = []
        for app in APPS:
            for path in sorted((root / app).rglob("*.py")):
                relative = path.relative_to(root).as_posix()
                if "/tests/" in relative or "/migrations/" in relative:
                    continue
                for line, function, what in status_writes(path.read_text()):
                    if (relative, function, what) not in ALLOWED:
                        found.append(f"{relative}:{line} ({function}): {what}")
        self.assertEqual(found, [])

    def test_the_check_finds_status_writes(self) -> None:
        source = (
            "contract.status = 'cancelled'\n"
            "was, unit.status = unit.status, 'in_stock'\n"
            "if enrolment.status == 'enrolled':\n    pass\n"
            "ticket.status = 'resolved'\n"
            "Contract.objects.filter(\n    pk=1\n).exclude(x=2).update(\n    status='ended'\n)\n"
            "Contract.objects.filter(pk=1).update(debtor_iban='')\n"
            "Application.objects.filter(pk=1).update(status='cancelled')\n"
            "Enrolment.objects.bulk_create([])\n"
            "def cancel(contract):\n    contract.status = 'cancelled'\n"
        )
        self.assertEqual(
            status_writes(source),
            [
                (1, "", "contract"),
                (2, "", "unit"),
                (6, "", "Contract.objects….update"),
                (13, "", "Enrolment.objects….bulk_create"),
                (15, "cancel", "contract"),
            ],
        )
