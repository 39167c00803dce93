from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pooling.web.decorators import capability_required


@capability_required("settlement.view")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "settlement/index.html")
