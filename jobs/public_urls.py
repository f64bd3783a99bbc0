"""Pages for residents and workers without a login, under /r/jobs/ beside the rental
resident pages: they open with a bureau's public address or a secret link."""

from django.urls import path

from jobs.views import public

app_name = "jobs_public"

urlpatterns = [
    path("ask/<int:bureau_pk>/", public.ask, name="ask"),
    path("feedback/<str:feedback_id>/", public.feedback, name="feedback"),
    path("feed/<str:feed_id>.ics", public.feed, name="feed"),
]
