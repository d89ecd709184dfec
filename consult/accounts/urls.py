from django.urls import path

from consult.accounts import mfa_views

urlpatterns = [
    path("mfa/enrol/", mfa_views.mfa_enrol, name="mfa-enrol"),
    path("mfa/verify/", mfa_views.mfa_verify, name="mfa-verify"),
    path("mfa/step-up/", mfa_views.mfa_step_up, name="mfa-step-up"),
]
