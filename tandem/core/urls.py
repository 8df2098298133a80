from django.urls import path

from tandem.core import health

app_name = "core"

urlpatterns = [
    # For load balancers, systemd and monitors: public, and they say nothing but pass/warn/fail.
    path("health/", health.health, name="health"),
    path("ready/", health.ready, name="ready"),
]
