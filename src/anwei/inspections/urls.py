from django.urls import path

from . import views, views_actions, views_csv

app_name = "inspections"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds.csv", views_csv.rounds_csv, name="rounds_csv"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/import/", views.round_import, name="round_import"),
    path("rounds/<int:pk>/targets/", views.round_targets, name="round_targets"),
    path("rounds/<int:pk>/export.csv", views.round_export, name="round_export"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("inspections/<int:pk>/", views.inspection_fill, name="inspection"),
    path("inspections/<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("units/<int:pk>/history/", views.target_history, name="target_history"),
    path("units/<int:pk>/history.csv", views_csv.target_history_csv, name="target_history_csv"),
    path("actions/", views_actions.action_list, name="actions"),
    path("actions.csv", views_csv.actions_csv, name="actions_csv"),
    path("actions/<int:pk>/", views_actions.action_detail, name="action"),
    path("actions/<int:pk>/answer/", views_actions.action_answer, name="action_answer"),
    path("actions/<int:pk>/verify/", views_actions.action_verify, name="action_verify"),
    path("actions/<int:pk>/evidence/", views_actions.action_evidence, name="action_evidence"),
    path("findings/<int:pk>/leak/", views_actions.finding_flag, name="finding_flag"),
    path("templates/", views_actions.template_list, name="templates"),
    path("templates/install/", views_actions.template_install, name="template_install"),
    path("templates/<int:pk>/", views_actions.template_detail, name="template"),
    path("templates/<int:pk>/items.csv", views_csv.template_csv, name="template_csv"),
    path("templates/<int:pk>/edit/", views_actions.template_edit, name="template_edit"),
    path("cadence/", views_actions.cadence, name="cadence"),
]
