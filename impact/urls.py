from django.urls import path

from impact import views

app_name = "impact"

urlpatterns = [
    path("", views.organisation, name="organisation"),
    path("export.xlsx", views.export, name="export"),
]
