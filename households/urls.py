from django.urls import path

from households import views

app_name = "households"

urlpatterns = [
    path("", views.household_list, name="list"),
    path("new/", views.household_create, name="create"),
    path("<int:household_pk>/", views.household_detail, name="detail"),
    path("<int:household_pk>/edit/", views.household_edit, name="edit"),
    path("<int:household_pk>/enrol/", views.household_enrol, name="enrol"),
    path("<int:household_pk>/consents/add/", views.consent_add, name="consent_add"),
    path(
        "<int:household_pk>/consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<int:household_pk>/notes/add/", views.note_add, name="note_add"),
    path("<int:household_pk>/export.json", views.export_json, name="export_json"),
    path("<int:household_pk>/export.pdf", views.export_pdf, name="export_pdf"),
    path("<int:household_pk>/erase/", views.household_erase, name="erase"),
]
