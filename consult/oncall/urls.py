from django.urls import path

from consult.oncall import views

urlpatterns = [
    path("oncall/", views.rota_page, name="oncall-rota"),
    path("consults/new/", views.consult_new, name="consult-new"),
    path("consults/<int:consult_id>/ack/", views.consult_ack, name="consult-ack"),
    path("consults/<int:consult_id>/resolve/", views.consult_resolve, name="consult-resolve"),
    path("consults/<int:consult_id>/repage/", views.consult_repage, name="consult-repage"),
    path("consults/case/<str:code>/", views.case_consults, name="case-consults"),
    path("pages/<int:page_id>/decline/", views.page_decline, name="page-decline"),
]
