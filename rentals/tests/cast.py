"""The rental part of the shared cast: WijkTestCase plus a configured rental scheme.

Scheme of `rental`: ocmw collects, supplier (Elektro Desmet) supplies, at most 3 appliances.
Offers: washing machine 7.50 + 2.00 subsidy, fridge 8.00 + 2.00, 120 months.
Catalogue: `washer` (Bosch WAN28, 49 kWh/100 cycles, 220 cycles, 48 l) and `fridge`
(Liebherr K 3710, 101 kWh/year).
Units in stock: washer W-001, W-002, W-003 (refurbished), fridge F-001.
Consent to take part: jansens, peeters and dubois (given 2025-12-01).
"""

from datetime import date
from decimal import Decimal
from typing import Any

from core.tenancy import Acting, acting_for
from households.models import Consent
from rentals import services
from rentals.models import ApplianceModel, Contract, Unit, UnitStatus, Visit
from wijk.testing import WijkTestCase


def _acting_of(user: Any) -> Acting:
    acting = acting_for(user)
    assert acting is not None
    return acting


def build_rental_cast(cls: Any) -> None:
    """Configure the scheme, offers, catalogue and units of `rental` on a built cast."""
    cora = _acting_of(cls.cora)
    services.rental_scheme_configure(
        acting=cora, programme=cls.rental, collector=cls.ocmw, supplier=cls.supplier
    )
    services.offer_set(
        acting=cora,
        programme=cls.rental,
        category="washing_machine",
        tenant_fee=Decimal("7.50"),
        subsidy=Decimal("2.00"),
    )
    services.offer_set(
        acting=cora,
        programme=cls.rental,
        category="fridge",
        tenant_fee=Decimal("8.00"),
        subsidy=Decimal("2.00"),
    )
    cls.washer = services.appliance_model_create(
        acting=cora,
        programme=cls.rental,
        category="washing_machine",
        brand="Bosch",
        model_name="WAN28",
        energy_class="A",
        kwh_per_100_cycles=Decimal("49"),
        cycles_per_year=220,
        water_litres_per_cycle=Decimal("48"),
        capacity="8 kg",
    )
    cls.fridge = services.appliance_model_create(
        acting=cora,
        programme=cls.rental,
        category="fridge",
        brand="Liebherr",
        model_name="K 3710",
        energy_class="D",
        kwh_per_year=Decimal("101"),
    )
    for serial, refurbished in (("W-001", False), ("W-002", False), ("W-003", True)):
        services.unit_create(
            acting=cora,
            appliance_model=cls.washer,
            serial=serial,
            refurbished=refurbished,
            status=UnitStatus.IN_STOCK,
        )
    services.unit_create(
        acting=cora, appliance_model=cls.fridge, serial="F-001", status=UnitStatus.IN_STOCK
    )
    # The cast's households consented to take part: no rental contract without it.
    for household in (cls.jansens, cls.peeters, cls.dubois):
        Consent.objects.create(household=household, purpose="programme", given_on=date(2025, 12, 1))


class RentalTestCase(WijkTestCase):
    washer: ApplianceModel
    fridge: ApplianceModel

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_rental_cast(cls)

    @classmethod
    def acting_of(cls, user: Any) -> Acting:
        return _acting_of(user)

    def unit(self, serial: str) -> Unit:
        return Unit.objects.get(serial=serial)

    def active_contract(
        self,
        household=None,
        category: str = "washing_machine",
        installed_on: date = date(2026, 3, 10),
        payment_method: str = "transfer",
    ) -> Contract:
        """A contract taken from intake to installation through the services."""
        household = household or self.jansens
        ines = self.acting("ines")
        if not household.consents.filter(purpose="programme").exists():
            # Intake records the consent to take part: no contract without it.
            Consent.objects.create(
                household=household, purpose="programme", given_on=date(2025, 12, 1)
            )
        application = services.application_create(
            acting=ines,
            household=household,
            programme=self.rental,
            category=category,
            old_age_band=">15",
        )
        contract = services.contract_draft(acting=ines, application=application)
        contract = services.contract_sign(
            acting=ines,
            contract=contract,
            payment_method=payment_method,
            installation_on=installed_on,
            debtor_iban="BE71096123456769" if payment_method == "direct_debit" else "",
        )
        visit = contract.visits.get(kind=Visit.Kind.INSTALLATION)
        # Only the technician the visit is assigned to records it as done.
        services.visit_assign(acting=self.acting("cora"), visit=visit, technician=self.tom)
        services.visit_complete(
            acting=self.acting("tom"), visit=visit, done_on=installed_on, disposal="recycled"
        )
        contract.refresh_from_db()
        return contract
