from django.urls import path

from dangvu.home import views

urlpatterns = [path("", views.home, name="home")]
