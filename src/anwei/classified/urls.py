from django.urls import path

from . import views, views_custody

app_name = "classified"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export, name="export"),
    path("items/new/", views.item_new, name="item_new"),
    path("combine/", views.combine, name="combine"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/print/", views.item_print, name="item_print"),
    path("items/<int:pk>/pdf/", views.item_pdf, name="item_pdf"),
    path("items/<int:pk>/decide/", views.item_decide, name="item_decide"),
    path("items/<int:pk>/level/", views.item_level, name="item_level"),
    path("items/<int:pk>/destroy/", views.item_destroy, name="item_destroy"),
    path("items/<int:pk>/move/", views.item_move, name="item_move"),
    path("items/<int:pk>/grant/", views.item_grant, name="item_grant"),
    path("items/<int:pk>/grants/<int:grant_pk>/revoke/", views.item_revoke, name="item_revoke"),
    path("items/<int:pk>/request/", views.item_request, name="item_request"),
    path("items/<int:pk>/transfer/", views.item_transfer, name="item_transfer"),
    path("copies/<int:pk>/return/", views_custody.copy_return, name="copy_return"),
    path("requests/<int:pk>/decide/", views_custody.request_decide, name="request_decide"),
    path("requests/<int:pk>/return/", views_custody.request_return, name="request_return"),
    path("transfers/<int:pk>/sent/", views_custody.transfer_sent, name="transfer_sent"),
    path("transfers/<int:pk>/received/", views_custody.transfer_received, name="transfer_received"),
    path("transfers/<int:pk>/cancel/", views_custody.transfer_cancel, name="transfer_cancel"),
    path("queue/", views_custody.queue, name="queue"),
    path("queue/approvals.csv", views_custody.approvals_export, name="approvals_export"),
    path("inventory/", views_custody.inventory, name="inventory"),
    path("inventory/export.csv", views_custody.inventory_export, name="inventory_export"),
    path("inventory/check/", views_custody.inventory_check, name="inventory_check"),
]
