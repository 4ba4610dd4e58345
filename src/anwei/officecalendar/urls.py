from django.urls import path

from . import views

app_name = "officecalendar"
urlpatterns = [
    path("import/", views.import_calendar, name="import"),
    path("closures/", views.closures, name="closures"),
    path("closures/<int:pk>/delete/", views.closure_delete, name="closure_delete"),
]
