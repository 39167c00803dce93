"""The run pages' URLs (included in settlement/urls.py). Each step's output page is
`settlement:cycle_<step>` with `<month>`, declared by the step's own views."""

from django.urls import path

from settlement.cycle import views

urlpatterns = [
    path("cycle/", views.cycle_runs, name="cycle_runs"),
    path("cycle/start/", views.cycle_start, name="cycle_start"),
    path("cycle/adjust/", views.cycle_adjust, name="cycle_adjust"),
    path("cycle/runs/<int:pk>/", views.cycle_run, name="cycle_run"),
    path("cycle/runs/<int:pk>/progress/", views.cycle_progress, name="cycle_progress"),
    path("cycle/runs/<int:pk>/resume/", views.cycle_resume, name="cycle_resume"),
]
