"""The demo's practices: the sheets behind the demo programmes, in our own words (no text of
the real organisations is copied). Loaded through the registry (practices/programme.py)."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from practices import package, services
from practices.models import Practice

if TYPE_CHECKING:
    from core.demo import DemoContext

RENTAL_NL = {
    "title": "Zuinige huishoudtoestellen huren",
    "summary": (
        "Gezinnen in energiearmoede huren een zuinige wasmachine, koelkast of diepvriezer voor "
        "een klein bedrag per maand. Levering, plaatsing, onderhoud en herstelling zitten erin; "
        "het oude toestel wordt meegenomen en gerecycleerd."
    ),
    "target_group": "Huishoudens met een sociaal tarief, cliënten van het OCMW, lage inkomens.",
    "problem": (
        "Oude toestellen verbruiken veel stroom en water. Wie weinig verdient, kan geen nieuw, "
        "zuinig toestel kopen en betaalt zo elke maand meer."
    ),
    "approach": "\n".join(
        [
            "Het OCMW of de welzijnswerker bespreekt de huur met het gezin.",
            "De organisatie kiest zuinige modellen met de leverancier.",
            "De technicus plaatst het toestel en neemt het oude mee.",
            "Het OCMW int de maandelijkse huur en stort ze één keer per jaar door.",
            "Elk jaar krijgt het gezin een overzicht van wat het bespaarde.",
        ]
    ),
    "partners": "OCMW's of Sociale Huizen, een leverancier met servicedienst, de provincie.",
    "costs": "Huur van 7 à 9 euro per maand, een overheidstoelage van ongeveer 2 euro per toestel.",
    "preconditions": "Een partner die int, een leverancier die herstelt, een startkapitaal.",
    "lessons": "Houd de huur laag en vast; leg elke stap uit in eenvoudige taal.",
    "success_factors": "Het vertrouwen tussen gezin en welzijnswerker; alles-in-één service.",
    "transfer_notes": "Tarieven, toelagen en inningsregels verschillen per land en gemeente.",
}

RENTAL_EN = {
    **RENTAL_NL,
    "title": "Renting efficient household appliances",
    "summary": (
        "Households in energy poverty rent an efficient washing machine, fridge or freezer for "
        "a small monthly fee; delivery, installation, maintenance and repair are included, and "
        "the old appliance is taken away and recycled."
    ),
}

JOBS_NL = {
    "title": "Buurtbaanbureau: werk in de eigen wijk",
    "summary": (
        "Werkzoekenden uit de buurt doen klussen die bewoners nodig hebben: verhuishulp, "
        "transport met de bakfiets, tuin en onderhoud. Zo groeien ze naar betaald werk."
    ),
    "problem": "Mensen ver van de arbeidsmarkt vinden geen eerste stap; bewoners vinden geen hulp.",
    "approach": "Intake en trajectplan.\nKlussen plannen.\nUren registreren.\nOpvolgen naar werk.",
}


def adopt_programmes(context: "DemoContext") -> None:
    """The demo programmes made from another's package (core.demo.ProgrammeSpec.adopted_from):
    Arnhem's appliance rental adopts the West-Flemish programme's package through the service
    the import page uses — preview, then create — and is then adapted to Arnhem (Dutch words,
    Dutch income limits and tariffs, its supplier; rentals/demo.py its fees and appliances).
    A second run finds it and changes nothing."""
    from core.demo import PROGRAMMES, adapt_adopted

    for spec in PROGRAMMES:
        source = context.programmes.get(spec.adopted_from) if spec.adopted_from else None
        if source is None or spec.slug in context.programmes:
            continue
        acting = next(
            a
            for a in context.actings.values()
            if a.organisation.slug == spec.lead and a.can("package.import")
        )
        data = package.build_package(source)
        shown = package.preview(acting=acting, data=data)
        if shown.existing is not None:  # adopted before, under another address
            programme = shown.existing
        else:
            programme, _created = package.package_import(
                acting=acting,
                data=data,
                name=spec.name,
                source=source.lead_organisation.name,
            )
            context.result.count("programmes adopted from a package")
        adapt_adopted(context, spec, programme)


def load_practices(context: "DemoContext") -> None:
    """One practice per demo programme that has a lead organisation with a coordinator."""
    actings: dict[str, Any] = getattr(context, "actings", {}) or {}
    programmes: dict[str, Any] = getattr(context, "programmes", {}) or {}
    for key, programme in programmes.items():
        acting = next(
            (
                a
                for a in actings.values()
                if a.organisation.pk == programme.lead_organisation_id and a.can("practice.manage")
            ),
            None,
        )
        if acting is None or Practice.objects.filter(slug=f"demo-{key}").exists():
            continue
        if programme.kind == "appliance_rental":
            text, themes, extra = RENTAL_NL, ["energy_poverty", "energy"], RENTAL_EN
        elif programme.kind == "job_bureau":
            text, themes, extra = JOBS_NL, ["work", "participation"], None
        else:
            continue
        practice = services.practice_create(
            acting=acting,
            slug=f"demo-{key}",
            themes=themes,
            programme=programme,
            programme_kind=programme.kind,
            original_language="nl",
            contact_name="Demo",
            participatory=True,
            measured=True,
            transferable=True,
            **text,
        )
        if extra:
            services.practice_text_set(acting=acting, practice=practice, language="en", **extra)
        services.practice_result_add(
            acting=acting,
            practice=practice,
            label="Gezinnen die deelnamen in het eerste jaar",
            value=Decimal("48"),
            unit="households",
            about=48,
            source="Eigen jaarverslag (demo)",
            measured_on=date(2025, 12, 31),
        )
        services.practice_publish(acting=acting, practice=practice)
