"""The JSON API under /api/v1: bearer-token authentication, the routers and error answers.

Every error, whatever raised it, is answered as JSON of one shape (core.api.ErrorOut):

    {"message": "...", "field": "postcode" | null, "errors": [{"field": ..., "message": ...}]}

in the language of the request (LocaleMiddleware reads Accept-Language). Bad input is always
a 4xx; the catch-all 500 handler exists only for bugs, and logs them.
"""

import logging
import re
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.schema import NinjaGenerateJsonSchema
from ninja.security import HttpBearer
from pydantic.json_schema import CoreModeRef, DefsRef

from core.access import public
from core.api import router as core_router
from core.permissions import PERMISSIONS
from core.tenancy import Acting
from core.tokens import TokenRefused, api_token_check
from households.api import router as households_router
from impact.api import router as impact_router
from practices.api import router as practices_router

logger = logging.getLogger("wijk.api")


class BearerToken(HttpBearer):
    """`Authorization: Bearer wijk_…`: the token acts for one user in one organisation."""

    def authenticate(self, request: HttpRequest, token: str) -> Acting | None:
        if not token or len(token) > 200:
            return None
        try:
            acting, api_token = api_token_check(token.strip())
        except TokenRefused as exc:
            # An expired or revoked token says so: the client must make a new one.
            raise AuthenticationError(message=str(exc.message)) from exc
        # The token decides the organisation, not a browser session that may be present.
        request.acting = acting  # type: ignore[attr-defined]
        request.api_token = api_token  # type: ignore[attr-defined]
        return acting


# --- OpenAPI schema: one component per type ----------------------------------------------


class QualifiedNames(NinjaGenerateJsonSchema):
    """Components named after the class *with* its enclosing classes: `Contract.Status` becomes
    `ContractStatus`, `Visit.Kind` becomes `VisitKind`.

    Pydantic names a component after the class alone (`Status`), and Ninja generates each
    operation apart and merges the components by name, so the last `Status` silently replaced
    every other one. Module names (lower case) are still left out: `core.models.Country` stays
    `Country`. core/tests/test_openapi.py proves no two types share a name.
    """

    def get_defs_ref(self, core_mode_ref: CoreModeRef) -> DefsRef:
        core_ref, mode = core_mode_ref
        # "rentals.models.Contract.Status:1234" → "rentals.models.ContractStatus:1234"; a ref
        # may hold several names (generic arguments): each run of class names is joined.
        joined = re.sub(r"\b[A-Z]\w*(?:\.[A-Z]\w*)+", lambda m: m[0].replace(".", ""), core_ref)
        return super().get_defs_ref((joined, mode))  # type: ignore[arg-type]


class _WithQualifiedNames:
    """A request or response model of Ninja, whose JSON schema is made with QualifiedNames.
    Ninja fixes the generator class inside OpenAPISchema; handing it this stand-in for the
    model changes only the generator, without copying Ninja's code."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def model_json_schema(self, **kwargs: Any) -> dict[str, Any]:
        return self._model.model_json_schema(**{**kwargs, "schema_generator": QualifiedNames})


class WijkOpenAPISchema(OpenAPISchema):
    def _extract_parameters(self, model: Any) -> list[dict[str, Any]]:
        return super()._extract_parameters(_WithQualifiedNames(model))  # type: ignore[type-var]

    def _create_schema_from_model(self, model: Any, *args: Any, **kwargs: Any) -> Any:
        return super()._create_schema_from_model(  # type: ignore[type-var]
            _WithQualifiedNames(model), *args, **kwargs
        )


class WijkNinjaAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        # The operations are fixed once the URLs are loaded, and building the schema takes
        # about a second: build it once per prefix. Ninja only serialises it; nobody edits it.
        if path_prefix not in self._schemas:
            self._schemas[path_prefix] = WijkOpenAPISchema(self, path_prefix)
        return self._schemas[path_prefix]

    @cached_property
    def _schemas(self) -> dict[str, OpenAPISchema]:
        return {}


api = WijkNinjaAPI(
    title="Wijk API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    description=(
        "The JSON API of Wijk. Get a token with POST /api/v1/auth/token and send it as "
        "`Authorization: Bearer <token>`. Errors are JSON: "
        '`{"message": ..., "field": ..., "errors": [{"field": ..., "message": ...}]}`.'
    ),
)
api.add_router("", core_router)
api.add_router("", households_router)
api.add_router("", impact_router)
api.add_router("", practices_router)


def error_response(
    request: HttpRequest,
    status: int,
    message: str,
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    errors = errors or [{"field": None, "message": message}]
    field = next((e["field"] for e in errors if e["field"]), None)
    return api.create_response(
        request, {"message": message, "field": field, "errors": errors}, status=status
    )


# --- validation ---------------------------------------------------------------------------


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service refused the input: one entry per field and message."""
    errors: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            for message in messages:
                errors.append(
                    {"field": None if name == NON_FIELD_ERRORS else name, "message": message}
                )
    else:
        errors = [{"field": None, "message": message} for message in exc.messages]
    return error_response(request, 422, errors[0]["message"], errors)


