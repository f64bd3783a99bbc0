"""The rental documents: as PDF the contract, QR unit labels, yearly savings statement and the
yearly remittance statement of a collecting organisation.

Each document is a Django template under rentals/templates/rentals/pdf/ rendered in the
reader's language (`translation.override`) and turned into a PDF with WeasyPrint. The
`*_html` functions give the HTML itself (used by the tests and usable as a page preview);
the `*_pdf` functions return the PDF bytes.

The functions take records the caller has already fetched through core.tenancy (get_scoped):
they check no permissions themselves.

Nothing is fetched while rendering: no remote fonts or images (only data: URIs are allowed),
system fonts only ("DejaVu Sans"), the QR codes and charts are inline SVG.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import segno
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import to_locale

from core.models import Organisation, Programme
from core.pdf import render_pdf
from households.models import Household
from rentals.models import ApplianceModel, Contract, PaymentMethod, Unit, UnitStatus, Visit
from rentals.pure import charts, savings
from rentals.selectors import dashboard, impact
from rentals.selectors.remittance import Remittance, RemittanceProgramme, RemittanceTotals

ZERO = Decimal("0.00")
# What a unit's QR label encodes: the scan page of the unit (a path, so it works on any host).
SCAN_PATH = "/rentals/units/scan/{label_code}/"


# ----------------------------------------------------------------- rendering


def _locale() -> str:
    return to_locale(translation.get_language() or "nl")


def _css_string(text: str) -> str:
    """A CSS string literal; `<` is escaped so the text cannot close the <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return '"' + escaped.replace("<", "\\3C ") + '"'


def _page_counter_css() -> SafeString:
    """The CSS `content` value of the page numbers, e.g. "Page " counter(page) " of " …,
    built from one translated sentence so the translator decides the word order."""
    sentence = _("Page %(page)s of %(pages)s")
    marker_page, marker_pages = "\x00PAGE\x00", "\x00PAGES\x00"
    sentence = sentence % {"page": marker_page, "pages": marker_pages}
    parts: list[str] = []
    for chunk in (
        sentence.replace(marker_pages, "\x01pages\x01")
        .replace(marker_page, "\x01page\x01")
        .split("\x01")
    ):
        if chunk in ("page", "pages"):
            parts.append(f"counter({chunk})")
        elif chunk:
            parts.append(_css_string(chunk))
    return mark_safe(" ".join(parts))  # noqa: S308 -- each chunk is a quoted CSS string


def _money(value: Any) -> str:
    return format_currency(Decimal(str(value)), "EUR", locale=_locale())


def _whole_money(value: Any) -> str:
    """Money without cents when it is whole, for chart axes: "€ 60", "60 €"."""
    amount = Decimal(str(value))
    if amount != amount.to_integral_value():
        return _money(amount)
    pattern = Locale.parse(_locale()).currency_formats["standard"].pattern
    return format_currency(
        amount, "EUR", format=pattern.replace(".00", ""), locale=_locale(), currency_digits=False
    )


def _render(template: str, context: dict[str, Any], language: str) -> str:
    context = {
        **context,
        "language": language,
        "page_counter": _page_counter_css(),
    }
    return render_to_string(template, context)


def _local_date(moment: Any, organisation: Organisation) -> date | None:
    if moment is None:
        return None
    return timezone.localtime(moment, ZoneInfo(organisation.time_zone)).date()


def _contact(collector: Organisation, lead: Organisation) -> Organisation:
    """The organisation a household calls: the collector when it has a phone number, else
    the lead organisation, else the collector anyway (its address is still useful)."""
    if collector.phone:
        return collector
    if lead.phone:
        return lead
    return collector


# ----------------------------------------------------------------- contract
def contract_context(*, contract: Contract) -> dict[str, Any]:
    programme = contract.programme
    lead = programme.lead_organisation
    collector = contract.collector
    unit = contract.unit
    years, rest = divmod(contract.term_months, 12)
    signed_on = _local_date(contract.signed_at, lead)
    return {
        "contract": contract,
        "household": contract.household,
        "programme": programme,
        "lead": lead,
        "collector": collector,
        "supplier": programme.rental_scheme.supplier,
        "contact": _contact(collector, lead),
        "unit": unit,
        "model": unit.appliance_model,
        "total_fee": contract.tenant_fee + contract.subsidy,
        "term_years": years if rest == 0 else None,
        "signed_on": signed_on,
        "installation": contract.visits.filter(
            kind=Visit.Kind.INSTALLATION, status=Visit.Status.PLANNED
        )
        .order_by("planned_on")
        .first(),
        "is_draft": contract.status == Contract.Status.DRAFT,
        "methods": PaymentMethod,
        "footer_reference": contract.payment_reference,
    }


