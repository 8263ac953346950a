from django.urls import path

from dangvu.news import public

app_name = "portal"
urlpatterns = [
    path("", public.home, name="home"),
    path("tim-kiem/", public.search, name="search"),
    path("rss.xml", public.feed, name="rss"),
    path("sitemap.xml", public.sitemap, name="sitemap"),
    path("cau-hoi/", public.captcha, name="captcha"),
    path("anh/<int:image_id>/<int:width>.jpg", public.image, name="image"),
    path("muc/<slug:slug>/", public.category, name="category"),
    path("bai/<int:article_id>/binh-luan/", public.comment, name="comment"),
    path("bai/<int:article_id>/", public.article, name="article_short"),
    path("bai/<int:article_id>/<slug:article_slug>/", public.article, name="article"),
]
