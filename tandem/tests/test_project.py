"""Project-wide rules: every model has a visibility rule, the OpenAPI document is committed,
and production settings pass Django's deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from tandem.core import visibility
from tandem.core.roles import Role
from tandem.tests.world import build_world

OPENAPI_FILE = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def test_every_model_has_a_read_rule_and_a_write_rule():
    missing = {m._meta.label_lower for m in visibility.tandem_models()} - visibility.registered_labels()
    assert not missing, f"Register a read and a write rule (visibility.register) for: {sorted(missing)}"


@pytest.mark.parametrize("role", list(Role))
def test_every_visibility_selector_answers_every_role(user_with_role, role):
    user = user_with_role(role)
    for model in visibility.tandem_models():
        queryset = visibility.selector_for(model)(user=user)
        assert queryset.model is model
        list(queryset[:1])  # the rule compiles to SQL on this database


@pytest.mark.parametrize("role", list(Role))
def test_what_anyone_may_change_they_may_see(rep, outsider_rep, product_manager, other_rep, user_with_role, role):
    """Every model's write rule, for every role, over a world with records of the rep's own team, of
    a team-mate reached through a deal and of another team: never a record the role cannot see."""
    build_world(rep=rep, outsider_rep=outsider_rep, product_manager=product_manager, teammate=other_rep)
    user = user_with_role(role)
    for model in visibility.tandem_models():
        changeable = visibility.changeable_for(model)(user=user)
        assert changeable.model is model
        visible = visibility.selector_for(model)(user=user)
        beyond = changeable.exclude(pk__in=visible.values("pk"))
        assert not beyond.exists(), f"{role} may change {model.__name__} rows it cannot see: {list(beyond[:5])}"


def _current_openapi() -> dict:
    from ninja.responses import NinjaJSONEncoder

    from tandem.api import api

    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


def test_committed_openapi_document_is_current():
    """The API's shape is reviewed in diffs: regenerate with `make openapi` after changing it."""
    committed = json.loads(OPENAPI_FILE.read_text())
    assert committed == _current_openapi(), "docs/openapi.json is stale: run `make openapi` and commit it"


def test_every_api_operation_declares_its_errors():
    for path, methods in _current_openapi()["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404"} <= codes, f"{method.upper()} {path} does not declare 401/403/404"
            if method in ("post", "patch", "put"):
                assert "422" in codes, f"{method.upper()} {path} does not declare 422"
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"


def test_production_settings_pass_the_deploy_checks():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tandem.settings.base",
        "ENV_FILE": "",
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-production-secret-key-with-enough-entropy-1234567890",
        "ALLOWED_HOSTS": "tandem.example.com",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document names each schema by its class alone: two apps' `FiguresOut` became one,
    and the forecast's answers were checked against the attainment's figures."""
    import importlib
    import inspect

    from pydantic import BaseModel

    owners: dict[str, list[str]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("tandem."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.api")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                owners.setdefault(name, []).append(config.label)
    assert {name: labels for name, labels in owners.items() if len(labels) > 1} == {}
