from django.urls import path

from dangvu.admission import views

app_name = "admission"
urlpatterns = [
    path("", views.candidate_list_view, name="list"),
    path("new/", views.candidate_new, name="new"),
    path("<int:candidate_id>/", views.candidate_detail, name="detail"),
    path("<int:candidate_id>/edit/", views.candidate_edit, name="edit"),
    path("<int:candidate_id>/step/", views.candidate_step_view, name="step"),
    path("deadlines/", views.deadlines_view, name="deadlines"),
    path("targets/", views.targets_view, name="targets"),
    path("targets/new/", views.target_new, name="target_new"),
    path("warnings/", views.warnings_view, name="warnings"),
]
