"""The OpenAPI schema matches the endpoints (paths, methods, parameters, error responses), validates, is served
with an offline Swagger UI, and docs/api.md describes every endpoint."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import URLPattern, get_resolver
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def schema():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def api_routes() -> dict[str, set[str]]:
    """{"/api/v1/…/{param}": {"get", "patch" …}} from the URL configuration itself."""
    routes = {}
    for pattern in get_resolver().url_patterns:
        if str(pattern.pattern) != "api/":
            continue
        for route in pattern.url_patterns:
            text = str(route.pattern)
            if not isinstance(route, URLPattern) or not text.startswith("v1/"):  # the catch-all is a regex
                continue
            view = route.callback.view_class
            methods = {m for m in view.http_method_names if hasattr(view, m) and m not in {"options", "head"}}
            routes["/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)] = methods
    return routes


def test_the_schema_has_exactly_the_endpoints_and_methods_routed(schema):
    routes = api_routes()
    assert len(routes) == 11
    assert {path: set(operations) for path, operations in schema["paths"].items()} == routes


def test_path_parameters_are_documented_with_their_shape(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "path"}
            assert set(declared) == set(re.findall(r"{(\w+)}", path)), (method, path)
            for name, parameter in declared.items():
                if name.startswith("sf_"):
                    prefix = "006" if "opportunit" in name else "005"
                    assert parameter["schema"]["pattern"].startswith(f"^{prefix}")
                else:
                    assert parameter["schema"]["type"] == "integer"


def test_every_operation_documents_auth_and_the_error_shape(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"ApiKey"} <= {name for option in operation["security"] for name in option}
            responses = operation["responses"]
            assert {"400", "401", "404", "429"} <= set(responses), (method, path)
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Error"
            if method in {"post", "patch"}:
                assert {"403", "415"} <= set(responses)
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["properties"]) == {"code", "message", "fields"}
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schema["components"]["securitySchemes"]["ApiKey"]["description"],
    }


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/opportunities/{sf_opportunity_id}/flags" in (tmp_path / "schema.yaml").read_text()


def test_swagger_ui_is_served_from_our_own_static_files():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    # The start-up script comes from the page's own URL (no inline script: the CSP allows files only).
    assert "/api/docs/?script=" in assets
    for asset in assets:
        if asset.startswith("/api/docs/"):
            continue
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not in any static directory"
    assert not re.search(r"https?://", html), "the page loads something from another host"
    assert "<script>" not in html and "<style" not in html
    script = APIClient().get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in script.content.decode()


def test_docs_describe_every_endpoint(schema):
    text = (ROOT / "docs" / "api.md").read_text()
    for path, operations in schema["paths"].items():
        for method in operations:
            assert f"{method.upper()} {path}" in text, f"docs/api.md does not describe {method.upper()} {path}"
    for code in ("invalid", "parse_error", "not_authenticated", "authentication_failed", "not_found", "throttled"):
        assert f"`{code}`" in text


def test_unknown_api_paths_answer_in_the_error_shape():
    response = APIClient().get("/api/v1/opportunity/0065g0000000001AAA/flags")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "/api/docs/" in response.json()["error"]["message"]
