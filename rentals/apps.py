from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RentalsConfig(AppConfig):
    name = "rentals"
    verbose_name = _("Appliance rental")

    def ready(self) -> None:
        from households.signals import household_erased
        from rentals.models import ResidentAccess

        def forget_resident_access(sender: object, household: Any, **kwargs: object) -> None:
            ResidentAccess.objects.filter(household=household).delete()

        household_erased.connect(forget_resident_access, weak=False)