def contract_html(*, contract: Contract) -> str:
    language = contract.household.language
    with translation.override(language):
        return _render("rentals/pdf/contract.html", contract_context(contract=contract), language)


def contract_pdf(*, contract: Contract) -> bytes:
    """The rental contract in the household's language."""
    return render_pdf(contract_html(contract=contract))


# ----------------------------------------------------------------- unit labels
def unit_qr_svg(unit: Unit) -> SafeString:
    """The QR code of a unit as inline SVG (scalable: the label's CSS gives its size)."""
    qr = segno.make(SCAN_PATH.format(label_code=unit.label_code), error="m")
    # segno writes its own markup from a fixed template and escapes nothing of ours into it.
    return mark_safe(qr.svg_inline(scale=1, border=2, omitsize=True))  # noqa: S308


def unit_label_html(*, units: Iterable[Unit], language: str | None = None) -> str:
    language = language or translation.get_language() or "nl"
    with translation.override(language):
        labels = [
            {
                "unit": unit,
                "model": unit.appliance_model,
                "qr": unit_qr_svg(unit),
                "scan_path": SCAN_PATH.format(label_code=unit.label_code),
            }
            for unit in units
        ]
        return _render("rentals/pdf/unit_labels.html", {"labels": labels}, language)


def unit_label_pdf(*, units: Iterable[Unit], language: str | None = None) -> bytes:
    """QR labels, 3 × 8 labels of 70 × 37 mm on A4, one per unit, in the order given (pass a
    queryset with select_related("appliance_model") for many units)."""
    return render_pdf(unit_label_html(units=units, language=language))


# ----------------------------------------------------------------- savings statement
def _explanation(estimate: savings.SavingsEstimate, contract: Contract) -> str:
    """One plain sentence on where the old appliance's figure comes from."""
    application = contract.application
    if estimate.source == savings.SOURCE_MEASURED:
        return _(
            "We measured how much electricity your old appliance used with a meter on the "
            "plug. We compare that with what the new appliance uses."
        )
    if estimate.source == savings.SOURCE_LABEL:
        return _(
            "We looked at the energy label of your old appliance (class %(label)s). We "
            "compare that with what the new appliance uses."
        ) % {"label": application.old_label}
    if estimate.source == savings.SOURCE_AGE_TABLE:
        return _(
            "We did not know exactly how much your old appliance used. We took what an "
            "appliance of the same kind and age (%(age)s) uses on average. We compare that "
            "with what the new appliance uses."
        ) % {"age": application.get_old_age_band_display()}
    return _(
        "You did not have this kind of appliance before. So there is no saving: the figure "
        "shows what the new appliance uses, as a negative number."
    )


@dataclass(frozen=True)
class SavingsRow:
    """A contract that ran during the year, on the savings statement."""

    contract: Contract
    model: ApplianceModel
    estimate: savings.SavingsEstimate | None  # None: the savings cannot be computed
    year: savings.PeriodSavings  # in the statement's year
    since: savings.PeriodSavings  # since the installation
    explanation: str
    tariff_note: str
    unknown: bool  # the savings cannot be computed: the row says so
    negative: bool  # the new appliance used more electricity this year
    uses_water: bool


@dataclass(frozen=True)
class SavingsStatement:
    household: Household
    year: int
    until: date  # 31 December, or today when the year is not over
    rows: tuple[SavingsRow, ...]
    per_year: dict[int, savings.PeriodSavings]  # all contracts, by year
    year_total: savings.PeriodSavings
    since_total: savings.PeriodSavings


def savings_statement_data(
    *,
    household: Household,
    year: int,
    today: date | None = None,
    contracts: QuerySet[Contract] | None = None,
) -> SavingsStatement:
    """The figures of the statement, straight from rentals.selectors.impact (no rounding here).

    Counted until 31 December of `year`, or until today when the year is not over yet. Rows:
    the contracts that ran during the year. A contract whose savings cannot be computed (e.g.
    an old label without its scale) gets a row that says so instead of breaking the statement.
    `contracts`: the household's contracts the reader may see (scoped); None: all of them (the
    resident's own statement).
    """
    today = today or timezone.localdate()
    until = min(date(year, 12, 31), today)
    mine = household.rental_contracts.all() if contracts is None else contracts
    contracts = (
        mine.filter(household=household, start_date__isnull=False, start_date__lte=until)
        .select_related(
            "application", "unit__appliance_model", "programme__lead_organisation", "household"
        )
        .order_by("start_date", "pk")
    )
    rows: list[SavingsRow] = []
    per_year: dict[int, savings.PeriodSavings] = {}
    for contract in contracts:
        try:
            yearly = impact.contract_yearly(contract, until)
            estimate = impact.contract_estimate(contract)
        except savings.SavingsError:
            yearly, estimate = {}, None
        for y, value in yearly.items():
            per_year[y] = per_year.get(y, savings.PeriodSavings()) + value
        if contract.end_date is not None and contract.end_date < date(year, 1, 1):
            continue  # ended before the year: counted in the totals, no row of its own
        this_year = yearly.get(year, savings.PeriodSavings())
        rows.append(
            SavingsRow(
                contract=contract,
                model=contract.unit.appliance_model,
                estimate=estimate,
                year=this_year,
                since=impact.total(yearly),
                explanation=_explanation(estimate, contract) if estimate else "",
                tariff_note=impact.tariff_note(contract),
                unknown=estimate is None,
                negative=this_year.kwh < 0,
                uses_water=estimate is not None
                and (estimate.water_m3_old != 0 or estimate.water_m3_new != 0),
            )
        )
    return SavingsStatement(
        household=household,
        year=year,
        until=until,
        rows=tuple(rows),
        per_year=dict(sorted(per_year.items())),
        year_total=per_year.get(year, savings.PeriodSavings()),
        since_total=impact.total(per_year),
    )


