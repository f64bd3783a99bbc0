from django.urls import path

from rentals.views import handoff
from rentals.views import pages as views

app_name = "rentals"

urlpatterns = [
    # Programme set-up and the programme's lists
    path("programmes/<int:programme_pk>/", views.programme_setup, name="programme"),
    path("programmes/<int:programme_pk>/scheme/", views.scheme_configure, name="scheme"),
    path("programmes/<int:programme_pk>/offers/", views.offer_save, name="offer"),
    path("programmes/<int:programme_pk>/catalogue/", views.catalogue, name="catalogue"),
    path("programmes/<int:programme_pk>/units/", views.unit_list, name="units"),
    path("programmes/<int:programme_pk>/units/new/", views.unit_create, name="unit_create"),
    path("programmes/<int:programme_pk>/units/labels.pdf", views.unit_labels, name="unit_labels"),
    path("programmes/<int:programme_pk>/waiting/", views.waiting, name="waiting"),
    path("programmes/<int:programme_pk>/contracts/", views.contract_list, name="contracts"),
    path("programmes/<int:programme_pk>/visits/", views.visit_list, name="visits"),
    path("programmes/<int:programme_pk>/tickets/", views.ticket_list, name="tickets"),
    # Units
    path("units/<int:unit_pk>/", views.unit_detail, name="unit_detail"),
    path("units/scan/<str:label_code>/", views.unit_scan, name="unit_scan"),
    path("units/<int:unit_pk>/status/", views.unit_transition, name="unit_transition"),
    path("units/<int:unit_pk>/label.pdf", views.unit_label, name="unit_label"),
    # Households and applications
    path("households/<int:household_pk>/", views.household_rentals, name="household"),
    path("households/<int:household_pk>/apply/", views.application_create, name="apply"),
    path(
        "households/<int:household_pk>/resident-link/",
        views.resident_link,
        name="resident_link",
    ),
    path(
        "applications/<int:application_pk>/priority/",
        views.application_prioritise,
        name="application_prioritise",
    ),
    path(
        "applications/<int:application_pk>/contract/",
        views.application_contract,
        name="application_contract",
    ),
    path(
        "applications/<int:application_pk>/cancel/",
        views.application_cancel,
        name="application_cancel",
    ),
    # Contracts
    path("contracts/<int:contract_pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:contract_pk>/sign/", views.contract_sign, name="contract_sign"),
    path("contracts/<int:contract_pk>/end/", views.contract_end, name="contract_end"),
    path("contracts/<int:contract_pk>/cancel/", views.contract_cancel, name="contract_cancel"),
    path("contracts/<int:contract_pk>/contract.pdf", views.contract_pdf, name="contract_pdf"),
    path("contracts/<int:contract_pk>/tickets/new/", views.ticket_open, name="ticket_open"),
    # Visits
    path("visits/<int:visit_pk>/assign/", views.visit_assign, name="visit_assign"),
    path("visits/<int:visit_pk>/handoff/", handoff.visit_handoff, name="visit_handoff"),
    path("today/", views.today, name="today"),
    path("today/<int:visit_pk>/", views.today_visit, name="today_visit"),
    # Tickets
    path("tickets/<int:ticket_pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:ticket_pk>/plan/", views.ticket_plan_visit, name="ticket_plan"),
]
