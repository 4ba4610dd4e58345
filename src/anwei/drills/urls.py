from django.urls import path

from . import views

app_name = "drills"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/injects/", views.add_inject, name="add_inject"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/stop/", views.stop, name="stop"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/report.<str:fmt>", views.report, name="report"),
]
