from django.urls import include, path

from dangvu.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("dangvu.home.urls")),
    path("", include("dangvu.accounts.urls")),
    path("organisations/", include("dangvu.organisations.urls")),
    path("members/", include("dangvu.members.urls")),
    path("reports/", include("dangvu.reports.urls")),
]
