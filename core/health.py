"""The health check: a liveness probe for a load balancer or process monitor.

It runs the whole middleware stack (sessions, language, CSRF, authentication, the acting
organisation) and nothing else: no query of its own, no template. bench/pages.py measures it
beside the real pages as the floor of the machine: the part of a page's time that no view can
save.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from core.access import public


@public
@never_cache
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
