"""The rental part of erasing a household (right to be forgotten), called through the programme
seam (core.programmes.ErasureHandler) by households.services.household_erase.

Decision: erasure is refused while a contract is a draft, signed or active. A contract in force
binds the household, the unit and the money; ending it (with the collection of the appliance)
is a person's decision on the contract page, never a side effect of erasure. Once every
contract has ended, erasure removes what identifies the household and keeps the amounts:
- the IBAN, the direct-debit mandate reference and its date leave every contract; contract
  PDFs are never stored but made from the contract on request, so a PDF made after erasure
  carries no IBAN either;
- the bank account name, IBAN and free text of the bank lines its payments came from;
- the notes of arrears steps and the reasons for priority on the waiting list;
- the resident's link and PIN;
- waiting applications are cancelled.
Charges, payments and their allocations stay with their amounts, for the books. Visit reports
and ticket descriptions stay: they are the repair history of the unit, which serves the next
household.
"""

from django.utils.translation import gettext as _

from core.tenancy import Acting
from households.models import Household
from rentals.models import (
    Application,
    ArrearsStep,
    BankLine,
    Contract,
    ResidentAccess,
)

# The placeholder for a stored reason that is erased where the database needs a text.
ERASED = "—"

RUNNING = (Contract.Status.DRAFT, Contract.Status.SIGNED, Contract.Status.ACTIVE)


def erasure_refusals(acting: Acting, household: Household) -> list[str]:
    """Why the household cannot be erased yet: one sentence per contract still in force."""
    refusals = []
    # Every contract counts, whoever sees it: erasure must not leave a running contract behind.
    for contract in Contract.objects.filter(household=household, status__in=RUNNING).order_by("pk"):
        values = {
            "reference": contract.payment_reference,
            "appliance": contract.get_category_display(),
        }
        if contract.status == Contract.Status.ACTIVE:
            message = _(
                "The rental contract %(reference)s (%(appliance)s) is running. End it and have "
                "the appliance collected before you erase the household."
            )
        elif contract.status == Contract.Status.SIGNED:
            message = _(
                "The rental contract %(reference)s (%(appliance)s) is signed and waits for the "
                "installation. Finish or end it before you erase the household."
            )
        else:
            message = _(
                "The rental contract %(reference)s (%(appliance)s) is a draft that reserves an "
                "appliance. Finish or end it before you erase the household."
            )
        refusals.append(message % values)
    return refusals


def erase(acting: Acting, household: Household) -> None:
    """Remove what identifies the household from its rental records; keep the amounts."""
    Contract.objects.filter(household=household).update(
        debtor_iban="", mandate_id="", mandate_signed_on=None
    )
    BankLine.objects.filter(payment__household=household).update(counterparty="", iban="", text="")
    # The reminder letters carry the name and address: they go; the step and amount stay.
    ArrearsStep.objects.filter(household=household).update(note="", letter=b"")
    Application.objects.filter(household=household, status=Application.Status.WAITING).update(
        status=Application.Status.CANCELLED
    )
    # A priority needs a reason (a database constraint): the reason itself is erased.
    Application.objects.filter(household=household).exclude(priority_reason="").update(
        priority_reason=ERASED
    )
    ResidentAccess.objects.filter(household=household).delete()
