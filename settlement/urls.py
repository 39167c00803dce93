from django.urls import path

from settlement import views, views_claims
from settlement.cycle import urls as cycle_urls
from settlement.cycle import views_clearing, views_providers
from settlement.cycle import views_in as cycle_in

app_name = "settlement"

urlpatterns = [
    path("", views.index, name="index"),
    path("settlements/", views.settlement_list, name="list"),
    path("s/<str:setl_id>/", views.settlement_detail, name="detail"),
    path("s/<str:setl_id>/print/", views.settlement_print, name="print"),
    path("s/<str:setl_id>/reverse/", views.settlement_reverse_view, name="reverse"),
    path("providers/<int:provider_pk>/credentials/", views.credentials, name="credentials"),
    path(
        "providers/<int:provider_pk>/credentials/<str:action>/",
        views.credential_action,
        name="credential_action",
    ),
    path("reimbursements/", views_claims.reimbursement_list, name="reimbursements"),
    path("reimbursements/new/", views_claims.reimbursement_new, name="reimbursement_new"),
    path("reimbursements/<int:pk>/", views_claims.reimbursement_detail, name="reimbursement"),
    path(
        "reimbursements/<int:pk>/decide/",
        views_claims.reimbursement_decide,
        name="reimbursement_decide",
    ),
    path(
        "reimbursements/<int:pk>/print/",
        views_claims.reimbursement_print,
        name="reimbursement_print",
    ),
    path("allowances/", views_claims.allowance_list, name="allowances"),
    path("allowances/new/", views_claims.allowance_new, name="allowance_new"),
    path("allowances/<int:pk>/", views_claims.allowance_detail, name="allowance"),
    path("allowances/<int:pk>/decide/", views_claims.allowance_decide, name="allowance_decide"),
    path("cycle/<str:month>/collection/", cycle_in.cycle_collection, name="cycle_collection"),
    path("cycle/<str:month>/accounts/", cycle_in.cycle_accounts, name="cycle_accounts"),
    path("cycle/<str:month>/remittance/", cycle_in.cycle_remittance, name="cycle_remittance"),
    path("cycle/<str:month>/disbursement/", cycle_in.cycle_disbursement, name="cycle_disbursement"),
    path("cycle/<str:month>/clearing/", views_clearing.cycle_clearing, name="cycle_clearing"),
    path("cycle/<str:month>/reconcile/", views_clearing.cycle_reconcile, name="cycle_reconcile"),
    *cycle_urls.urlpatterns,
    path("cycle/<str:month>/providers/", views_providers.cycle_providers, name="cycle_providers"),
    path(
        "cycle/<str:month>/providers/<str:code>/",
        views_providers.cycle_provider_statement,
        name="cycle_provider_statement",
    ),
]
