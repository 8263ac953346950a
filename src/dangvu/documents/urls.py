from django.urls import path

from dangvu.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list_view, name="list"),
    path("new/", views.document_new, name="new"),
    path("pick/", views.pick_view, name="pick"),
    path("<int:document_id>/", views.document_detail, name="detail"),
    path("<int:document_id>/send/", views.send_view, name="send"),
    path("<int:document_id>/files/", views.attach_view, name="attach"),
    path("<int:document_id>/files/<int:file_id>/", views.file_view, name="file"),
    path("reports/<int:recipient_id>/", views.report_view, name="report"),
]
