"""The OpenAPI schema tells the truth: one component per type, enums equal to the models'
choices, and a schema-driven fuzz run (schemathesis) finds no 5xx and no answer the schema
does not describe."""

import enum
import importlib
import importlib.util
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, models
from django.test import SimpleTestCase
from hypothesis import HealthCheck, Phase, given, settings
from ninja.openapi.schema import OpenAPISchema

from core.tests.walk import WalkTestCase
from core.tokens import api_token_create
from wijk.api import WijkOpenAPISchema, api

API = "/api/v1/"


def _project_apps() -> tuple[str, ...]:
    """Our own apps (those inside the repository), so a new programme app is checked too."""
    root = django_settings.BASE_DIR
    return tuple(c.label for c in apps.get_app_configs() if Path(c.path).parent == root)


def _recording(base: type[OpenAPISchema]) -> type[OpenAPISchema]:
    """`base`, remembering every definition each operation contributed under each name."""

    class Recording(base):  # type: ignore[valid-type,misc]
        seen: dict[str, list[Any]]

        def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
            if not hasattr(self, "seen"):
                self.seen = {}
            for name, definition in definitions.items():
                self.seen.setdefault(name, [])
                if definition not in self.seen[name]:
                    self.seen[name].append(definition)
            super().add_schema_definitions(definitions)

    return Recording


def overwritten(base: type[OpenAPISchema]) -> dict[str, list[Any]]:
    """Component names that two operations defined differently: Ninja merges the components
    of the operations by name, so all but the last of them were silently lost."""
    schema: Any = _recording(base)(api, API)
    return {name: defs for name, defs in schema.seen.items() if len(defs) > 1}


def _all_choices() -> Iterator[type[models.Choices]]:
    stack: list[type[models.Choices]] = [models.TextChoices, models.IntegerChoices]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in _project_apps():
            yield cls


def _component_name(cls: type) -> str:
    # The name wijk.api.QualifiedNames gives: enclosing classes joined, module left out.
    return cls.__qualname__.replace(".", "")


class ComponentNamesTest(SimpleTestCase):
    def test_no_operation_overwrites_another_ones_component(self) -> None:
        self.assertEqual(overwritten(WijkOpenAPISchema), {})

    def test_the_check_catches_ninjas_default_naming(self) -> None:
        # The bug this guards against: with Ninja's own generator, `Contract.Status`,
        # `Visit.Status`, `BankLine.Status`... all became "Status", and one won.
        lost = overwritten(OpenAPISchema)
        self.assertLessEqual({"Status", "Kind", "Role"}, set(lost))

    def test_component_names_are_unique_and_every_reference_resolves(self) -> None:
        schema = api.get_openapi_schema(path_prefix=API)
        components = schema["components"]["schemas"]
        refs: set[str] = set()

        def collect(node: Any) -> None:
            if isinstance(node, dict):
                if isinstance(node.get("$ref"), str):
                    refs.add(node["$ref"].rsplit("/", 1)[-1])
                for value in node.values():
                    collect(value)
            elif isinstance(node, list):
                for value in node:
                    collect(value)

        collect(dict(schema))
        self.assertEqual(refs - set(components), set())
        lowered = [name.lower() for name in components]
        self.assertEqual(len(lowered), len(set(lowered)))

    def test_every_enum_equals_the_models_choices(self) -> None:
        components = api.get_openapi_schema(path_prefix=API)["components"]["schemas"]
        choices = {_component_name(cls): cls for cls in _all_choices()}
        fields = [
            field
            for model in _models()
            for field in model._meta.get_fields()
            if getattr(field, "choices", None)
        ]
        problems = []
        enums = {name: c["enum"] for name, c in components.items() if "enum" in c}
        self.assertGreater(len(enums), 15)
        for name, values in enums.items():
            cls = choices.get(name)
            if cls is None:
                # An enum of the API itself (e.g. the export format), not of a model field.
                problems += [] if _api_enum(name) else [f"{name}: no model choices of that name"]
                continue
            if values != [member.value for member in cls]:
                problems.append(f"{name}: schema {values} != model {cls.values}")
            if not any(list(f.choices) == list(cls.choices) for f in fields):  # type: ignore[union-attr,arg-type]
                problems.append(f"{name}: no model field uses these choices")
        self.assertEqual(problems, [])


def _models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in _project_apps()]


def _api_enum(name: str) -> bool:
    modules = [
        importlib.import_module(f"{label}.api")
        for label in _project_apps()
        if importlib.util.find_spec(f"{label}.api") is not None
    ]
    return any(
        isinstance(getattr(module, name, None), type)
        and issubclass(getattr(module, name), enum.Enum)
        for module in modules
    )


class FuzzTest(WalkTestCase):
    """Schemathesis against the Django app through WSGI, as the lead's coordinator.

    A few examples per operation, derandomised (the same examples on every run) and without
    shrinking, so the run is small, fast and repeatable. Path parameters name real records of
    the world (core/tests/walk.py), so the generated bodies reach the services instead of a
    404 for an id that does not exist."""

    EXAMPLES = 6

    def test_no_server_error_and_every_answer_matches_the_schema(self) -> None:
        import schemathesis
        from schemathesis.checks import not_a_server_error
        from schemathesis.specs.openapi.checks import (
            content_type_conformance,
            response_schema_conformance,
            status_code_conformance,
        )

        # As Django's test client does: the app must not close the test's connection (and its
        # transaction) at the end of each request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        self.addCleanup(request_started.connect, close_old_connections)
        self.addCleanup(request_finished.connect, close_old_connections)

        token = api_token_create(user=self.cora)
        headers = {"Authorization": f"Bearer {token}"}
        schema = schemathesis.openapi.from_wsgi(f"{API}openapi.json", get_wsgi_application())
        checks = [
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
        failures: list[str] = []
        operations = 0
        objects = self.objects()
        statuses: Counter[int] = Counter()
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]
            operations += 1
            names = re.findall(r"{(\w+)}", operation.path)
            real = {name: getattr(objects[name], "pk", objects[name]) for name in names}
            strategy = operation.as_strategy(path_parameters=real or None)

            @settings(
                max_examples=self.EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is enough
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case: Any) -> None:
                call_headers = headers
                if case.operation.path.endswith("/auth/token/revoke"):
                    # It would revoke the fuzzer's own token: each call gets a token of its own.
                    call_headers = {"Authorization": f"Bearer {api_token_create(user=self.cora)}"}
                response = case.call(headers=call_headers)
                statuses[response.status_code // 100] += 1
                case.validate_response(response, checks=checks, headers=call_headers)

            try:
                run()
            except Exception as exc:  # a check failed: record it, go on with the next one
                failures.append(f"{operation.label}: {str(exc)[:1500]}")
        self.assertGreater(operations, 40)
        # The examples reach the services: many succeed, not only 404s for ids that do not exist.
        self.assertGreater(statuses[2], 80, statuses)
        self.assertEqual(failures, [], "\n\n".join(failures))


class UnreadableBodyTest(WalkTestCase):
    def test_a_multipart_body_without_a_boundary_is_a_400_not_a_500(self) -> None:
        token = api_token_create(user=self.ines)
        response = self.client.generic(
            "POST",
            f"{API}rentals/bank-imports",
            b"--x\r\n",
            content_type="multipart/form-data",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("could not be read", response.json()["message"])
