from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views
from wijk.api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("core.urls")),
    path("households/", include("households.urls")),
    path("api/v1/", api.urls),
]
