from django.contrib.auth import views as auth_views
from django.urls import include, path

from tandem.people import views

# Django's sign-in and password pages (django.contrib.auth.urls), with Tandem's own sign-in
# (two steps when two-factor is on), password change and reset confirmation (security notices).
auth_patterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("two-factor/", views.two_factor_sign_in, name="two_factor_sign_in"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password_reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

me_patterns = [
    path("", views.profile, name="profile"),
    path("tokens/", views.api_token_create_view, name="api_token_create"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/confirm/", views.two_factor_confirm, name="two_factor_confirm"),
    path("two-factor/recovery-codes/", views.recovery_codes_replace_view, name="recovery_codes_replace"),
    path("two-factor/disable/", views.two_factor_disable_view, name="two_factor_disable"),
]

urlpatterns = [
    path("auth/", include(auth_patterns)),
    path("me/", include((me_patterns, "people"))),
]
