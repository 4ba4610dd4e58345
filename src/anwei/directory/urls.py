from django.urls import path

from . import views, views_units

app_name = "directory"
urlpatterns = [
    path("", views.index, name="index"),
    path("people.csv", views.people_csv, name="people_csv"),
    path("people/new/", views.person_edit, name="person_new"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/vcard/", views.person_vcard, name="person_vcard"),
    path("units/", views_units.unit_list, name="units"),
    path("units.csv", views_units.units_csv, name="units_csv"),
    path("units/new/", views_units.unit_edit, name="unit_new"),
    path("units/<int:pk>/edit/", views_units.unit_edit, name="unit_edit"),
    path("units/<int:pk>/active/", views_units.unit_active, name="unit_active"),
    path("units/<int:pk>/vcards/", views.unit_vcards, name="unit_vcards"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations.csv", views.organisations_csv, name="organisations_csv"),
    path("organisations/new/", views.organisation_edit, name="organisation_new"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("contacts/<int:pk>/vcard/", views.contact_vcard, name="contact_vcard"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
]
