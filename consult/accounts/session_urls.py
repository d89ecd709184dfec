from django.urls import path

from consult.accounts import views

urlpatterns = [
    path("sessions/", views.session_list, name="account-sessions"),
    path(
        "sessions/<int:session_id>/sign-out/",
        views.session_sign_out,
        name="account-session-sign-out",
    ),
    path(
        "sessions/sign-out-others/",
        views.sessions_sign_out_others,
        name="account-sessions-sign-out-others",
    ),
    path("password/", views.password_change, name="password-change"),
    path("session/", views.session_status, name="session-status"),
    path("session/extend/", views.session_extend, name="session-extend"),
]
