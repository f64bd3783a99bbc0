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


def load_demo_adoptions(context: "DemoContext") -> None:
    # Imported here: the demo stays out of every web process.
    from practices.demo import adopt_programmes

    adopt_programmes(context)


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
            demo_loaders=(
                # After the rental set-up (7), before the households (10) enrol in it.
                DemoLoader(order=8, load=load_demo_adoptions),
                DemoLoader(order=90, load=load_demo),
            ),
        )
    )
