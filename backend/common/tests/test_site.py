"""The site's own pages: OpenAPI schema, Swagger UI, the dashboard shell, the admin."""
import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory


def test_openapi_schema_lists_the_health_endpoint():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/health/" in schema["paths"]
    assert set(schema["paths"]["/api/health/"]["get"]["responses"]) == {"200", "503"}


def test_swagger_ui_is_served():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_swagger_ui_assets_come_from_the_project_not_a_cdn():
    import re

    html = Client().get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r'"(/static/[^"]+\.(?:js|css|png))"', html)
    bundle = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    assert bundle in html
    assert not [url for url in assets if url.startswith(("http:", "https:", "//"))], assets
    for host in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs"):
        assert host not in html
    served = Client().get(bundle)
    assert served.status_code == 200 and b"SwaggerUIBundle" in b"".join(served.streaming_content)


def test_dashboard_is_served_at_root_and_for_client_routes(settings, tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    settings.CLIENT_DIST = tmp_path
    for path in ("/", "/signals/42", "/performance"):
        response = Client().get(path)
        assert response.status_code == 200, path
        assert b'<div id=root>' in response.content
        assert response["Cache-Control"] == "no-cache"


def test_unbuilt_dashboard_says_how_to_build_it(settings, tmp_path):
    settings.CLIENT_DIST = tmp_path / "missing"
    response = Client().get("/")
    assert response.status_code == 503
    assert b"make run" in response.content


def test_unknown_api_path_is_404_not_the_dashboard():
    assert Client().get("/api/nothing-here/").status_code == 404


@pytest.mark.django_db
def test_demo_admin_is_created_once_and_can_log_in(monkeypatch, capsys):
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("DEMO_ADMIN_USERNAME", "demo")
    call_command("ensure_demo_admin")
    out = capsys.readouterr().out
    assert "demo" in out and "password:" in out
    password = out.split("password:")[1].split()[0]

    call_command("ensure_demo_admin")
    assert capsys.readouterr().out == "", "the password is shown only once"

    client = Client()
    # django-axes checks every password sign-in against its lockouts, so it needs the request.
    assert client.login(request=RequestFactory().post("/admin/login/"), username="demo", password=password)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_demo_admin_uses_the_given_password(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_ADMIN_USERNAME", "boss")
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "a-long-given-password")
    call_command("ensure_demo_admin")
    assert "password:" not in capsys.readouterr().out
    assert Client().login(request=RequestFactory().post("/admin/login/"), username="boss", password="a-long-given-password")


def test_openapi_schema_is_valid_without_warnings():
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=err)
    assert "openapi: 3" in out.getvalue()
