"""End to end in a real headless Chromium: one washing machine from intake to the yearly
savings statement.

intake → waiting list → contract → signing → contract PDF → the coordinator assigns the
technician → the technician installs (old appliance recycled) → three months billed → a bank
statement (CAMT.053) pays one month → a breakdown ticket → a swap visit → the technician swaps
the unit → the savings statement PDF. The resident's own way to report a breakdown (link and
PIN) is the second test: from the resident's report to the coordinator's notification, the
repair visit planned for the technician, his report, and back to the resident's page.

The installation is dated three months back, so that the three billed months are past months
(the billing page bills at most one month ahead). The technician's page records a visit as
done "today" and offers no date field, so for that one step the test sets Django's clock
(timezone.localdate) back to the installation day: the visit then happens on that day, as it
would have in real life three months ago.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.tenancy import Acting, acting_for
from rentals import services
from rentals.models import (
    Application,
    BankLine,
    Charge,
    Contract,
    ContractUnit,
    Payment,
    Ticket,
    Unit,
    UnitStatus,
    Visit,
)
from rentals.services.resident import resident_access_issue
from rentals.tests.cast import build_rental_cast
from wijk.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    pass


def _acting(user: Any) -> Acting:
    acting = acting_for(user)
    assert acting is not None
    return acting


@pytest.fixture
def cast() -> Any:
    """The shared cast plus the rental set-up of rentals/tests/cast.py, through the services."""
    ns: Any = Cast()
    build_cast(ns)
    build_rental_cast(ns)
    return ns


# ---------------------------------------------------------------- helpers
def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, min(day.day, 28))


@contextmanager
def django_today(day: date) -> Iterator[None]:
    """Django's "today" (timezone.localdate() without argument) is `day`, in every thread.

    The clock itself (timezone.now) is left alone, so sessions and CSRF keep working.
    """
    real = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> date:
        if value is None:
            return day
        return real(value, timezone)

    timezone.localdate = localdate
    try:
        yield
    finally:
        timezone.localdate = real


def log_in(browser: Any, base: str, username: str) -> Any:
    """A new browser context (its own cookies) with `username` logged in; returns its page."""
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(base + "/")
    return page


def fetch_pdf(page: Any, url: str) -> bytes:
    """GET with the page's cookies; the answer must be a PDF."""
    response = page.request.get(url)
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf"
    body: bytes = response.body()
    assert body.startswith(b"%PDF")
    return body


def camt053(*, reference: str, amount: Decimal, booked_on: date, bank_ref: str) -> bytes:
    """A one-entry CAMT.053 statement, shaped like rentals/tests/data/camt053_sample.xml."""
    day = booked_on.isoformat()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>CAMT053-E2E-0001</MsgId><CreDtTm>{day}T06:12:44</CreDtTm></GrpHdr>
    <Stmt>
      <Id>E2E-0001</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>{day}T06:12:44</CreDtTm>
      <Acct>
        <Id><IBAN>BE62510007547061</IBAN></Id>
        <Ccy>EUR</Ccy>
        <Ownr><Nm>OCMW Brugge</Nm></Ownr>
      </Acct>
      <Ntry>
        <NtryRef>1</NtryRef>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>{bank_ref}</AcctSvcrRef>
        <BkTxCd>
          <Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>
        </BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><AcctSvcrRef>{bank_ref}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>
            <RltdPties>
              <Dbtr><Nm>JANSENS AN</Nm></Dbtr>
              <DbtrAcct><Id><IBAN>BE71096123456769</IBAN></Id></DbtrAcct>
            </RltdPties>
            <RmtInf>
              <Strd>
                <CdtrRefInf>
                  <Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>
                  <Ref>{reference}</Ref>
                </CdtrRefInf>
              </Strd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


