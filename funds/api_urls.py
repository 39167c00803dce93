from django.urls import path

from funds import api_views

urlpatterns = [
    path("funds/books/", api_views.BookOverview.as_view(), name="api_funds_books"),
    path("funds/accounts/", api_views.AccountList.as_view(), name="api_funds_accounts"),
    path(
        "funds/books/<slug:code>/statement/",
        api_views.Statement.as_view(),
        name="api_funds_statement",
    ),
    path(
        "funds/books/<slug:code>/trial-balance/", api_views.Trial.as_view(), name="api_funds_trial"
    ),
    path("funds/entries/", api_views.PostEntry.as_view(), name="api_funds_post_entry"),
]
