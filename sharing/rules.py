"""The relations energy sharing checks on top of tenancy (see core.permissions)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.permissions import is_lead
from core.tenancy import Acting
from sharing.models import Community, Participant


def leads(acting: Acting, community: Community) -> bool:
    """The acting organisation leads the community's programme."""
    return is_lead(acting, community.programme)


def require_lead(acting: Acting, community: Community, permission: str) -> None:
    """The permission, for the lead organisation of the community's programme."""
    acting.require(permission)
    if not leads(acting, community):
        raise PermissionDenied(_("Only the lead organisation of the programme can do this."))


def may_see_participant(acting: Acting, participant: Participant) -> bool:
    """sharing.view for the lead, or for the organisation that registered the household."""
    if not acting.can("sharing.view"):
        return False
    if leads(acting, participant.community):
        return True
    household = participant.household
    return household is not None and household.organisation_id == acting.organisation.pk


def require_participant(acting: Acting, participant: Participant) -> None:
    if not may_see_participant(acting, participant):
        raise PermissionDenied
