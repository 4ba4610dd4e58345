from django.urls import path

from . import views, views_travel

app_name = "awareness"
urlpatterns = [
    path("", views.index, name="index"),
    path("activities.csv", views.activities_csv, name="activities_csv"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/sign-in/", views.activity_sign_in, name="activity_sign_in"),
    path("activities/<int:pk>/alert/", views.activity_alert, name="activity_alert"),
    path("activities/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("statistics/", views.statistics, name="statistics"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("travel/", views_travel.travel_list, name="travel_list"),
    path("travel.csv", views_travel.travel_csv, name="travel_csv"),
    path("travel/new/", views_travel.travel_new, name="travel_new"),
    path("travel/<int:pk>/", views_travel.travel_detail, name="travel"),
    path("travel/<int:pk>/briefing/", views_travel.travel_briefing, name="travel_briefing"),
    path("travel/<int:pk>/exit/", views_travel.travel_exit, name="travel_exit"),
    path("travel/<int:pk>/return/", views_travel.travel_return, name="travel_return"),
    path("travel/<int:pk>/upward/", views_travel.travel_upward, name="travel_upward"),
    path("checks/", views_travel.checks, name="checks"),
    path("checks.csv", views_travel.checks_csv, name="checks_csv"),
    path("delegations/", views_travel.delegations, name="delegations"),
    path("delegations.csv", views_travel.delegations_csv, name="delegations_csv"),
    path("delegations/new/", views_travel.delegation_new, name="delegation_new"),
    path("delegations/<int:pk>/", views_travel.delegation_detail, name="delegation"),
]
