from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .health import health_report
from .selectors import dashboard_for


@never_cache
def healthz(request):
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


@login_required
def dashboard(request):
    return render(request, "academy/dashboard.html", dashboard_for(user=request.user))
