from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Organisations and programmes")

    def ready(self) -> None:
        # The "To do" panel of the home page (core.notifications) registers like an app.
        from core import notifications

        notifications.register()
