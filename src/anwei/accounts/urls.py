from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_users

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views_users.user_list, name="users"),
    path("users/new/", views_users.user_new, name="user_new"),
    path("users/<int:pk>/", views_users.user_detail, name="user"),
    path("users/<int:pk>/roles/<int:assignment_pk>/remove/", views_users.role_remove, name="role_remove"),
]
