from django.urls import path

from settlement import views

app_name = "settlement"

urlpatterns = [
    path("", views.index, name="index"),
    path("settlements/", views.settlement_list, name="list"),
    path("s/<str:setl_id>/", views.settlement_detail, name="detail"),
    path("s/<str:setl_id>/print/", views.settlement_print, name="print"),
    path("s/<str:setl_id>/reverse/", views.settlement_reverse_view, name="reverse"),
    path("providers/<int:provider_pk>/credentials/", views.credentials, name="credentials"),
    path("providers/<int:provider_pk>/credentials/<str:action>/", views.credential_action,
         name="credential_action"),
]
