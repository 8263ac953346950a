from django.urls import path

from dangvu.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
]
