"""The web console: server-rendered pages for schedulers, finance staff and lawyers.

It is a client of the public API like any other: it holds the user's token (encrypted in an HttpOnly
session cookie) and calls the gateway's /api with it, so it can do nothing the user's role cannot do
through the API. It imports no service (import-linter says so); the gateway serves it at `/`.
"""
