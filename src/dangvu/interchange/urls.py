from django.urls import path

from dangvu.interchange import views

app_name = "interchange"
urlpatterns = [
    path("imports/", views.imports_view, name="imports"),
    path("imports/<int:import_id>/", views.import_detail, name="import"),
    path("imports/<int:import_id>/progress/", views.import_progress, name="progress"),
    path("imports/<int:import_id>/write/", views.import_write, name="write"),
    path("imports/<int:import_id>/rejected/", views.import_rejected, name="rejected"),
    path("template/", views.template_view, name="template"),
    path("export/", views.export_view, name="export"),
]
