"""A method a resource does not take is 405 with an ``Allow`` header naming the ones it
does (RFC 9110), on every API route and on the pages."""

from __future__ import annotations

import re

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _concrete(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?[^>]+>", "1", rule)


def test_every_api_route_answers_405_with_allow(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = _concrete(rule.rule)
        allowed = set().union(*(r.methods for r in app.url_map.iter_rules() if _concrete(r.rule) == path))
        for method in METHODS:
            if method in allowed:
                continue
            response = client.open(path, method=method)
            assert response.status_code == 405, (method, path)
            assert set(response.headers["Allow"].split(", ")) == allowed, (method, path)
            assert response.content_type == "application/problem+json"
            checked += 1
    assert checked > 20


def test_a_page_answers_405_with_allow(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert "此页面不支持该操作方式" in response.get_data(as_text=True)
