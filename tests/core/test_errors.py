"""Every error in the tree reaches the user with the status its class carries."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lookthrough.core.errors import LookthroughError, NotAuthenticated, all_errors

ERRORS = {cls.__name__: cls for cls in all_errors()}


@pytest.fixture
def raising_client(app: FastAPI) -> TestClient:
    def api_raise(name: str) -> None:
        raise ERRORS[name]()

    def page_raise(name: str) -> None:
        raise ERRORS[name]()

    app.add_api_route("/api/v1/_raise/{name}", api_raise)
    app.add_api_route("/_raise/{name}", page_raise)
    return TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_api_error_status_comes_from_the_class(raising_client: TestClient, name: str) -> None:
    error = ERRORS[name]
    response = raising_client.get(f"/api/v1/_raise/{name}")
    assert response.status_code == error.status
    assert response.json()["code"] == error.code
    assert response.json()["detail"] == error.default_message


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_page_error_is_a_friendly_page(raising_client: TestClient, name: str) -> None:
    error = ERRORS[name]
    response = raising_client.get(f"/_raise/{name}", follow_redirects=False)
    if issubclass(error, NotAuthenticated):
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    else:
        assert response.status_code == error.status
        assert "text/html" in response.headers["content-type"]
        assert error.default_message in response.text


def test_statuses_are_http_errors() -> None:
    assert all(400 <= cls.status < 600 for cls in all_errors())
    assert LookthroughError.status == 500
