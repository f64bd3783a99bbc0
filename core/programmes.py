"""The programme seam: what each programme app adds to the shared pages, export and erasure.

`core` and `households` render what is registered here and import no programme app; a programme
app registers one `ProgrammeApp` from its `AppConfig.ready()`:

    # repaircafe/apps.py
    class RepairCafeConfig(AppConfig):
        name = "repaircafe"

        def ready(self) -> None:
            from repaircafe import programme

            programme.register()

    # repaircafe/programme.py
    def register() -> None:
        registry.register(
            ProgrammeApp(
                label="repaircafe",
                kind="repair_cafe",
                nav=(NavItem(label=_("My visits"), url_name="repaircafe:today",
                             permission="visit.do"),),
                household_sections=(
                    HouseholdSection("repaircafe/parts/household.html", household_section),
                ),
                export_parts=(ExportPart("repaircafe", export_data, "repaircafe/export.html"),),
                erasure=(ErasureHandler(refusals=erasure_refusals, erase=erase),),
                demo_loaders=(DemoLoader(order=20, load=load_demo),),
            )
        )

Every hook gets the acting user and organisation (`core.tenancy.Acting`) and decides itself
what that organisation may see: a context function returns None to show nothing. See
docs/architecture.md, "Programmes plug in".
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ImproperlyConfigured
from django.urls import ResolverMatch, reverse
from django.utils.functional import Promise

from core.models import Programme
from core.tenancy import Acting

if TYPE_CHECKING:
    from core.demo import DemoContext
    from core.handoffs import RequestTaker, VisitHandoff

Label = str | Promise  # a translated string, lazily or not
Context = Mapping[str, Any]
# The household is a households.Household; core may not import it (the layers), and a hook
# typed for a Household must be accepted, so core types it loosely.
Household = Any


@dataclass(frozen=True)
class NavItem:
    """An item of the main menu, shown to those with `permission` for whom `when` holds."""

    label: Label
    url_name: str
    permission: str | None = None
    when: Callable[[Acting], bool] | None = None
    # The item is the current one on every page of this URL namespace; without one, on every
    # page whose path starts with the item's URL.
    namespace: str = ""
    # Also a button under "Quick links" on the home page.
    on_home: bool = False

    def shown_to(self, acting: Acting) -> bool:
        if self.permission and not acting.can(self.permission):
            return False
        return self.when is None or self.when(acting)


@dataclass(frozen=True)
class HomePanel:
    """A part of the home page: "work" panels come first (today's visits or jobs), "glance"
    panels are the cards under "At a glance"."""

    template: str
    context: Callable[[Acting], Context | None]  # None: the panel is not shown
    permission: str | None = None
    roles: frozenset[str] = frozenset()  # shown to any of these roles; empty: every role
    place: Literal["work", "glance"] = "glance"

    def shown_to(self, acting: Acting) -> bool:
        if self.permission and not acting.can(self.permission):
            return False
        return not self.roles or bool(self.roles & acting.roles)


@dataclass(frozen=True)
class HouseholdSection:
    """A section of the household page; the context function decides what the acting
    organisation may see of this household (None: nothing, the section is left out)."""

    template: str
    context: Callable[[Acting, Household], Context | None]


@dataclass(frozen=True)
class ProgrammeSection:
    """A section of the programme page, for programmes of the app's kind (every programme
    when the app has no kind)."""

    template: str
    context: Callable[[Acting, Programme], Context | None]


@dataclass(frozen=True)
class ExportPart:
    """The app's part of a household's export (right of access).

    `data` returns JSON-able values (dates, decimals and strings are fine): everything the
    app keeps about the household that the acting organisation may see. The PDF template is
    a fragment included in the export PDF with `part` (that data) and `household`.
    """

    key: str  # the key in the JSON export, e.g. "rentals"
    data: Callable[[Acting, Household], dict[str, Any]]
    pdf_template: str


@dataclass(frozen=True)
class ErasureHandler:
    """The app's part of erasing a household (right to be forgotten).

    `refusals` returns translated reasons why the household cannot be erased now (e.g. a
    running contract); any refusal stops the whole erasure before anything changes. `erase`
    runs inside the erasure transaction, after the household's own data is removed, and
    removes or anonymises what the app holds (keeping what the books need).
    """

    refusals: Callable[[Acting, Household], list[str]]
    erase: Callable[[Acting, Household], None]
    # What it removes, in words, for the confirmation page ("What is removed").
    removes: Sequence[Label] = ()


@dataclass(frozen=True)
class DemoLoader:
    """A step of `manage.py demo_data`; steps run in `order` (core's own data comes first,
    households at 10)."""

    order: int
    load: Callable[["DemoContext"], None]


@dataclass(frozen=True)
class Figure:
    """One impact figure of a programme, e.g. kWh saved; aggregates only, never personal."""

    key: str
    label: Label
    value: Decimal | int
    unit: str = ""
    # How many households or persons the figure is about (impact suppresses figures about
    # fewer than 5 wherever they leave the organisation); None: the programme's enrolled
    # households are taken as the base.
    about: int | None = None


ImpactFigures = Callable[[Programme], list[Figure]]
# Figures as of the end of a day (totals so far and levels on that day): impact asks it for
# every month end to draw a programme's figures over time.
ImpactAt = Callable[[Programme, date], list[Figure]]


@dataclass(frozen=True)
class PackageChange:
    """One line of an import preview: what will be created, or what must be adapted."""

    level: Literal["create", "adapt", "warning"]
    text: Label


@dataclass(frozen=True)
class PackagePart:
    """The app's part of a programme package (practices/package.py: a versioned JSON set-up
    another organisation can adopt). Set-up only, never personal data: no household, person,
    IBAN, e-mail, phone or address; practices refuses a package in which it finds one.

    `export(programme)` returns JSON-able data (strings, numbers, booleans, lists, dicts;
    decimals as strings); `preview(data, organisation)` says what importing it into that
    organisation would create and what must be adapted (country rules, tariffs, partners);
    `load(data, programme)` creates it on the new programme, inside the import transaction,
    and raises django.core.exceptions.ValidationError on data it cannot use.
    """

    key: str  # the key under "parts" in the package, e.g. "rentals"
    version: int
    export: Callable[[Programme], dict[str, Any]]
    preview: Callable[[dict[str, Any], Any], list[PackageChange]]
    load: Callable[[dict[str, Any], Programme], None]


@dataclass(frozen=True)
class NoticeKind:
    """A kind of notification (core.notifications): its text, with %(name)s placeholders
    filled from the notification's params, translated when it is read. Mark the text with
    gettext_lazy, or pgettext_lazy where a word is ambiguous."""

    key: str  # e.g. "rentals.ticket_opened"
    text: Label


@dataclass(frozen=True)
class TodoItem:
    """One line of a role's "To do" panel on the home page: what waits, how many, where."""

    label: Label  # already translated, counted ("3 visits nobody is assigned to")
    url: str
    count: int = 0
    urgent: bool = False