def _savings_chart(per_year: dict[int, savings.PeriodSavings]) -> SafeString:
    years = list(per_year)
    values = [per_year[y].eur + per_year[y].water_eur for y in years]
    chart = charts.bar_chart(
        title=_("Money saved each year"),
        labels=[str(y) for y in years],
        values=values,
        unit="",
        fmt=_money,
        tick_fmt=_whole_money,
        empty_text=_("There are no figures yet."),
    )
    return mark_safe(chart)  # noqa: S308 -- the chart escapes every text


def savings_statement_html(
    *,
    household: Household,
    year: int,
    today: date | None = None,
    contracts: QuerySet[Contract] | None = None,
) -> str:
    language = household.language
    with translation.override(language):
        data = savings_statement_data(
            household=household, year=year, today=today, contracts=contracts
        )
        first = data.rows[0].contract if data.rows else None
        contact = _contact(first.collector, first.programme.lead_organisation) if first else None
        since_money = data.since_total.eur + data.since_total.water_eur
        context = {
            **{field.name: getattr(data, field.name) for field in fields(data)},
            "chart": _savings_chart(data.per_year),
            "contact": contact,
            "any_negative": any(r.negative for r in data.rows),
            "since_money": since_money,
            "since_money_abs": abs(since_money),
            "footer_reference": household.reference,
        }
        return _render("rentals/pdf/savings_statement.html", context, language)


def savings_statement_pdf(
    *,
    household: Household,
    year: int,
    today: date | None = None,
    contracts: QuerySet[Contract] | None = None,
) -> bytes:
    """'What you saved in {year}': per appliance and in total, with a chart per year; of the
    `contracts` given (those the reader may see), or of all the household's."""
    return render_pdf(
        savings_statement_html(household=household, year=year, today=today, contracts=contracts)
    )


# ----------------------------------------------------------------- remittance statement
def _remittance_row(row: RemittanceProgramme | RemittanceTotals) -> dict[str, Any]:
    """A programme's or the totals' figures as the document names them."""
    return {
        "programme": getattr(row, "programme", ""),
        "households": row.households,
        "contracts": row.contracts,
        "charged": row.tenant_charged,
        "subsidy": row.subsidy,
        "collected": row.collected,
        "open": row.open_at_year_end,
    }


def _month_totals(programmes: Iterable[RemittanceProgramme]) -> list[dict[str, Any]]:
    charged: dict[date, Decimal] = defaultdict(lambda: ZERO)
    collected: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for programme in programmes:
        for month in programme.months:
            charged[month.month] += month.tenant_charged
            collected[month.month] += month.collected
    return [{"month": m, "charged": charged[m], "collected": collected[m]} for m in sorted(charged)]


def _remittance_chart(months: list[dict[str, Any]]) -> SafeString:
    # Side by side, not stacked: what is collected in a month may pay earlier months' charges.
    chart = charts.grouped_bar_chart(
        title=_("Charged and collected per month"),
        labels=[format_date(m["month"], "LLL", locale=_locale()) for m in months],
        series=[
            (_("Charged"), [m["charged"] for m in months]),
            (_("Collected"), [m["collected"] for m in months]),
        ],
        unit="",
        fmt=_money,
        tick_fmt=_whole_money,
        empty_text=_("There are no figures yet."),
    )
    return mark_safe(chart)  # noqa: S308 -- the chart escapes every text


