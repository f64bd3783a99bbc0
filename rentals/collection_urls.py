"""Billing, payments and collection, and the coordinator's dashboard (at /rentals/collection/)."""

from django.urls import path

from rentals.views import collection as views

app_name = "collection"
urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/<int:programme_pk>/billing/", views.billing, name="billing"),
    path("programmes/<int:programme_pk>/dashboard/", views.dashboard_page, name="dashboard"),
    path(
        "programmes/<int:programme_pk>/dashboard/savings/",
        views.dashboard_savings,
        name="dashboard_savings",
    ),
    path(
        "programmes/<int:programme_pk>/dashboard.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"
    ),
    path("households/<int:household_pk>/", views.household, name="household"),
    path("households/<int:household_pk>/payments/", views.payment_add, name="payment_add"),
    path("households/<int:household_pk>/arrears/", views.arrears_step, name="arrears_step"),
    path(
        "households/<int:household_pk>/arrears/letter.pdf",
        views.arrears_letter,
        name="arrears_letter",
    ),
    path(
        "households/<int:household_pk>/savings/<int:year>.pdf",
        views.savings_pdf,
        name="savings_pdf",
    ),
    path("imports/", views.import_list, name="import_list"),
    path("imports/upload/", views.import_upload, name="import_upload"),
    path("imports/<int:bank_import_pk>/", views.import_detail, name="import_detail"),
    path("lines/", views.line_list, name="line_list"),
    path("lines/<int:bank_line_pk>/", views.line_detail, name="line_detail"),
    path("lines/<int:bank_line_pk>/resolve/", views.line_resolve, name="line_resolve"),
    path("lines/<int:bank_line_pk>/ignore/", views.line_ignore, name="line_ignore"),
    path("direct-debit/", views.direct_debit, name="direct_debit"),
    path("remittance/<int:year>/", views.remittance, name="remittance"),
    path("remittance/<int:year>/remittance.pdf", views.remittance_pdf, name="remittance_pdf"),
]
