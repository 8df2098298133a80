"""Refused requests leave a trace too: the audit trail records changes made, the request log the
access decisions refused (ASVS 7.2.2)."""

import logging

import pytest
from django.urls import reverse

from tandem.audit.models import AuditEntry
from tandem.core.logs import RequestContextFilter

pytestmark = pytest.mark.django_db


def test_a_refused_request_is_logged_with_who_what_and_the_refusal_and_changes_nothing(client, rep, caplog):
    caplog.handler.addFilter(RequestContextFilter())
    client.force_login(rep)

    with caplog.at_level(logging.INFO, logger="tandem.request"):
        response = client.post(reverse("decisions:decision_right_update", kwargs={"decision_type": "later"}), {})

    assert response.status_code == 403
    [line] = [r for r in caplog.records if r.name == "tandem.request"]
    assert (line.method, line.path, line.status) == ("POST", "/decisions/rights/later/", 403)
    assert line.user_id == rep.pk
    assert line.request_id == response["X-Request-ID"]
    assert not AuditEntry.objects.exists()
