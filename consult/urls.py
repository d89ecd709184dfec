from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from consult.ops import views as ops_views

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("", RedirectView.as_view(pattern_name="case-list"), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("consult.accounts.urls")),
    path("account/", include("consult.accounts.session_urls")),
    path("cases/", include("consult.cases.urls")),
    path("cases/<str:code>/risk/", include("consult.records.risk.urls")),
    path("cases/<str:code>/safety-plan/", include("consult.records.safety.urls")),
    path("cases/<str:code>/guidance/", include("consult.records.guidance.urls")),
    path("emergency-access/", include("consult.emergency.urls")),
    path("reviews/", include("consult.records.reviews.urls")),
    path("false-alarms/", include("consult.falsealarms.urls")),
    path("supervision-hours/", include("consult.hours.urls")),
    path("followups/", include("consult.records.followups.urls")),
    path("", include("consult.dashboard.urls")),
    path("", include("consult.oncall.urls")),
    path("", include("consult.webapp.urls")),
    path("admin/", admin.site.urls),
]
