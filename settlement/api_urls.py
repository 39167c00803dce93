"""Settlement's REST resource under /api/v1/ (the providers' own interface is /api/hsa/)."""

from django.urls import path

from settlement import api

urlpatterns = [
    path("settlements/", api.SettlementList.as_view(), name="api_settlements"),
    path("settlements/settle/", api.SettlementCreate.as_view(), name="api_settlement_settle"),
    path(
        "settlements/accumulators/",
        api.AccumulatorList.as_view(),
        name="api_settlement_accumulators",
    ),
    path("settlements/<str:setl_id>/", api.SettlementDetail.as_view(), name="api_settlement"),
    path(
        "settlements/<str:setl_id>/reverse/",
        api.SettlementReverse.as_view(),
        name="api_settlement_reverse",
    ),
]
