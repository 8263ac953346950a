from django.urls import path

from dangvu.reports import views

app_name = "reports"
urlpatterns = [
    path("membership/", views.membership, name="membership"),
    path("period/", views.period, name="period"),
    path("grassroots/", views.grassroots, name="grassroots"),
    path("admissions/", views.admissions, name="admissions"),
    path("sign/", views.sign, name="sign"),
    path("signed/<int:report_id>/", views.signed, name="signed"),
]
