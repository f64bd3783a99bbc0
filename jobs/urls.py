from django.urls import path

from jobs.views import (
    cheques,
    dashboard,
    field,
    hours,
    planning,
    privacy,
    requests,
    setup,
    workers,
)

app_name = "jobs"

urlpatterns = [
    path("", setup.index, name="index"),
    path("bureaus/<int:bureau_pk>/", setup.bureau, name="bureau"),
    path("bureaus/<int:bureau_pk>/rules/", setup.rules, name="rules"),
    path("bureaus/<int:bureau_pk>/visit-sources/", setup.visit_source_add, name="visit_source_add"),
    path(
        "visit-sources/<int:visit_source_pk>/remove/",
        setup.visit_source_remove,
        name="visit_source_remove",
    ),
    path("bureaus/<int:bureau_pk>/catalogue/", setup.catalogue, name="catalogue"),
    path("services/<int:service_pk>/offer/", setup.service_offer, name="service_offer"),
    path("bureaus/<int:bureau_pk>/requests/", requests.request_list, name="requests"),
    path("bureaus/<int:bureau_pk>/requests/new/", requests.request_new, name="request_new"),
    path("bureaus/<int:bureau_pk>/workers/", workers.worker_list, name="workers"),
    path("bureaus/<int:bureau_pk>/plan/", planning.plan, name="plan"),
    path("bureaus/<int:bureau_pk>/hours/", hours.hours_list, name="hours"),
    path("bureaus/<int:bureau_pk>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("bureaus/<int:bureau_pk>/dashboard.xlsx", dashboard.dashboard_xlsx, name="dashboard_xlsx"),
    path("bureaus/<int:bureau_pk>/cheques/", cheques.cheque_holders, name="cheques"),
    path("cheque-users/<int:cheque_holder_pk>/", cheques.cheque_holder, name="cheque_holder"),
    path("requests/<int:request_pk>/", requests.request_detail, name="request"),
    path("requests/<int:request_pk>/cheques/", cheques.request_cheques, name="request_cheques"),
    path("requests/<int:request_pk>/cancel/", requests.request_cancel, name="request_cancel"),
    path("requests/<int:request_pk>/no-show/", requests.request_no_show, name="request_no_show"),
    path("requests/<int:request_pk>/feedback/", requests.request_feedback, name="request_feedback"),
    path("requests/<int:request_pk>/invoice.pdf", requests.invoice_pdf, name="invoice_pdf"),
    path("workers/<int:worker_pk>/", workers.worker_detail, name="worker"),
    path("workers/<int:worker_pk>/skills/", workers.worker_skill, name="worker_skill"),
    path(
        "workers/<int:worker_pk>/availability/",
        workers.worker_availability,
        name="worker_availability",
    ),
    path("workers/<int:worker_pk>/exceptions/", workers.worker_exception, name="worker_exception"),
    path(
        "workers/<int:worker_pk>/trajectory/", workers.worker_trajectory, name="worker_trajectory"
    ),
    path(
        "workers/<int:worker_pk>/assessments/", workers.worker_assessment, name="worker_assessment"
    ),
    path("workers/<int:worker_pk>/notes/", workers.worker_note, name="worker_note"),
    path("workers/<int:worker_pk>/feed/", workers.worker_feed, name="worker_feed"),
    path(
        "workers/<int:worker_pk>/statements/<str:month>.pdf",
        workers.statement_pdf,
        name="statement_pdf",
    ),
    path(
        "workers/<int:worker_pk>/export.json", privacy.worker_export_json, name="worker_export_json"
    ),
    path("workers/<int:worker_pk>/export.pdf", privacy.worker_export_pdf, name="worker_export_pdf"),
    path("workers/<int:worker_pk>/erase/", privacy.worker_erase, name="worker_erase"),
    path("assignments/<int:assignment_pk>/move/", planning.assignment_move, name="assignment_move"),
    path("assignments/<int:assignment_pk>/lock/", planning.assignment_lock, name="assignment_lock"),
    path("hours/<int:hours_pk>/approve/", hours.hours_approve, name="hours_approve"),
    path("today/", field.today, name="today"),
    path("today/<int:assignment_pk>/", field.today_job, name="today_job"),
]
