"""The real routes plus the dummy programme's page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from wijk.urls import urlpatterns as real_urlpatterns


def index(request: HttpRequest, programme_pk: int | None = None) -> HttpResponse:
    return render(request, "dummy_programme/page.html")


# The menu item is current under /dummy/; the programme's own pages are elsewhere, in a
# namespace the app declares as programme pages.
urlpatterns = [
    *real_urlpatterns,
    path("dummy/", include(([path("", index, name="index")], "dummy"))),
    path(
        "dummy-programmes/<int:programme_pk>/",
        include(([path("", index, name="programme")], "dummy_programmes")),
    ),
]
