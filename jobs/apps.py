from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Neighbourhood job bureau")

    def ready(self) -> None:
        # What the job bureau adds to the shared pages, export, erasure, demo and impact
        # (core.programmes); imported here because it imports the models.
        from jobs import programme

        programme.register()
