from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("inbox.csv", views.inbox_csv, name="inbox_csv"),
    path("read-all/", views.read_all, name="read_all"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("ack/<str:token>/", views.ack_link, name="ack_link"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries.csv", views.deliveries_csv, name="deliveries_csv"),
    path("deliveries/<int:pk>/retry/", views.retry, name="retry"),
    path("mailbox/", views.local_mailbox, name="local_mailbox"),
    path("channels/", views.contact_channels, name="contact_channels"),
    path("channels/<int:pk>/delete/", views.contact_channel_delete, name="contact_channel_delete"),
]
