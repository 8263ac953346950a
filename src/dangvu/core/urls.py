from django.urls import path

from dangvu.core import views

urlpatterns = [path("", views.home, name="home")]
