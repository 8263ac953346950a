from django.urls import path

from dangvu.news import views

app_name = "news"
urlpatterns = [
    path("", views.articles, name="articles"),
    path("new/", views.article_new, name="new"),
    path("comments/", views.moderation, name="moderation"),
    path("comments/<int:comment_id>/", views.moderate, name="moderate"),
    path("<int:article_id>/", views.article_detail, name="article"),
    path("<int:article_id>/edit/", views.article_edit, name="edit"),
    path("<int:article_id>/state/", views.article_state, name="state"),
    path("<int:article_id>/images/", views.image_view, name="images"),
]
