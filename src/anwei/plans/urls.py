from django.urls import path

from . import views_import

app_name = "plans"
urlpatterns = [
    path("import/", views_import.upload, name="import"),
    path("import/save/", views_import.save, name="import_save"),
]
