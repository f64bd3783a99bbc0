"""The real routes plus three that forget tenant scoping, to prove the isolation walk fails."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from households.models import Household
from wijk.urls import urlpatterns as real_urlpatterns


def leak(request: HttpRequest, household_pk: int) -> HttpResponse:
    return HttpResponse(Household.objects.get(pk=household_pk).last_name)


def leak_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse(", ".join(h.last_name for h in Household.objects.all()))


def leak_unknown(request: HttpRequest, thing_pk: int) -> HttpResponse:
    return HttpResponse("")


urlpatterns = [
    *real_urlpatterns,
    path("leak/<int:household_pk>/", leak),
    path("leak-list/", leak_list),
    path("leak-unknown/<int:thing_pk>/", leak_unknown),
]
