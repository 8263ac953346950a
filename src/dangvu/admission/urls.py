from django.urls import path

from dangvu.admission import views

app_name = "admission"
urlpatterns = [
    path("", views.candidate_list_view, name="list"),
]
