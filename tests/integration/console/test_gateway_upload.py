"""The console's HTTP client sends a file as the API's imports read it: the multipart field `file`, with the
user's token; a refusal comes back as ApiError with every row's errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from services.console.gatewayapi import ApiError, GatewayApi, Upload

RECEIVED: list[dict[str, Any]] = []


def an_api() -> Flask:
    app = Flask("an-api")

    @app.post("/api/subsidy/claims/imports")
    def imports() -> Any:
        sent = request.files["file"]
        RECEIVED.append(
            {
                "authorization": request.headers.get("Authorization"),
                "filename": sent.filename,
                "mimetype": sent.mimetype,
                "content": sent.read(),
            }
        )
        if RECEIVED[-1]["content"].startswith(b"bad"):
            problem = {"title": "Unprocessable Entity", "detail": "1 row", "errors": {"row 2": ["kind: ?"]}}
            return jsonify(problem), 422, {"Content-Type": "application/problem+json"}
        return jsonify({"created": 2, "claims": []}), 201

    return app


@pytest.fixture
def api_url() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, an_api())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def test_a_spreadsheet_goes_to_the_api_as_the_multipart_field_file_with_the_token(api_url: str) -> None:
    RECEIVED.clear()
    api = GatewayApi(api_url, timeout=5)
    file = Upload("案件.csv", "案号\n1\n".encode(), "text/csv")
    answer = api.upload("/api/subsidy/claims/imports", token="tok-1", file=file)
    assert answer == {"created": 2, "claims": []}
    assert [
        {
            "authorization": "Bearer tok-1",
            "filename": "案件.csv",
            "mimetype": "text/csv",
            "content": "案号\n1\n".encode(),
        }
    ] == RECEIVED
    with pytest.raises(ApiError) as refused:
        api.upload("/api/subsidy/claims/imports", token="tok-1", file=Upload("x.csv", b"bad", "text/csv"))
    assert refused.value.status == 422
    assert refused.value.errors == {"row 2": ["kind: ?"]}
