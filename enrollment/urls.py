from django.urls import path

from enrollment import exports, transfer_views, views

app_name = "enrollment"

urlpatterns = [
    path("", views.index, name="index"),
    path("people/", views.people, name="people"),
    path("people/export/", exports.people_export, name="people_export"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/enrol/", views.person_enrol, name="person_enrol"),
    path(
        "people/<int:pk>/resident-payment/",
        views.person_resident_payment,
        name="person_resident_payment",
    ),
    path("people/<int:pk>/event/", views.person_event, name="person_event"),
    path("people/<int:pk>/referral/", views.referral_new, name="referral_new"),
    path("enrolments/<int:pk>/<str:action>/", views.enrolment_action, name="enrolment_action"),
    path("employers/", views.employers, name="employers"),
    path("employers/export/", exports.employers_export, name="employers_export"),
    path("employers/new/", views.employer_new, name="employer_new"),
    path("employers/<int:pk>/", views.employer_detail, name="employer"),
    path("employers/<int:pk>/edit/", views.employer_edit, name="employer_edit"),
    path("employers/<int:pk>/declare/", views.employer_declare, name="employer_declare"),
    path("declarations/", views.declarations, name="declarations"),
    path("declarations/export/", exports.declarations_export, name="declarations_export"),
    path("arrears/", views.arrears, name="arrears"),
    path("arrears/export/", exports.arrears_export, name="arrears_export"),
    path("collections/new/", views.collection_new, name="collection_new"),
    path("overlaps/", views.overlaps, name="overlaps"),
    path("transfers/", transfer_views.transfers, name="transfers"),
    path("transfers/new/", transfer_views.transfer_new, name="transfer_new"),
    path("transfers/<int:pk>/", transfer_views.transfer_detail, name="transfer"),
    path("transfers/<int:pk>/release/", transfer_views.transfer_release, name="transfer_release"),
    path("transfers/<int:pk>/object/", transfer_views.transfer_object, name="transfer_object"),
    path("transfers/<int:pk>/cancel/", transfer_views.transfer_cancel, name="transfer_cancel"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
]
