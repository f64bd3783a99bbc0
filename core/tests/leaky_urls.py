"""The real routes plus some that break the rules, to prove the walks fail on each.

- leak, leak-list: forget tenant scoping on a read (a page and a list);
- leak-unknown: a path parameter the walks have no record for;
- leak-write: a write that fetches another organisation's household unscoped, changes it when
  the body is valid and echoes the name on a 400 when it is not;
- leak-role: checks the permission (org admins only) but not the tenant, so an attacker who is
  a coordinator is refused on role before scoping is ever tested;
- leak-no-role: checks the tenant but not the role: it declares household.view/change, yet a
  technician reads it and a viewer changes it;
- leak-money: scopes the household, then lists all its payments: the lead of another
  programme the household is enrolled in reads its rental money (the isolation walk's second
  pass);
- leak-undeclared: declares nothing.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path

from core.access import login_only, needs
from core.tenancy import get_scoped, request_acting
from households.models import Household
from wijk.urls import urlpatterns as real_urlpatterns


@needs("household.view")
def leak(request: HttpRequest, household_pk: int) -> HttpResponse:
    return HttpResponse(Household.objects.get(pk=household_pk).last_name)


@login_only
def leak_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse(", ".join(h.last_name for h in Household.objects.all()))


@needs("household.view")
def leak_unknown(request: HttpRequest, thing_pk: int) -> HttpResponse:
    return HttpResponse("")


@needs("household.change")
def leak_write(request: HttpRequest, household_pk: int) -> HttpResponse:
    request_acting(request, "household.change")
    household = Household.objects.get(pk=household_pk)
    city = request.POST.get("city", "").strip()
    if not city:
        return HttpResponse(f"{household.last_name}: give a city", status=400)
    household.city = city
    household.save(update_fields=["city"])
    return HttpResponseRedirect("/")


@needs("audit.view")
def leak_role(request: HttpRequest, household_pk: int) -> HttpResponse:
    request_acting(request, "audit.view")
    return HttpResponse(Household.objects.get(pk=household_pk).street)


@needs("household.view", methods=("GET",))
@needs("household.change", methods=("POST",))
def leak_no_role(request: HttpRequest, household_pk: int) -> HttpResponse:
    household = get_scoped(Household, request_acting(request), pk=household_pk)
    if request.method == "POST":
        household.city = request.POST.get("city", "Gent")
        household.save(update_fields=["city"])
        return HttpResponseRedirect("/")
    return HttpResponse(household.city)


@needs("household.view")
def leak_money(request: HttpRequest, household_pk: int) -> HttpResponse:
    household = get_scoped(Household, request_acting(request, "household.view"), pk=household_pk)
    return HttpResponse(", ".join(p.reference for p in household.payments.all()))


def leak_undeclared(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


urlpatterns = [
    *real_urlpatterns,
    path("leak/<int:household_pk>/", leak, name="leak"),
    path("leak-list/", leak_list, name="leak_list"),
    path("leak-unknown/<int:thing_pk>/", leak_unknown, name="leak_unknown"),
    path("leak-write/<int:household_pk>/", leak_write, name="leak_write"),
    path("leak-role/<int:household_pk>/", leak_role, name="leak_role"),
    path("leak-no-role/<int:household_pk>/", leak_no_role, name="leak_no_role"),
    path("leak-money/<int:household_pk>/", leak_money, name="leak_money"),
    path("leak-undeclared/", leak_undeclared, name="leak-undeclared"),
]
