from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.tenancy import WEB, acting_for

SESSION_KEY = "acting_organisation_id"


class ActingMiddleware:
    """Sets request.acting: the user acting for the organisation chosen in the session, via the
    web (the API replaces it with the token's acting, via "api")."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        request.acting = acting_for(user, request.session.get(SESSION_KEY), via=WEB)  # type: ignore[attr-defined]
        return self.get_response(request)
