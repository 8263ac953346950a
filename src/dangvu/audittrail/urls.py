from django.urls import path

from dangvu.audittrail import views

app_name = "audit"

urlpatterns = [
    path("", views.trail, name="trail"),
    path("me/", views.viewed_me, name="viewed_me"),
]
