from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from openbeat.areas.models import Neighbourhood


def neighbourhood_detail(request: HttpRequest, code: str) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood.objects.select_related("division"), code=code)
    return render(request, "areas/neighbourhood_detail.html", {"neighbourhood": neighbourhood})
