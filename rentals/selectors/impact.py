"""Savings of rental contracts, households and programmes: the database side of
rentals/pure/savings.py (the model itself, documented in docs/savings-model.md)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.models import Programme, Tariff
from households.models import Household
from rentals.models import Contract
from rentals.pure import savings

PeriodSavings = savings.PeriodSavings


def contract_estimate(contract: Contract) -> savings.SavingsEstimate:
    """Yearly figures for the contract's replacement: the old appliance described at intake
    against the model now installed."""
    application = contract.application
    model = contract.unit.appliance_model
    old = None
    if application.has_old_appliance:
        old = savings.OldAppliance(
            category=application.category,
            age_band=application.old_age_band,
            label_scale=application.old_label_scale or None,
            label_class=application.old_label or None,
            measured_kwh_year=application.old_measured_kwh,
        )
    new = savings.NewModel(
        category=model.category,
        kwh_per_year=model.kwh_per_year,
        kwh_per_100_cycles=model.kwh_per_100_cycles,
        cycles_per_year=model.cycles_per_year,
        water_litres_per_cycle=model.water_litres_per_cycle,
    )
    return savings.estimate(old=old, new=new)


def _periods(contract: Contract, until: date) -> list[tuple[date, date]]:
    if contract.start_date is None:
        return []
    end = min(until, contract.end_date or until)
    if end < contract.start_date:
        return []
    return [(contract.start_date, end)]


def programme_tariffs(programme_id: int) -> list[Tariff]:
    """The programme's tariffs, oldest first: one query, shared by all its contracts."""
    return list(Tariff.objects.filter(programme_id=programme_id).order_by("valid_from"))


def contract_yearly(
    contract: Contract,
    until: date | None = None,
    *,
    tariffs: Sequence[savings.TariffLike] | None = None,
    estimate: savings.SavingsEstimate | None = None,
) -> dict[int, PeriodSavings]:
    """Savings per calendar year since installation, at the tariff valid on each day.

    `tariffs` (the programme's, oldest first) and `estimate`: when the caller already has
    them, so that a programme's 200,000 contracts share one tariff query instead of one each.
    """
    until = until or timezone.localdate()
    if tariffs is None:
        tariffs = programme_tariffs(contract.programme_id)
    result: dict[int, PeriodSavings] = {}
    if not tariffs:
        return result
    estimate = estimate or contract_estimate(contract)
    for start, end in _periods(contract, until):
        priced = _with_nearest_tariff(list(tariffs), start)
        per_year = savings.yearly_savings(
            estimate=estimate,
            installed=start,
            until=end,
            tariffs=priced,
            social_tariff=contract.household.social_tariff,
        )
        for year, value in per_year.items():
            result[year] = result.get(year, PeriodSavings()) + value
    return result


def _with_nearest_tariff(tariffs: list[Any], start: date) -> list[Any]:
    """Days before the programme's first tariff are priced at that first tariff, the nearest
    one (docs/savings-model.md): they used to count as nothing, so a letter said "you saved
    € 0". `tariff_note` says so on what shows the figures."""
    first = tariffs[0]
    if start >= first.valid_from:
        return tariffs
    stand_in = savings.Tariff(
        valid_from=start,
        electricity_standard=first.electricity_standard,
        electricity_social=first.electricity_social,
        water=first.water,
        co2=first.co2,
    )
    return [stand_in, *tariffs]


def tariff_note(contract: Contract) -> str:
    """What a letter or page states when the contract started before the programme's first
    tariff; empty otherwise."""
    first = contract.programme.tariffs.order_by("valid_from").first()
    if contract.start_date is None or first is None or contract.start_date >= first.valid_from:
        return ""
    return _(
        "The programme's first tariff starts on %(tariff)s, after the installation on "
        "%(installed)s: the days before are counted at that first tariff."
    ) % {
        "tariff": date_format(first.valid_from, "DATE_FORMAT"),
        "installed": date_format(contract.start_date, "DATE_FORMAT"),
    }


def total(yearly: dict[int, PeriodSavings]) -> PeriodSavings:
    result = PeriodSavings()
    for value in yearly.values():
        result = result + value
    return result


def household_yearly(
    household: Household,
    until: date | None = None,
    contracts: QuerySet[Contract] | None = None,
) -> dict[int, PeriodSavings]:
    """What the household saved per year, over `contracts` (those the reader may see, scoped)
    or, when None, over all its contracts (the resident's own page)."""
    result: dict[int, PeriodSavings] = {}
    mine = household.rental_contracts.all() if contracts is None else contracts
    contracts = mine.filter(household=household, start_date__isnull=False).select_related(
        "application", "unit__appliance_model", "household"
    )
    tariffs: dict[int, list[Tariff]] = {}
    for contract in contracts:
        if contract.programme_id not in tariffs:
            tariffs[contract.programme_id] = programme_tariffs(contract.programme_id)
        yearly = contract_yearly(contract, until, tariffs=tariffs[contract.programme_id])
        for year, value in yearly.items():
            result[year] = result.get(year, PeriodSavings()) + value
    return result


def _estimate_key(contract: Contract) -> tuple[object, ...]:
    # Everything contract_estimate reads: contracts with the same key share one estimate.
    a = contract.application
    return (
        contract.unit.appliance_model_id,
        a.has_old_appliance,
        a.category,
        a.old_age_band,
        a.old_label_scale,
        a.old_label,
        a.old_measured_kwh,
    )


def programme_yearly(programme: Programme, until: date | None = None) -> dict[int, PeriodSavings]:
    """The savings of every contract of the programme, per year: its tariffs are read once,
    and contracts with the same old and new appliance share one estimate."""
    result: dict[int, PeriodSavings] = {}
    tariffs = programme_tariffs(programme.pk)
    if not tariffs:
        return result
    estimates: dict[tuple[object, ...], savings.SavingsEstimate] = {}
    contracts = Contract.objects.filter(
        programme=programme, start_date__isnull=False
    ).select_related("application", "unit__appliance_model", "household")
    for contract in contracts.iterator(chunk_size=2000):
        key = _estimate_key(contract)
        if key not in estimates:
            estimates[key] = contract_estimate(contract)
        yearly = contract_yearly(contract, until, tariffs=tariffs, estimate=estimates[key])
        for year, value in yearly.items():
            result[year] = result.get(year, PeriodSavings()) + value
    return result
