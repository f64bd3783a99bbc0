"""The resident page, mounted at /r/ (namespace "resident"); no login, a link and a PIN."""

from django.urls import path

from rentals.views import resident as views

app_name = "resident"
urlpatterns = [
    path("<str:key>/", views.pin, name="pin"),
    path("<str:key>/home/", views.home, name="home"),
    path("<str:key>/breakdown/", views.breakdown, name="breakdown"),
    path("<str:key>/breakdown/sent/", views.breakdown_sent, name="breakdown_sent"),
    path("<str:key>/logout/", views.logout, name="logout"),
]
