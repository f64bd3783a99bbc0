"""Letters that do the work: the plain reminder letter of the first arrears step, and the
payment QR code (EPC069-12, money.epc) that letters and the resident page carry.

The reminder is made when a person takes the step (services.payments.arrears_step_take) and
kept on the step, as the household received it: in the household's language, in plain words,
with the amount behind, the payment reference, the account, whom to call and a QR code any
Belgian or Dutch banking app reads. Like rentals.documents, the functions take records the
caller fetched through core.tenancy and check no permissions themselves.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from django.db import transaction
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import to_locale

from core.models import Organisation
from core.tenancy import Acting
from households.models import Household
from money.epc import EpcError, epc_payload, epc_qr_svg
from rentals import services
from rentals.documents import _contact, _render, render_pdf
from rentals.models import ArrearsStep, Contract

# The letter's date reads the same way in every language: "21 September 2026",
# "21 september 2026", "21 septembre 2026" (never "Sept. 21, 2026").
LETTER_DATE = "d MMMM y"


def letter_date(day: date | None) -> str:
    """A date as a letter writes it, in the active language."""
    if day is None:
        return ""
    return format_date(day, LETTER_DATE, locale=to_locale(translation.get_language() or "nl"))


def payment_qr(
    *, collector: Organisation, amount: Decimal | None, reference: str
) -> SafeString | None:
    """The EPC QR code to pay `amount` to the collector with the reference, as inline SVG;
    None when the collector has no valid IBAN (then there is nothing to scan)."""
    if not collector.iban:
        return None
    try:
        payload = epc_payload(
            name=collector.name[:70],
            iban=collector.iban,
            amount=amount if amount and amount > 0 else None,
            reference=reference,
        )
    except EpcError:
        return None
    svg = epc_qr_svg(payload, scale=3, title=_("Scan with your banking app to pay"))
    return mark_safe(svg)  # noqa: S308 -- segno's SVG of our own payload, no user markup


def _contract_for(step: ArrearsStep, collector: Organisation) -> Contract | None:
    """The contract whose reference the household uses: its running contract with this
    collector (the oldest), else any it had."""
    contracts = Contract.objects.filter(household=step.household, collector=collector)
    if step.programme_id is not None:  # the programme the step is about
        contracts = contracts.filter(programme_id=step.programme_id)
    running = contracts.filter(status__in=(Contract.Status.SIGNED, Contract.Status.ACTIVE))
    return running.order_by("pk").first() or contracts.order_by("pk").first()


def reminder_context(*, step: ArrearsStep, collector: Organisation) -> dict[str, Any]:
    contract = _contract_for(step, collector)
    lead = contract.programme.lead_organisation if contract else collector
    reference = contract.payment_reference if contract else ""
    return {
        "step": step,
        "household": step.household,
        "collector": collector,
        "contract": contract,
        "programme": contract.programme if contract else None,
        "contact": _contact(collector, lead),
        "amount": step.arrears,
        "reference": reference,
        "word_country": lead.country,  # the reference's name (core.words)
        "day": letter_date(step.taken_on),
        "qr": payment_qr(collector=collector, amount=step.arrears, reference=reference),
        "footer_reference": reference,
    }


def reminder_html(*, step: ArrearsStep, collector: Organisation) -> str:
    language = step.household.language
    with translation.override(language):
        context = reminder_context(step=step, collector=collector)
        return _render("rentals/pdf/reminder.html", context, language)


def reminder_pdf(*, step: ArrearsStep, collector: Organisation) -> bytes:
    """The plain reminder letter in the household's language."""
    return render_pdf(reminder_html(step=step, collector=collector))


@transaction.atomic
def arrears_step_take(
    *, acting: Acting, household: Household, level: int, note: str = ""
) -> ArrearsStep:
    """Take an arrears step (services.arrears_step_take); the reminder step comes with its
    letter, made now and kept on the step, ready to print. Pages and demo call this."""
    step = services.arrears_step_take(acting=acting, household=household, level=level, note=note)
    if step.level == ArrearsStep.Level.REMINDER_LETTER:
        letter = reminder_pdf(step=step, collector=acting.organisation)
        services.arrears_letter_keep(acting=acting, step=step, letter=letter)
    return step


def resident_payment(*, household: Household, amount: Decimal) -> dict[str, Any] | None:
    """What the resident page shows to pay `amount` (what the household still has to pay):
    the account, the reference of its first running contract and the QR code; None when
    nothing is due or there is no running contract."""
    if amount <= 0:
        return None
    contract = (
        Contract.objects.filter(
            household=household, status__in=(Contract.Status.SIGNED, Contract.Status.ACTIVE)
        )
        .select_related("collector", "programme__lead_organisation")
        .order_by("start_date", "pk")
        .first()
    )
    if contract is None:
        return None
    collector = contract.collector
    return {
        "collector": collector,
        "reference": contract.payment_reference,
        "word_country": contract.programme.lead_organisation.country,
        "qr": payment_qr(collector=collector, amount=amount, reference=contract.payment_reference),
    }