# ---------------------------------------------------------------- the test
def test_washing_machine_from_intake_to_savings_statement(
    live_server: Any, browser: Any, page: Any, cast: Any
) -> None:
    base = live_server.url
    household = cast.jansens
    today = timezone.localdate()
    # The 15th: the installation month is always a partial month, whatever day today is.
    installed_on = add_months(today, -3).replace(day=15)
    months = [add_months(installed_on.replace(day=1), n) for n in range(3)]

    # ---- intake: Ines (intake worker of the OCMW) applies for a washing machine
    ines = page
    ines.goto(base + "/accounts/login/")
    ines.fill("input[name=username]", "ines")
    ines.fill("input[name=password]", PASSWORD)
    ines.click("form[action='/accounts/login/'] button[type=submit]")
    ines.wait_for_url(base + "/")

    ines.goto(base + f"/rentals/households/{household.pk}/")
    ines.click(f"a[href='/rentals/households/{household.pk}/apply/']")
    ines.wait_for_url(re.compile(rf"/rentals/households/{household.pk}/apply/$"))
    ines.select_option("select[name=programme]", str(cast.rental.pk))
    ines.select_option("select[name=category]", "washing_machine")
    expect(ines.locator("input[name=has_old_appliance]")).to_be_checked()
    ines.select_option("select[name=old_age_band]", ">15")
    ines.fill("input[name=old_label]", "A+")
    ines.select_option("select[name=old_label_scale]", "old")
    ines.fill("input[name=old_measured_kwh]", "310,5")
    ines.click("form:has(select[name=category]) button[type=submit]")
    ines.wait_for_url(re.compile(rf"/rentals/households/{household.pk}/$"))
    application = Application.objects.get(household=household, programme=cast.rental)
    assert application.status == Application.Status.WAITING
    assert application.category == "washing_machine"
    assert application.has_old_appliance
    assert application.old_age_band == ">15"
    assert application.old_label == "A+"
    assert application.old_measured_kwh == Decimal("310.5")

    # ---- waiting list → make contract
    ines.goto(base + f"/rentals/programmes/{cast.rental.pk}/waiting/")
    make_contract = f"form[action='/rentals/applications/{application.pk}/contract/']"
    ines.click(f"{make_contract} button[type=submit]")
    ines.wait_for_url(re.compile(r"/rentals/contracts/\d+/$"))
    contract = Contract.objects.get(application=application)
    unit = contract.unit
    assert contract.status == Contract.Status.DRAFT
    assert unit.status == UnitStatus.RESERVED
    application.refresh_from_db()
    assert application.status == Application.Status.CONTRACTED

    # ---- sign: bank transfer, installation three months ago
    ines.check("form#sign input[name=payment_method][value=transfer]")
    ines.fill("form#sign input[name=installation_on]", installed_on.isoformat())
    ines.click("form#sign button[type=submit]")
    expect(ines.locator("form#sign")).to_have_count(0)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    assert contract.payment_method == "transfer"
    assert (contract.tenant_fee, contract.subsidy) == (Decimal("7.50"), Decimal("2.00"))
    assert re.fullmatch(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", contract.payment_reference)
    installation = Visit.objects.get(contract=contract, kind=Visit.Kind.INSTALLATION)
    assert installation.planned_on == installed_on
    assert installation.status == Visit.Status.PLANNED
    assert installation.technician is None

    # ---- the contract PDF, with Ines's session
    fetch_pdf(ines, base + f"/rentals/contracts/{contract.pk}/contract.pdf")

    # ---- the coordinator assigns Tom on the visit planning page (HTMX form in the row)
    cora = log_in(browser, base, "cora")
    cora.goto(base + f"/rentals/programmes/{cast.rental.pk}/visits/")
    cell = f"#assign-{installation.pk}"
    cora.click(f"{cell} a")
    cora.select_option(f"{cell} select[name=technician]", str(cast.tom.pk))
    expect(cora.locator(f"{cell} input[name=planned_on]")).to_have_value(installed_on.isoformat())
    cora.click(f"{cell} button[type=submit]")
    expect(cora.locator(f"{cell} form")).to_have_count(0)  # back on the list, form closed
    installation.refresh_from_db()
    assert installation.technician == cast.tom
    assert installation.planned_on == installed_on

    # ---- the technician installs on that day; the old appliance goes for recycling
    tom = log_in(browser, base, "tom")
    with django_today(installed_on):
        tom.goto(base + "/rentals/today/")
        visit_link = f"a[href='/rentals/today/{installation.pk}/']"
        expect(tom.locator(f"section:has(#today-heading) {visit_link}")).to_be_visible()
        tom.click(visit_link)
        tom.wait_for_url(re.compile(rf"/rentals/today/{installation.pk}/$"))
        expect(tom.locator("body")).to_contain_text(unit.serial)
        tom.check("input[name=disposal][value=recycled]")
        tom.fill("textarea[name=report]", "Installed and tested; old machine taken away.")
        tom.click("form:has(textarea[name=report]) button[type=submit]")
        tom.wait_for_url(re.compile(r"/rentals/today/$"))
    installation.refresh_from_db()
    contract.refresh_from_db()
    unit.refresh_from_db()
    assert installation.status == Visit.Status.DONE
    assert installation.disposal == Visit.Disposal.RECYCLED
    assert contract.status == Contract.Status.ACTIVE
    assert contract.start_date == installed_on
    assert unit.status == UnitStatus.INSTALLED
    assert list(ContractUnit.objects.filter(contract=contract).values_list("unit", flat=True)) == [
        unit.pk
    ]

    # ---- billing: the installation month and the next two, on the coordinator's page
    for month in months:
        cora.goto(base + f"/rentals/collection/programmes/{cast.rental.pk}/billing/")
        cora.fill("input[name=month]", f"{month:%Y-%m}")
        cora.click("form:has(input[name=month]) button[type=submit]")
        # Billing is a background run: its page shows the bar and what came of it, and leads
        # back to the billing page.
        expect(cora.locator("#run-status")).to_contain_text(f"{month:%Y-%m}")
        expect(cora.locator("#run-status progress")).to_have_attribute("value", "100")
        expect(cora.locator("#run-status.danger")).to_have_count(0)
        cora.click(".breadcrumb a")
        expect(cora.locator("section:has(#months-heading) tbody")).to_contain_text(f"{month:%Y-%m}")
    charges = list(Charge.objects.filter(contract=contract).order_by("month"))
    assert [c.month for c in charges] == months
    assert len(charges) == 3
    # The first month counts the days from the installation (docs/billing.md).
    assert charges[0].tenant_amount < Decimal("7.50")
    assert [c.tenant_amount for c in charges[1:]] == [Decimal("7.50")] * 2
    assert [c.subsidy_amount for c in charges[1:]] == [Decimal("2.00")] * 2
    # Billing a month again adds nothing.
    cora.fill("input[name=month]", f"{months[-1]:%Y-%m}")
    cora.click("form:has(input[name=month]) button[type=submit]")
    expect(cora.locator("#run-status")).to_contain_text(f"{months[-1]:%Y-%m}")
    assert Charge.objects.filter(contract=contract).count() == 3

    # ---- the bank statement: one month's tenant part with the structured reference
    statement = camt053(
        reference=contract.payment_reference,
        amount=Decimal("7.50"),
        booked_on=today,
        bank_ref="E2E0000000001",
    )
    ines.goto(base + "/rentals/collection/imports/upload/")
    ines.set_input_files(
        "input[name=file]",
        files=[{"name": "camt053.xml", "mimeType": "text/xml", "buffer": statement}],
    )
    ines.click("form[action='/rentals/collection/imports/upload/'] button[type=submit]")
    ines.wait_for_url(re.compile(r"/rentals/collection/imports/\d+/$"))
    line = BankLine.objects.get()
    assert line.status == BankLine.Status.MATCHED
    assert line.amount == Decimal("7.50")
    payment = Payment.objects.get(household=household)
    assert payment.bank_line == line
    assert payment.amount == Decimal("7.50")
    assert payment.collector == cast.ocmw
    assert payment.unallocated == Decimal("0.00")
    # The oldest month is settled first, the rest goes to the second month.
    charges = list(Charge.objects.filter(contract=contract).order_by("month"))
    assert charges[0].settled == charges[0].tenant_amount
    assert charges[1].settled == Decimal("7.50") - charges[0].tenant_amount
    assert charges[2].settled == Decimal("0.00")

    # ---- the payment on the household's money page
    ines.goto(base + f"/rentals/collection/households/{household.pk}/")
    payments = ines.locator("section#payments table")
    expect(payments).to_contain_text(contract.payment_reference)
    expect(payments).to_contain_text("7,50")

    # ---- a breakdown reported by phone: Ines opens a ticket from the contract page
    # (The resident page would be the other way in; see test_resident_reports_a_breakdown.)
    ines.goto(base + f"/rentals/contracts/{contract.pk}/")
    ines.click(f"a[href='/rentals/contracts/{contract.pk}/tickets/new/']")
    ines.wait_for_url(re.compile(rf"/rentals/contracts/{contract.pk}/tickets/new/$"))
    ines.check("input[name=channel][value=phone]")
    ines.fill("textarea[name=description]", "De machine draait niet meer, water blijft staan.")
    ines.click("form:has(textarea[name=description]) button[type=submit]")
    ines.wait_for_url(re.compile(r"/rentals/tickets/\d+/$"))
    ticket = Ticket.objects.get(contract=contract)
    assert ticket.channel == Ticket.Channel.PHONE
    assert ticket.status == Ticket.Status.OPEN
    unit.refresh_from_db()
    assert unit.status == UnitStatus.IN_REPAIR

    # ---- Ines plans a swap visit from the ticket, for Tom, today
    ines.goto(base + f"/rentals/tickets/{ticket.pk}/")
    plan = f"form[action='/rentals/tickets/{ticket.pk}/plan/']"
    ines.check(f"{plan} input[name=kind][value=swap]")
    ines.fill(f"{plan} input[name=planned_on]", today.isoformat())
    ines.select_option(f"{plan} select[name=technician]", str(cast.tom.pk))
    ines.click(f"{plan} button[type=submit]")
    expect(ines.locator("section:has(#visits-heading) li")).to_have_count(1)
    swap = Visit.objects.get(contract=contract, kind=Visit.Kind.SWAP)
    assert (swap.ticket, swap.technician, swap.planned_on) == (ticket, cast.tom, today)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PLANNED

    # ---- Tom swaps the unit
    replacement = Unit.objects.get(serial="W-001")
    assert replacement.status == UnitStatus.IN_STOCK
    assert replacement != unit
    tom.goto(base + "/rentals/today/")
    swap_link = f"a[href='/rentals/today/{swap.pk}/']"
    expect(tom.locator(f"section:has(#today-heading) {swap_link}")).to_be_visible()
    tom.click(swap_link)
    tom.wait_for_url(re.compile(rf"/rentals/today/{swap.pk}/$"))
    expect(tom.locator("input[name=disposal]")).to_have_count(0)  # only for installations
    tom.select_option("select[name=replacement]", str(replacement.pk))
    tom.fill("textarea[name=report]", "Pump broken; unit swapped.")
    tom.click("form:has(textarea[name=report]) button[type=submit]")
    tom.wait_for_url(re.compile(r"/rentals/today/$"))

    swap.refresh_from_db()
    ticket.refresh_from_db()
    contract.refresh_from_db()
    unit.refresh_from_db()
    replacement.refresh_from_db()
    assert swap.status == Visit.Status.DONE
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.resolution == Ticket.Resolution.REPLACED
    assert ticket.resolved_at is not None
    assert contract.status == Contract.Status.ACTIVE  # the contract keeps running
    assert contract.unit == replacement
    assert replacement.status == UnitStatus.INSTALLED
    assert unit.status == UnitStatus.IN_REPAIR
    history = list(ContractUnit.objects.filter(contract=contract).order_by("installed_on", "pk"))
    assert [(h.unit_id, h.installed_on, h.removed_on) for h in history] == [
        (unit.pk, installed_on, today),
        (replacement.pk, today, None),
    ]

    # ---- the contract page shows the new unit and the history
    ines.goto(base + f"/rentals/contracts/{contract.pk}/")
    expect(ines.locator("section:has(#unit-heading)")).to_contain_text(replacement.serial)
    expect(ines.locator("section#unit-history tbody tr")).to_have_count(2)
    ines.goto(base + f"/rentals/tickets/{ticket.pk}/")
    expect(ines.locator(f"form[action='/rentals/tickets/{ticket.pk}/plan/']")).to_have_count(0)

    # ---- the yearly savings statement, downloaded from the money page
    ines.goto(base + f"/rentals/collection/households/{household.pk}/")
    savings_url = f"/rentals/collection/households/{household.pk}/savings/{installed_on.year}.pdf"
    with ines.expect_download() as download_info:
        ines.click(f"a[href='{savings_url}']")
    download = download_info.value
    with open(download.path(), "rb") as handle:
        assert handle.read().startswith(b"%PDF")
    fetch_pdf(ines, base + savings_url)

    for other in (cora, tom):
        other.context.close()


# The resident pages use the referrer policy same-origin: with no-referrer Chromium sends
# "Origin: null" with form posts and Django's CSRF check refuses the PIN.
def test_resident_reports_a_breakdown(live_server: Any, browser: Any, cast: Any) -> None:
    base = live_server.url
    household = cast.jansens
    ines, tom = _acting(cast.ines), _acting(cast.tom)
    application = services.application_create(
        acting=ines,
        household=household,
        programme=cast.rental,
        category="washing_machine",
        old_age_band=">15",
    )
    contract = services.contract_draft(acting=ines, application=application)
    contract = services.contract_sign(
        acting=ines,
        contract=contract,
        payment_method="transfer",
        installation_on=timezone.localdate(),
    )
    visit = contract.visits.get(kind=Visit.Kind.INSTALLATION)
    services.visit_assign(acting=_acting(cast.cora), visit=visit, technician=cast.tom)
    services.visit_complete(acting=tom, visit=visit, disposal="recycled")
    key, pin = resident_access_issue(acting=ines, household=household)

    context = browser.new_context(locale="nl-BE")
    try:
        resident = context.new_page()
        resident.set_default_timeout(10_000)
        resident.goto(base + f"/r/{key}/")
        resident.fill("input[name=pin]", pin)
        with resident.expect_navigation() as opened:
            resident.click(f"form[action='/r/{key}/'] button[type=submit]")
        assert opened.value.status == 200, f"the PIN form answered {opened.value.status}"
        assert resident.url == base + f"/r/{key}/home/"
        expect(resident.locator("#appliances-title + ul")).to_contain_text("Bosch WAN28")

        resident.click(f"a[href='/r/{key}/breakdown/']")
        resident.check(f"input[name=contract][value='{contract.pk}']")
        resident.fill("textarea[name=description]", "Hij draait niet meer.")
        with resident.expect_navigation() as sent:
            resident.click(f"form[action='/r/{key}/breakdown/'] button[type=submit]")
        assert sent.value.status == 200, f"the breakdown form answered {sent.value.status}"
        assert resident.url == base + f"/r/{key}/breakdown/sent/"
        ticket = Ticket.objects.get(contract=contract)
        assert ticket.channel == Ticket.Channel.RESIDENT
        assert ticket.status == Ticket.Status.OPEN
        assert Unit.objects.get(pk=contract.unit_id).status == UnitStatus.IN_REPAIR

        # ---- back on their page, the resident sees the open report, no visit yet
        resident.goto(base + f"/r/{key}/home/")
        reports = resident.locator("section:has(#reports-title)")
        expect(reports).to_be_visible()
        expect(reports.locator("strong")).to_have_count(0)  # no visit date yet

        # ---- reporting again adds to the same ticket
        resident.goto(base + f"/r/{key}/breakdown/")
        resident.check(f"input[name=contract][value='{contract.pk}']")
        resident.fill("textarea[name=description]", "Nog altijd kapot.")
        with resident.expect_navigation():
            resident.click(f"form[action='/r/{key}/breakdown/'] button[type=submit]")
        assert Ticket.objects.filter(contract=contract).count() == 1
        ticket.refresh_from_db()
        assert ticket.reports == 2

        # ---- the coordinator is notified, opens the ticket and plans a repair for Tom
        cora = log_in(browser, base, "cora")
        expect(cora.locator("a.notifications-link .badge")).to_be_visible()
        cora.goto(base + "/notifications/")
        report_card = cora.locator("li.card", has_text=contract.unit.serial).first
        report_card.locator("button[name=open]").click()
        cora.wait_for_url(re.compile(rf"/rentals/tickets/{ticket.pk}/$"))
        plan = f"form[action='/rentals/tickets/{ticket.pk}/plan/']"
        cora.check(f"{plan} input[name=kind][value=repair]")
        cora.fill(f"{plan} input[name=planned_on]", timezone.localdate().isoformat())
        cora.select_option(f"{plan} select[name=technician]", str(cast.tom.pk))
        cora.click(f"{plan} button[type=submit]")
        expect(cora.locator("section:has(#visits-heading) li")).to_have_count(1)
        repair = Visit.objects.get(contract=contract, kind=Visit.Kind.REPAIR)

        # ---- the resident's page now shows the planned visit
        resident.goto(base + f"/r/{key}/home/")
        expect(resident.locator("section:has(#reports-title) strong")).to_be_visible()

        # ---- Tom, notified of the visit, records the repair on his page
        tom_page = log_in(browser, base, "tom")
        expect(tom_page.locator("a.notifications-link .badge")).to_be_visible()
        tom_page.goto(base + "/rentals/today/")
        tom_page.click(f"a[href='/rentals/today/{repair.pk}/']")
        tom_page.wait_for_url(re.compile(rf"/rentals/today/{repair.pk}/$"))
        tom_page.fill("textarea[name=report]", "Pomp vervangen.")
        tom_page.click("form:has(textarea[name=report]) button[type=submit]")
        tom_page.wait_for_url(re.compile(r"/rentals/today/$"))
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.RESOLVED
        assert Unit.objects.get(pk=contract.unit_id).status == UnitStatus.INSTALLED

        # ---- and back on the resident's page: the report is gone, the appliance works
        resident.goto(base + f"/r/{key}/home/")
        expect(resident.locator("#reports-title")).to_have_count(0)
        for other in (cora, tom_page):
            other.context.close()
    finally:
        context.close()