def remittance_statement_html(*, organisation: Organisation, year: int, data: Remittance) -> str:
    """See remittance_statement_pdf."""
    language = organisation.language
    with translation.override(language):
        months = _month_totals(data.programmes)
        name = data.collector or organisation.name
        context = {
            "organisation": organisation,
            "organisation_name": name,
            "year": data.year,
            "programmes": [_remittance_row(row) for row in data.programmes],
            "totals": _remittance_row(data.totals),
            "received": data.totals.received,
            "months": months,
            "chart": _remittance_chart(months),
            "today": timezone.localdate(),
            "footer_reference": f"{name} · {year}",
        }
        return _render("rentals/pdf/remittance_statement.html", context, language)


def remittance_statement_pdf(*, organisation: Organisation, year: int, data: Remittance) -> bytes:
    """The yearly remittance statement of a collecting organisation: per programme and in total
    what was charged, collected and still open, and a chart per month. `data` comes from
    rentals.selectors.remittance_data(acting=..., year=...)."""
    return render_pdf(remittance_statement_html(organisation=organisation, year=year, data=data))


# ----------------------------------------------------------------- the dashboard workbook
# ---------------------------------------------------------------- Excel export
def _autosize(sheet: Any) -> None:
    for column in sheet.columns:
        width = max(len(str(cell.value)) if cell.value is not None else 0 for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)


def _sheet(workbook: Any, title: str, header: list[str], rows: list[list[Any]]) -> Any:
    # Imported here, like the Workbook in workbook_bytes: only an export needs openpyxl.
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    _autosize(sheet)
    return sheet


def workbook_bytes(programme: Programme, today: date | None = None) -> bytes:
    """The dashboard's figures as an .xlsx file: summary, months, units, waiting list, tickets.

    Counts and sums only; no household is named. Amounts are numbers (not text), so they can
    be added up in the spreadsheet.
    """
    # Imported here: openpyxl takes a second or so to load; only an export needs it.
    from openpyxl import Workbook

    today = today or timezone.localdate()
    workbook = Workbook()
    workbook.remove(workbook.active)
    # Fresh figures (not the page's cache): an export is asked for now and then, and is kept.
    money_figures = dashboard.money(programme, today)
    categories = dashboard.by_category(programme)
    ticket_figures = dashboard.tickets(programme)
    figures = dashboard.summary(
        programme,
        today,
        money_figures=money_figures,
        categories=categories,
        ticket_figures=ticket_figures,
    )
    _sheet(
        workbook,
        _("Summary"),
        [_("Figure"), _("Value")],
        [
            [_("Programme"), programme.name],
            [_("Date"), today],
            [_("Households enrolled"), figures.households_enrolled],
            [_("Households with an appliance"), figures.households_with_appliance],
            [_("Active contracts"), figures.active_contracts],
            [_("Units"), figures.units],
            [_("Applications waiting"), figures.waiting],
            [_("Open tickets"), figures.open_tickets],
            [_("Overdue tickets"), figures.overdue_tickets],
            [_("Billed to tenants since the start (EUR)"), figures.billed_total],
            [_("Collected since the start (EUR)"), figures.collected_total],
            [_("Arrears (EUR)"), figures.arrears],
            [_("Households in arrears"), figures.households_in_arrears],
        ],
    )
    months = _sheet(
        workbook,
        _("Billing per month"),
        [
            _("Month"),
            _("Charges"),
            _("Tenant part (EUR)"),
            _("Subsidy part (EUR)"),
            _("Collected (EUR)"),
            _("Open (EUR)"),
        ],
        [
            [m.key, m.charges, m.billed, m.subsidy, m.collected, m.open]
            for m in reversed(money_figures.months)
        ],
    )
    for row in months.iter_rows(min_row=2, min_col=3, max_col=6):
        for cell in row:
            cell.number_format = "#,##0.00"
    statuses = list(UnitStatus)
    _sheet(
        workbook,
        _("Units"),
        [_("Appliance"), *[str(s.label) for s in statuses], _("Total"), _("Active contracts")],
        [
            [
                row.label,
                *[row.by_status.get(s.value, 0) for s in statuses],
                row.units,
                row.active_contracts,
            ]
            for row in categories
        ],
    )
    _sheet(
        workbook,
        _("Waiting list"),
        [_("Appliance"), _("Applications waiting"), _("With priority"), _("Units in stock")],
        [[row.label, row.waiting, row.waiting_priority, row.in_stock] for row in categories],
    )
    _sheet(
        workbook,
        _("Tickets"),
        [_("Open for (days)"), _("Open tickets")],
        [
            *[[band, n] for band, n in ticket_figures.bands],
            [_("Total open"), ticket_figures.open],
            [_("Overdue"), ticket_figures.overdue],
            [_("Resolved in the last 90 days"), ticket_figures.resolved_last_90_days],
            [
                _("Average days to resolve"),
                float(ticket_figures.average_days_to_resolve)
                if ticket_figures.average_days_to_resolve is not None
                else None,
            ],
        ],
    )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
