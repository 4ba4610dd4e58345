from django.contrib.auth import views as auth_views
from django.urls import path

from anwei.core.decorators import second_factor_exempt
from anwei.core.offline import clears_site_data

from . import views, views_mfa, views_users

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path(
        "logout/",
        second_factor_exempt(clears_site_data(auth_views.LogoutView.as_view())),
        name="logout",
    ),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("two-factor/", views_mfa.verify, name="mfa_verify"),
    path("two-factor/setup/", views_mfa.setup, name="mfa_setup"),
    path("two-factor/codes/", views_mfa.recovery_codes, name="mfa_codes"),
    path("two-factor/remove/", views_mfa.remove, name="mfa_remove"),
    path("password/", views_mfa.password_change, name="password_change"),
    path("sign-out-everywhere/", views_mfa.sign_out_everywhere, name="sign_out_everywhere"),
    path("locked/", views_mfa.locked_out, name="locked"),
    path("security/", views_mfa.security, name="security"),
    path("security/unlock/", views_mfa.unlock, name="unlock"),
    path("users/", views_users.user_list, name="users"),
    path("users.csv", views_users.users_csv, name="users_csv"),
    path("users/new/", views_users.user_new, name="user_new"),
    path("users/<int:pk>/", views_users.user_detail, name="user"),
    path("users/<int:pk>/two-factor/reset/", views_mfa.reset_second_factor, name="mfa_reset"),
    path("users/<int:pk>/roles/<int:assignment_pk>/remove/", views_users.role_remove, name="role_remove"),
]
