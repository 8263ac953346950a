from django.urls import path

from dangvu.training import views

app_name = "training"
urlpatterns = [
    path("", views.class_list_view, name="list"),
    path("new/", views.class_new, name="new"),
    path("pick/", views.person_pick_view, name="pick"),
    path("verify/", views.verify_view, name="verify"),
    path("report/", views.report_view, name="report"),
    path("report/xlsx/", views.report_xlsx_view, name="report_xlsx"),
    path("certificates/<int:certificate_id>.pdf", views.certificate_pdf_view, name="certificate"),
    path("<int:class_id>/", views.class_detail, name="detail"),
    path("<int:class_id>/edit/", views.class_edit, name="edit"),
    path("<int:class_id>/state/", views.class_state_view, name="state"),
    path("<int:class_id>/sessions/", views.session_add_view, name="session_add"),
    path("<int:class_id>/sessions/<int:session_id>/roll/", views.roll_call_view, name="roll_call"),
    path(
        "<int:class_id>/sessions/<int:session_id>/remove/",
        views.session_remove_view,
        name="session_remove",
    ),
    path("<int:class_id>/sessions/<int:session_id>/import/", views.import_view, name="import"),
    path("<int:class_id>/materials/", views.material_attach_view, name="attach"),
    path("<int:class_id>/materials/<int:material_id>/", views.material_file_view, name="material"),
    path("<int:class_id>/enrol/", views.enrol_view, name="enrol"),
    path("<int:class_id>/enrol/positions/", views.enrol_position_view, name="enrol_position"),
    path("<int:class_id>/withdraw/", views.withdraw_view, name="withdraw"),
    path("<int:class_id>/scores/", views.scores_view, name="scores"),
    path("<int:class_id>/complete/", views.complete_view, name="complete"),
]
