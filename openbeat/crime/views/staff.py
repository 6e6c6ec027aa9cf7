"""Back office: the record of crime imports (force-wide: crime files cover the whole force)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from openbeat.audit.services import log_action
from openbeat.crime.selectors import crime_imports

IMPORTS_PERMISSION = "crime.view_crime_import"


@permission_required(IMPORTS_PERMISSION, raise_exception=True)
@never_cache
def import_list(request: HttpRequest) -> HttpResponse:
    imports = crime_imports()
    log_action("crime.imports.view", actor=request.user, request=request, data={"shown": len(imports)})
    return render(request, "crime/staff/imports.html", {"imports": imports})
