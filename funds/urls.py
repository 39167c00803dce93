from django.urls import path

from funds import views, views_plans

app_name = "funds"

urlpatterns = [
    path("", views.index, name="index"),
    path("book/<slug:code>/", views.book_detail, name="book"),
    path("book/<slug:code>/trial/", views.trial_balance, name="trial"),
    path("book/<slug:code>/trial/export/", views.trial_export, name="trial_export"),
    path("book/<slug:code>/statement/", views.statement, name="statement"),
    path("book/<slug:code>/statement/export/", views.statement_export, name="statement_export"),
    path("book/<slug:code>/journal/", views.journal, name="journal"),
    path("book/<slug:code>/journal/export/", views.journal_export, name="journal_export"),
    path("book/<slug:code>/close/", views.close_period, name="close_period"),
    path("account/<int:pk>/", views.account_detail, name="account"),
    path("entry/<int:pk>/", views.entry_detail, name="entry"),
    path("entry/<int:pk>/reverse/", views.reverse, name="reverse"),
    path("budgets/", views_plans.budgets, name="budgets"),
    path("budgets/export/", views_plans.budgets_export, name="budgets_export"),
    path("budgets/<int:pk>/", views_plans.budget_detail, name="budget"),
    path("budgets/<int:pk>/export/", views_plans.budget_export, name="budget_export"),
    path("budgets/monthly-plan/", views_plans.monthly_plan, name="monthly_plan"),
    path(
        "budgets/monthly-plan/<int:pk>/approve/",
        views_plans.monthly_plan_approve,
        name="monthly_plan_approve",
    ),
    path("book/<slug:code>/year-end/", views_plans.year_end, name="year_end"),
    path("book/<slug:code>/year-end/export/", views_plans.year_end_export, name="year_end_export"),
    path("schedules/", views_plans.schedules, name="schedules"),
]
