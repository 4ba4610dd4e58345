from django.urls import path

from . import views

app_name = "upward"
urlpatterns = [
    path("", views.board, name="board"),
    path("receive/", views.receive, name="receive"),
]
