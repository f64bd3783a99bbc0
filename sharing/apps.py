from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("Energy sharing")

    def ready(self) -> None:
        # What energy sharing adds to the shared pages, export, erasure and demo
        # (core.programmes); imported here because it imports the models.
        from sharing import programme

        programme.register()
