from django.urls import path

from dangvu.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list_view, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("calendar/", views.meeting_calendar, name="calendar"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/record/", views.meeting_record_view, name="record"),
    path("<int:meeting_id>/approve/", views.meeting_approve_view, name="approve"),
    path("<int:meeting_id>/calendar.ics", views.meeting_ics_view, name="ics"),
    path("<int:meeting_id>/files/", views.meeting_attach_view, name="attach"),
    path("<int:meeting_id>/files/<int:file_id>/", views.meeting_file_view, name="file"),
    path("<int:meeting_id>/files/<int:file_id>/remove/", views.meeting_detach_view, name="detach"),
    path("<int:meeting_id>/evaluate/", views.meeting_evaluate_view, name="evaluate"),
    path("report/", views.report_view, name="report"),
    path("report/xlsx/", views.report_xlsx_view, name="report_xlsx"),
    path("mine/", views.mine_view, name="mine"),
    path("mine/calendar.ics", views.mine_ics_view, name="mine_ics"),
    path("tasks/", views.task_list_view, name="tasks"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:task_id>/review/", views.task_review_view, name="task_review"),
]
