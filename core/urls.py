from django.urls import path

from core import notification_views, run_views, views

# Included at "" by wijk/urls.py; the names are global (no namespace), e.g. "programme_detail".
urlpatterns = [
    path("organisation/", views.organisation_detail, name="organisation_detail"),
    path("organisation/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisation/switch/", views.organisation_switch, name="organisation_switch"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<int:programme_pk>/", views.programme_detail, name="programme_detail"),
    path(
        "programmes/<int:programme_pk>/partners/add/",
        views.programme_partner_add,
        name="programme_partner_add",
    ),
    path(
        "programmes/<int:programme_pk>/partners/<int:partner_pk>/remove/",
        views.programme_partner_remove,
        name="programme_partner_remove",
    ),
    path(
        "programmes/<int:programme_pk>/tariffs/add/",
        views.programme_tariff_add,
        name="programme_tariff_add",
    ),
    path("audit/", views.audit_log, name="audit_log"),
    path("account/tokens/", views.account_tokens, name="account_tokens"),
    path("account/tokens/revoke/", views.account_token_revoke, name="account_token_revoke"),
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("runs/<int:run_pk>/", run_views.run_detail, name="run_detail"),
]
