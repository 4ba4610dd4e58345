from django.urls import path

from . import views, views_report

app_name = "incidents"
urlpatterns = [
    path("", views.board, name="board"),
    path("reports.csv", views.board_csv, name="csv"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/level/", views.level, name="level"),
    path("<int:pk>/note/", views.note, name="note"),
    path("<int:pk>/tasks/", views.task, name="task"),
    path("<int:pk>/contacts/", views.contact, name="contact"),
    path("<int:pk>/recovered/", views.recovered, name="recovered"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/investigation-report/", views_report.investigation_report, name="investigation_report"),
    path("<int:pk>/investigation-report.pdf", views_report.investigation_report_pdf, name="investigation_report_pdf"),
    path("<int:pk>/investigation-report.odt", views_report.investigation_report_odt, name="investigation_report_odt"),
    path("<int:pk>/acknowledge/<int:notification_id>/", views.acknowledge, name="acknowledge"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("rules/", views.rule_list, name="rules"),
    path("rules.csv", views.rules_csv, name="rules_csv"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
]