@dataclass(frozen=True)
class TodoProvider:
    """What an app puts on the "To do" panel of the home page for those with `permission`
    (and one of `roles`, if given); `items(acting)` returns the open items, empty for none."""

    items: Callable[[Acting], Sequence[TodoItem]]
    permission: str | None = None
    roles: frozenset[str] = frozenset()

    def shown_to(self, acting: Acting) -> bool:
        if self.permission and not acting.can(self.permission):
            return False
        return not self.roles or bool(self.roles & acting.roles)


@dataclass(frozen=True)
class ProgrammeApp:
    """Everything one app adds. `kind` is the Programme.Kind it runs (None for an app that
    serves every programme, as households does)."""

    label: str
    kind: str | None = None
    nav: Sequence[NavItem] = ()
    home_panels: Sequence[HomePanel] = ()
    household_sections: Sequence[HouseholdSection] = ()
    programme_sections: Sequence[ProgrammeSection] = ()
    # URL namespaces whose pages with a `programme_pk` belong under "Programmes" in the menu
    # (unless one of the app's own menu items is the current one).
    programme_namespaces: Sequence[str] = ()
    export_parts: Sequence[ExportPart] = ()
    erasure: Sequence[ErasureHandler] = ()
    demo_loaders: Sequence[DemoLoader] = ()
    impact_figures: Sequence[ImpactFigures] = ()
    notice_kinds: Sequence[NoticeKind] = ()
    todo: Sequence[TodoProvider] = ()
    impact_at: Sequence[ImpactAt] = ()
    package_parts: Sequence[PackagePart] = ()
    # The visit handoff seam (core/handoffs.py): visits an app can hand to a bureau, and
    # the app that takes them as requests.
    visit_handoffs: Sequence["VisitHandoff"] = ()
    request_takers: Sequence["RequestTaker"] = ()


