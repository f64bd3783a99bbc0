"""What the practice exchange adds through the programme seam: menu items and the demo's
practices. practices serves every programme kind (kind None)."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from core.programmes import DemoLoader, NavItem, ProgrammeApp, registry

if TYPE_CHECKING:
    from core.demo import DemoContext


def load_demo(context: "DemoContext") -> None:
    from practices.demo import load_practices

    load_practices(context)


def register() -> None:
    registry.register(
        ProgrammeApp(
            label="practices",
            kind=None,
            nav=(
                NavItem(label=_("Practices"), url_name="practices:library", namespace="practices"),
                NavItem(
                    label=_("Impact"),
                    url_name="impact:organisation",
                    permission="impact.view",
                    namespace="impact",
                ),
            ),
            demo_loaders=(DemoLoader(order=90, load=load_demo),),
        )
    )
