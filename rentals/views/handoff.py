"""The page to hand a rental visit to a job bureau (core/handoffs.py): where it stands if it
was handed, and the choice of bureau for a coordinator of the programme's lead."""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.access import LEAD, VISIBLE, needs
from core.forms import add_service_errors
from core.http import WijkRequest
from core.permissions import is_lead
from core.tenancy import get_scoped, request_acting
from rentals import selectors, services
from rentals.models import Visit


class HandoffForm(forms.Form):
    bureau = forms.TypedChoiceField(label=gettext_lazy("Job bureau"), coerce=int)

    def __init__(self, *args: object, bureaus: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = cast(forms.ChoiceField, self.fields["bureau"])
        field.choices = [(b.id, f"{b.name} ({b.organisation})") for b in bureaus]


@login_required
@require_http_methods(["GET", "POST"])
@needs("visit.view", of=VISIBLE, methods=("GET",))
@needs("visit.handoff", of=LEAD)
def visit_handoff(request: WijkRequest, visit_pk: int) -> HttpResponse:
    acting = request_acting(request, "visit.handoff" if request.method == "POST" else "visit.view")
    visit = get_scoped(
        Visit.objects.select_related("contract__programme", "contract__household"),
        acting,
        pk=visit_pk,
    )
    programme = visit.contract.programme
    if request.method == "POST" and not is_lead(acting, programme):
        raise PermissionDenied("visit.handoff")
    state = selectors.handoff_states([visit]).get(visit.pk)
    may = (
        acting.can("visit.handoff")
        and is_lead(acting, programme)
        and selectors.may_hand_off(visit)
        and (state is None or not state.open)
    )
    bureaus = selectors.handoff_bureaus(programme) if may else []
    form = HandoffForm(request.POST or None, bureaus=bureaus) if bureaus else None
    if request.method == "POST":
        if form is None:
            form = HandoffForm(request.POST, bureaus=[])
            form.add_error(None, _("This visit cannot be handed to a job bureau now."))
        elif form.is_valid():
            try:
                services.visit_hand_off(
                    acting=acting, visit=visit, bureau_id=form.cleaned_data["bureau"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The visit is handed to the job bureau."))
                return redirect(reverse("rentals:visit_handoff", args=[visit.pk]))
    selectors.households_viewed(acting, [visit.contract.household], "visit handoff")
    return render(
        request,
        "rentals/visit_handoff.html",
        {
            "visit": visit,
            "programme": programme,
            "state": state,
            "form": form,
            "may": may,
        },
        status=400 if form is not None and form.errors else 200,
    )