@dataclass
class Registry:
    _apps: dict[str, ProgrammeApp] = field(default_factory=dict)

    def register(self, app: ProgrammeApp) -> None:
        """Add an app. Registering the same label again replaces it: Django calls ready()
        again when a test changes INSTALLED_APPS."""
        for other in self._apps.values():
            if other.label != app.label and app.kind and other.kind == app.kind:
                raise ImproperlyConfigured(
                    f"{app.label} and {other.label} both register programme kind {app.kind}"
                )
        self._apps[app.label] = app

    def unregister(self, label: str) -> None:
        self._apps.pop(label, None)

    @contextmanager
    def registered(self, app: ProgrammeApp) -> Iterator[ProgrammeApp]:
        """For tests: the app is registered inside the block only."""
        previous = self._apps.get(app.label)
        self.register(app)
        try:
            yield app
        finally:
            self.unregister(app.label)
            if previous is not None:
                self._apps[previous.label] = previous

    @property
    def apps(self) -> list[ProgrammeApp]:
        return list(self._apps.values())

    def nav_items(self, acting: Acting) -> list[NavItem]:
        return [item for app in self.apps for item in app.nav if item.shown_to(acting)]

    def home_panels(self, acting: Acting) -> list[HomePanel]:
        return [p for app in self.apps for p in app.home_panels if p.shown_to(acting)]

    def household_sections(self) -> list[HouseholdSection]:
        return [s for app in self.apps for s in app.household_sections]

    def programme_sections(self, programme: Programme) -> list[ProgrammeSection]:
        return [
            s
            for app in self.apps
            if app.kind is None or app.kind == programme.kind
            for s in app.programme_sections
        ]

    def programme_namespaces(self) -> set[str]:
        return {ns for app in self.apps for ns in app.programme_namespaces}

    def export_parts(self) -> list[ExportPart]:
        return [part for app in self.apps for part in app.export_parts]

    def erasure_handlers(self) -> list[ErasureHandler]:
        return [handler for app in self.apps for handler in app.erasure]

    def demo_loaders(self) -> list[DemoLoader]:
        return sorted(
            (loader for app in self.apps for loader in app.demo_loaders), key=lambda d: d.order
        )

    def impact_figures(self, programme: Programme) -> list[Figure]:
        return [
            figure
            for app in self.apps
            if app.kind is None or app.kind == programme.kind
            for figures in app.impact_figures
            for figure in figures(programme)
        ]

    def impact_figures_at(self, programme: Programme, day: date) -> list[Figure] | None:
        """The programme's figures as of a day, from the apps that can say (`impact_at`);
        None when no app of its kind can."""
        hooks = [
            hook
            for app in self.apps
            if app.kind is None or app.kind == programme.kind
            for hook in app.impact_at
        ]
        if not hooks:
            return None
        return [figure for hook in hooks for figure in hook(programme, day)]

    def package_parts(self, kind: str) -> list[PackagePart]:
        return [
            part
            for app in self.apps
            if app.kind is None or app.kind == kind
            for part in app.package_parts
        ]

    def notice_kind(self, key: str) -> NoticeKind | None:
        return next((k for app in self.apps for k in app.notice_kinds if k.key == key), None)

    def todo_items(self, acting: Acting) -> list[TodoItem]:
        return [
            item
            for app in self.apps
            for provider in app.todo
            if provider.shown_to(acting)
            for item in provider.items(acting)
        ]


registry = Registry()


@dataclass(frozen=True)
class Part:
    """A registered template with the context its function gave, ready to render
    (`{% render_part part %}`)."""

    template: str
    context: Context


def home_parts(acting: Acting) -> tuple[list[Part], list[Part]]:
    """The home page's registered panels the acting user gets: (work, glance)."""
    work: list[Part] = []
    glance: list[Part] = []
    for panel in registry.home_panels(acting):
        context = panel.context(acting)
        if context is not None:
            (work if panel.place == "work" else glance).append(Part(panel.template, context))
    return work, glance


def household_parts(acting: Acting, household: Household) -> list[Part]:
    parts = []
    for section in registry.household_sections():
        context = section.context(acting, household)
        if context is not None:
            parts.append(Part(section.template, context))
    return parts


def programme_parts(acting: Acting, programme: Programme) -> list[Part]:
    parts = []
    for section in registry.programme_sections(programme):
        context = section.context(acting, programme)
        if context is not None:
            parts.append(Part(section.template, context))
    return parts


@dataclass(frozen=True)
class MenuLink:
    label: Label
    url: str
    current: bool


@dataclass(frozen=True)
class Menu:
    links: list[MenuLink]
    # A programme's own pages (e.g. /rentals/programmes/3/units/) belong under "Programmes".
    programme_page: bool


def menu(acting: Acting, path: str, match: ResolverMatch | None) -> Menu:
    """The registered menu items the acting user gets, and which one is current."""
    namespace = match.namespace if match else ""
    links = []
    for item in registry.nav_items(acting):
        url = reverse(item.url_name)
        current = namespace == item.namespace if item.namespace else path.startswith(url)
        links.append(MenuLink(item.label, url, current))
    programme_page = (
        match is not None
        and "programme_pk" in match.kwargs
        and namespace in registry.programme_namespaces()
        and not any(link.current for link in links)
    )
    return Menu(links=links, programme_page=programme_page)


def quick_links(acting: Acting) -> list[MenuLink]:
    """The registered menu items that are also buttons on the home page."""
    return [
        MenuLink(item.label, reverse(item.url_name), False)
        for item in registry.nav_items(acting)
        if item.on_home
    ]
