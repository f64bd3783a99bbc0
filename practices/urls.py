from django.urls import path

from practices import views

app_name = "practices"

urlpatterns = [
    path("", views.library, name="library"),
    path("feed.json", views.feed_json, name="feed"),
    path("p/<int:practice_pk>/", views.practice_public, name="public"),
    path("p/<int:practice_pk>/package.json", views.package_json, name="package"),
    path("remote/<int:remote_practice_pk>/", views.remote, name="remote"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.practice_new, name="new"),
    path("<int:practice_pk>/edit/", views.practice_edit, name="edit"),
    path("<int:practice_pk>/text/", views.practice_text, name="text"),
    path("<int:practice_pk>/publish/", views.practice_publish, name="publish"),
    path("<int:practice_pk>/results/", views.result_add, name="result_add"),
    path("exchanges/", views.exchanges, name="exchanges"),
    path("exchanges/new/", views.exchange_new, name="exchange_new"),
    path("exchanges/<int:exchange_pk>/", views.exchange_detail, name="exchange"),
    path("packages/programme/<int:programme_pk>/", views.package_export, name="package_export"),
    path("packages/adopt/", views.package_adopt, name="adopt"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path(
        "subscriptions/<int:subscription_pk>/pull/",
        views.subscription_pull,
        name="subscription_pull",
    ),
    path(
        "subscriptions/<int:subscription_pk>/delete/",
        views.subscription_delete,
        name="subscription_delete",
    ),
]
