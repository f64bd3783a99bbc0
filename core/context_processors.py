from typing import Any

from django.http import HttpRequest

from core.models import Membership


def acting(request: HttpRequest) -> dict[str, Any]:
    acting = getattr(request, "acting", None)
    if acting is None:
        return {"acting": None}
    if acting.organisations:  # read with the memberships by core.tenancy.acting_for
        return {"acting": acting, "my_organisations": list(acting.organisations)}
    organisations = (
        Membership.objects.filter(user=acting.user)
        .values_list("organisation_id", "organisation__name")
        .distinct()
        .order_by("organisation__name")
    )
    return {"acting": acting, "my_organisations": list(organisations)}
