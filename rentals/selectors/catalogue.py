"""Reads of a programme's rental set-up."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import Programme
from rentals.models import (
    RentalScheme,
)


# ---------------------------------------------------------------- applications
def scheme_for(programme: Programme) -> RentalScheme:
    scheme = RentalScheme.objects.filter(programme=programme).first()
    if scheme is None:
        raise ValidationError(
            {"programme": _("This programme has no rental set-up yet (collector, supplier).")}
        )
    return scheme
