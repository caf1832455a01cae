"""The API describes itself: every route declares the errors it can return."""

from __future__ import annotations

from fastapi.testclient import TestClient

PUBLIC = {("post", "/api/v1/auth/login")}
OPEN = {("get", "/api/v1/public/inspection/results")}  # no login, no input: 一公开


def test_every_api_route_declares_its_errors(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["paths"], "the API has routes"
    problems = []
    for path, methods in spec["paths"].items():
        assert path.startswith("/api/v1/"), f"{path} is outside /api/v1"
        for method, operation in methods.items():
            declared = set(operation["responses"])
            needed = {"401", "423"} if (method, path) in PUBLIC else {"401", "403", "422"}
            if (method, path) in OPEN:
                needed = set()
            if not needed <= declared:
                problems.append(f"{method.upper()} {path}: declares {sorted(declared)}")
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and status != "422":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema["$ref"].endswith("/ErrorBody"), (path, status)
    assert problems == []


def test_pages_are_not_in_the_api_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not any(p in paths for p in ("/login", "/", "/entities", "/admin/users"))
