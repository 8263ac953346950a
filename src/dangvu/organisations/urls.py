from django.urls import path

from dangvu.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("pick/", views.pick, name="pick"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/new-child/", views.org_new_child, name="new_child"),
    path("<str:code>/rename/", views.org_rename, name="rename"),
    path("<str:code>/move/", views.org_move, name="move"),
    path("<str:code>/merge/", views.org_merge, name="merge"),
    path("<str:code>/dissolve/", views.org_dissolve, name="dissolve"),
]