def _field_name(loc: tuple[Any, ...]) -> str | None:
    # loc is (source, [param name,] field, ...): body fields are reported by their own name,
    # nested ones as a dotted path ("eligibility_rules.any_of.0").
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or None


def _pydantic_message(error: dict[str, Any]) -> str:
    """The pydantic error in the user's language (pydantic itself speaks only English)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "enum":
        return _("Unknown value; choose one of: %(choices)s.") % {"choices": ctx.get("expected")}
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "value_error":
        return str(ctx.get("error", "")).removeprefix("Value error, ") or _("Invalid value.")
    if kind == "string_too_long":
        return _("At most %(max)s characters.") % {"max": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("At least %(min)s characters.") % {"min": ctx.get("min_length")}
    if kind in ("greater_than", "greater_than_equal"):
        limit = ctx.get("gt", ctx.get("ge"))
        return _("Give a value of at least %(limit)s.") % {"limit": limit}
    if kind in ("less_than", "less_than_equal"):
        limit = ctx.get("lt", ctx.get("le"))
        return _("Give a value of at most %(limit)s.") % {"limit": limit}
    if kind.startswith(("int_", "float_", "decimal_")) or kind == "finite_number":
        if kind.startswith("decimal_max") or kind == "decimal_whole_digits":
            return _("This number has too many digits.")
        return _("Give a number.")
    if kind.startswith("bool_"):
        return _("Give true or false.")
    if kind.startswith(("date_", "datetime_")):
        return _("Give a date as YYYY-MM-DD.")
    if kind.startswith("string_") or kind == "str_type":
        return _("Give text.")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("Give a list.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Give an object.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    return _("Invalid value.")


@api.exception_handler(NinjaValidationError)
def on_ninja_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """The request did not match the schema (wrong type, unknown enum value, missing field)."""
    errors: list[dict[str, Any]] = [
        {"field": _field_name(tuple(e.get("loc", ()))), "message": _pydantic_message(e)}
        for e in exc.errors
    ]
    if not errors:
        errors = [{"field": None, "message": _("Invalid value.")}]
    return error_response(request, 422, errors[0]["message"], errors)


# --- refusals -----------------------------------------------------------------------------


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    text = str(exc)
    # Services raise either a permission name ("household.view") or a sentence for people.
    if not text or text in PERMISSIONS or text == "no organisation":
        text = _("Your role in this organisation does not allow this.")
    return error_response(request, 403, text)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Never echo the lookup: a record of another organisation simply does not exist here.
    return error_response(request, 404, _("Not found."))


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message
    if message == "Unauthorized":  # ninja's own, untranslated default
        message = _(
            "Give a valid API token in the header “Authorization: Bearer <token>”; "
            "get one with POST /api/v1/auth/token."
        )
    response = error_response(request, 401, message)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 429 and not isinstance(exc, Throttled):
        # core.ratelimit's refusal, already in the user's language.
        return error_response(request, 429, str(exc.message))
    messages = {
        # ninja raises 400 when the body cannot be parsed as JSON
        400: _("The request body is not valid JSON."),
        403: _("Your role in this organisation does not allow this."),
        429: _("Too many requests; wait a moment and try again."),
    }
    return error_response(
        request, exc.status_code, messages.get(exc.status_code, _("The request was refused."))
    )


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(
        request,
        413,
        _("The request is too large: at most %(size)s MiB.")
        % {"size": f"{limit / (1024 * 1024):g}"},
    )


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # A client's mistake (no boundary, a cut-off body), not ours: never a 500.
    return error_response(
        request,
        400,
        _("The upload could not be read: send the file as multipart/form-data, field “file”."),
    )


@api.exception_handler(UnreadablePostError)
def on_unreadable(request: HttpRequest, exc: UnreadablePostError) -> HttpResponse:
    # The connection broke off while the body was sent.
    return error_response(request, 400, _("The request was cut off; send it again."))


@api.exception_handler(UnicodeError)
def on_bad_encoding(request: HttpRequest, exc: UnicodeError) -> HttpResponse:
    # Only reached while reading the request: our own code does not decode bytes unchecked.
    return error_response(request, 400, _("The request is not in the character set it says."))


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 400, _("The request could not be read."))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: log it with its traceback and answer JSON, never an HTML page."""
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        request, 500, _("Something went wrong on our side. It has been logged; try again later.")
    )


@public
def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """For wijk/urls.py, after api.urls: an unknown path under /api/v1/ also answers JSON."""
    return error_response(request, 404, _("Not found."))


api.add_router("/rentals", "rentals.api.router")
api.add_router("/jobs", "jobs.api.router")
api.add_router("/sharing", "sharing.api.router")
