from django.urls import path

from sharing.views import community as c
from sharing.views import data as d

app_name = "sharing"
urlpatterns = [
    path("", c.index, name="index"),
    path("communities/<int:community_pk>/", c.community, name="community"),
    path("communities/<int:community_pk>/keys/", c.key_choose, name="key_choose"),
    path(
        "communities/<int:community_pk>/participants/new/",
        c.participant_add,
        name="participant_add",
    ),
    path("participants/<int:participant_pk>/", c.participant, name="participant"),
    path("participants/<int:participant_pk>/pv/", c.pv_add, name="pv_add"),
    path("participants/<int:participant_pk>/end/", c.participant_end, name="participant_end"),
    path(
        "participants/<int:participant_pk>/statements/<str:month>/",
        d.statement_page,
        name="statement",
    ),
    path("communities/<int:community_pk>/imports/", d.imports, name="imports"),
    path("communities/<int:community_pk>/runs/", d.runs, name="runs"),
    path("communities/<int:community_pk>/months/<str:month>/", d.dashboard_page, name="dashboard"),
    path(
        "communities/<int:community_pk>/months/<str:month>/export.xlsx",
        d.dashboard_xlsx,
        name="dashboard_xlsx",
    ),
    path("communities/<int:community_pk>/simulator/", d.simulator, name="simulator"),
    path("communities/<int:community_pk>/advice/", d.advice, name="advice"),
    path("communities/<int:community_pk>/advice/card/", d.advice_card, name="advice_card"),
]
