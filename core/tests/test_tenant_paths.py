"""Every model of ours declares tenant paths, and every path leads to an Organisation.

"Ours" is every installed app whose code lives in this repository (core, households, rentals
and each programme app added later), so a new app or model is covered without editing this
test. Django's own models (users, sessions, permissions) hold no organisation's records:
accounts are reached through core.Membership, which does declare its tenant path.
A model of ours that really holds no personal or organisation-owned data would be listed in
REFERENCE_DATA with the reason; today there is none.
"""

import sys
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.test import SimpleTestCase

from core.models import Organisation
from households.models import Household

REFERENCE_DATA: dict[str, str] = {}


def our_models() -> list[type[models.Model]]:
    base = Path(settings.BASE_DIR).resolve()
    installed = Path(sys.prefix).resolve()  # the virtualenv may live inside the repository
    return [
        model
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        and not Path(config.path).resolve().is_relative_to(installed)
        for model in config.get_models()
    ]


def _resolve(model: type[models.Model], lookup: str) -> Any:
    """The model a lookup of relations ends on, or the last field when it ends on a value.
    Lookups like `status__in` end on the field; a FieldDoesNotExist names the bad part."""
    current: Any = model
    field: Any = None
    for name in lookup.split("__"):
        if field is not None and field.related_model is None:
            return field  # a lookup such as "in" after a plain field
        field = current._meta.get_field(name)
        current = field.related_model
    return current if current is not None else field


def path_problems(model: type[models.Model]) -> list[str]:
    paths = getattr(model, "tenant_paths", None)
    if not paths:
        return [f"{model._meta.label}: no tenant_paths"]
    problems = []
    for path in paths:
        lookup, extra = (path, {}) if isinstance(path, str) else path
        if lookup == "pk":
            if model is not Organisation:
                problems.append(f"{model._meta.label}: 'pk' is a path only on Organisation")
            continue
        try:
            end = _resolve(model, lookup)
            for condition in extra:
                _resolve(model, condition)
        except FieldDoesNotExist as exc:
            problems.append(f"{model._meta.label}: {path!r} does not resolve ({exc})")
            continue
        if end is not Organisation:
            problems.append(f"{model._meta.label}: {lookup!r} does not lead to an Organisation")
    return problems


class TenantPathsTest(SimpleTestCase):
    def test_every_model_of_ours_declares_paths_that_lead_to_an_organisation(self) -> None:
        checked = [m for m in our_models() if m._meta.label not in REFERENCE_DATA]
        self.assertGreater(len(checked), 25)
        self.assertIn(Household, checked)
        problems = [p for model in checked for p in path_problems(model)]
        self.assertEqual(problems, [])

    def test_the_check_catches_missing_and_broken_paths(self) -> None:
        class Fake:
            _meta = Household._meta

        Fake.tenant_paths = ()  # type: ignore[attr-defined]
        self.assertEqual(path_problems(Fake), ["households.Household: no tenant_paths"])  # type: ignore[arg-type]
        Fake.tenant_paths = (  # type: ignore[attr-defined]
            "organisation__nowhere",
            "street",
            "enrolments__programme",
            ("organisation", {"enrolments__colour": "red"}),
            "pk",
        )
        problems = path_problems(Fake)  # type: ignore[arg-type]
        self.assertEqual(len(problems), 5, problems)
