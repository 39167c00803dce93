from django.urls import path

from funds import views, views_plans

app_name = "funds"

urlpatterns = [
    path("", views.index, name="index"),
    path("book/<slug:code>/", views.book_detail, name="book"),
    path("book/<slug:code>/trial/", views.trial_balance, name="trial"),
    path("book/<slug:code>/statement/", views.statement, name="statement"),
    path("book/<slug:code>/journal/", views.journal, name="journal"),
    path("book/<slug:code>/close/", views.close_period, name="close_period"),
    path("account/<int:pk>/", views.account_detail, name="account"),
    path("entry/<int:pk>/", views.entry_detail, name="entry"),
    path("entry/<int:pk>/reverse/", views.reverse, name="reverse"),
    path("budgets/", views_plans.budgets, name="budgets"),
    path("budgets/<int:pk>/", views_plans.budget_detail, name="budget"),
    path("budgets/monthly-plan/", views_plans.monthly_plan, name="monthly_plan"),
    path("book/<slug:code>/year-end/", views_plans.year_end, name="year_end"),
    path("schedules/", views_plans.schedules, name="schedules"),
]
