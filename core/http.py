"""The request as Wijk's middleware leaves it, for annotating views.

Django builds a plain `HttpRequest`; django-htmx's `HtmxMiddleware` adds `htmx` (truthy for a
request HTMX made, with its headers) and `core.middleware.ActingMiddleware` adds `acting`
(the user acting for an organisation, or None for the anonymous and for users of no
organisation). `WijkRequest` names both attributes so that views are typed without
`getattr` or ignores:

    from core.http import WijkRequest

    @needs("programme.view")
    def programme_units(request: WijkRequest, programme_pk: int) -> HttpResponse:
        acting = request_acting(request, "programme.view")  # 403 without an organisation
        if request.htmx:
            ...

It is a type for annotations only: nothing makes instances of it, and a view given a request
that did not pass the middleware (a bare RequestFactory request) has neither attribute.
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from core.tenancy import Acting


class WijkRequest(HttpRequest):
    htmx: HtmxDetails
    acting: Acting | None
