from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("calendar.ics", views.calendar, name="calendar"),
    path("calendar/", views.calendar_link, name="calendar_link"),
    path("calendar/<str:token>/anwei.ics", views.calendar_feed, name="calendar_feed"),
    path("plans/<int:plan_id>/final/", views.final, name="final"),
    path("plans/<int:plan_id>/daily/", views.daily, name="daily"),
    path("plans/<int:plan_id>/<str:kind>/export/", views.export, name="export"),
    path("plans/<int:plan_id>/<str:kind>/letter/<str:paper>/", views.letter, name="letter"),
    path("exports.csv", views.exports_csv, name="exports_csv"),
    path("exports/<uuid:pk>/", views.job, name="job"),
    path("exports/<uuid:pk>/download/", views.download, name="download"),
]
