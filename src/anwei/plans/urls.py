from django.urls import path

from . import views, views_import, views_roster

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="new"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/status/", views.plan_status, name="status"),
    path("<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/tasks.csv", views.tasks_csv, name="tasks_csv"),
    path("<int:pk>/dashboard/updates/", views.recent_updates, name="recent_updates"),
    path("<int:pk>/amend/", views.amend, name="amend"),
    path("<int:pk>/versions/", views.version_list, name="versions"),
    path("<int:pk>/clone/", views.clone, name="clone"),
    path("<int:pk>/roster/", views_roster.roster_page, name="roster"),
    path("<int:pk>/contacts/", views_roster.contacts, name="contacts"),
    path("<int:pk>/contacts/sheet/", views_roster.contact_sheet, name="contact_sheet"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("shifts/<int:pk>/", views_roster.shift_edit, name="shift"),
    path("people/<int:pk>/duty.ics", views_roster.person_calendar, name="person_calendar"),
    path("import/", views_import.upload, name="import"),
    path("import/save/", views_import.save, name="import_save"),
]
