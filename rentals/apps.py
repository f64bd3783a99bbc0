from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RentalsConfig(AppConfig):
    name = "rentals"
    verbose_name = _("Appliance rental")

    def ready(self) -> None:
        # What rentals adds to the shared pages, export, erasure and demo (core.programmes);
        # imported here because it imports the models, which are loaded only now.
        from rentals import programme

        programme.register()
