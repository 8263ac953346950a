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
    path("admission/", include("dangvu.admission.urls")),
    path("meetings/", include("dangvu.meetings.urls")),
    path("training/", include("dangvu.training.urls")),
    path("documents/", include("dangvu.documents.urls")),
    path("news/", include("dangvu.news.urls")),
    path("interchange/", include("dangvu.interchange.urls")),
    path("audit/", include("dangvu.audittrail.urls")),
    path("tin-tuc/", include("dangvu.news.public_urls")),
]

handler400 = "dangvu.core.views.bad_request"
handler403 = "dangvu.core.views.permission_denied"
handler404 = "dangvu.core.views.page_not_found"
