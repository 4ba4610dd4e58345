from django.urls import path

from . import views, views_csv, views_feeds, views_import, views_roster, views_tasks

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("plans.csv", views_csv.plans_csv, name="list_csv"),
    path("new/", views.plan_new, name="new"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/status/", views.plan_status, name="status"),
    path("<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/tasks.csv", views_csv.tasks_csv, name="tasks_csv"),
    path("<int:pk>/dashboard/updates/", views.recent_updates, name="recent_updates"),
    path("<int:pk>/amend/", views.amend, name="amend"),
    path("<int:pk>/versions/", views.version_list, name="versions"),
    path("<int:pk>/versions.csv", views_csv.versions_csv, name="versions_csv"),
    path("<int:pk>/clone/", views.clone, name="clone"),
    path("<int:pk>/roster/", views_roster.roster_page, name="roster"),
    path("<int:pk>/roster.csv", views_csv.roster_csv, name="roster_csv"),
    path("<int:pk>/contacts/", views_roster.contacts, name="contacts"),
    path("<int:pk>/contacts.csv", views_csv.contacts_csv, name="contacts_csv"),
    path("<int:pk>/contacts/sheet/", views_roster.contact_sheet, name="contact_sheet"),
    path("contacts/<int:pk>/", views_roster.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/remove/", views_roster.contact_remove, name="contact_remove"),
    path("tasks/<int:pk>/", views_tasks.task_detail, name="task"),
    path("evidence/<int:pk>/", views_tasks.evidence_file, name="evidence"),
    path("shifts/<int:pk>/", views_roster.shift_edit, name="shift"),
    path("people/<int:pk>/duty.ics", views_feeds.person_calendar, name="person_calendar"),
    path("people/<int:pk>/calendar/", views_feeds.my_calendar, name="my_calendar"),
    path("people/<int:pk>/feed/<str:token>/duty.ics", views_feeds.person_feed, name="person_feed"),
    path("feeds/<str:feed>/reset/", views_feeds.feed_reset, name="feed_reset"),
    path("import/", views_import.upload, name="import"),
    path("import/save/", views_import.save, name="import_save"),
]
