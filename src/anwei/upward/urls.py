from django.urls import path

from . import views, views_admin

app_name = "upward"
urlpatterns = [
    path("", views.board, name="board"),
    path("receive/", views.receive, name="receive"),
    path("links/", views_admin.links, name="links"),
    path("links/<int:pk>/revoke/", views_admin.revoke, name="revoke_link"),
    path("results/combined.<str:fmt>", views_admin.combined_report, name="combined"),
    path("results/<int:pk>/document/", views_admin.results_document, name="results_document"),
    path("results/file/<int:plan_id>/", views_admin.file_results, name="file_results"),
]
