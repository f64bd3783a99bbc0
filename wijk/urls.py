from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from core import views as core_views
from core.health import health
from wijk.api import api
from wijk.api import not_found_view as api_not_found

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", health, name="health"),
    path("accounts/login/", core_views.ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("core.urls")),
    path("households/", include("households.urls")),
    path("rentals/", include("rentals.urls")),
    path("rentals/collection/", include("rentals.collection_urls")),
    path("r/jobs/", include("jobs.public_urls")),
    path("r/", include("rentals.resident_urls")),
    path("jobs/", include("jobs.urls")),
    path("sharing/", include("sharing.urls")),
    path("impact/", include("impact.urls")),
    path("practices/", include("practices.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", api_not_found),
]
