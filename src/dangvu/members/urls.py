from django.urls import path

from dangvu.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_search, name="list"),
    path("new/", views.member_new, name="new"),
    path("pick/", views.member_pick_view, name="pick"),
    path("open/", views.member_open, name="open"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/events/new/", views.event_new, name="event_new"),
    path("<int:pk>/events/correct/", views.event_correct, name="event_correct"),
    path("<int:pk>/attributes/", views.attribute_change, name="attribute"),
    path("positions/<str:code>/new/", views.position_new, name="position_new"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:transfer_id>/receive/", views.transfer_receive, name="transfer_receive"),
    path("transfers/<int:transfer_id>/refuse/", views.transfer_refuse, name="transfer_refuse"),
    path(
        "transfers/<int:transfer_id>/withdraw/", views.transfer_withdraw, name="transfer_withdraw"
    ),
]
