"""/api/subsidy/audit: the append-only audit trail, and the check of its hash chain."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import require_roles
from services.subsidy.api.problems import problems
from services.subsidy.api.request_unit import unit_of_work
from services.subsidy.api.schemas import AuditQuery, AuditRecordPage, AuditVerifyOut
from services.subsidy.service import audit

blp = Blueprint("audit", __name__, url_prefix="/api/subsidy/audit", description="Audit trail")


@blp.route("", methods=["GET"])
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditRecordPage)
@problems(blp, 403, 422)
@require_roles("finance", "admin")
def list_records(query: dict[str, Any]) -> Any:
    """Audit records, newest first (who, when, what, before and after, why)."""
    with unit_of_work() as uow:
        return audit.list_records(uow, **query)


@blp.route("/verify", methods=["GET"])
@blp.response(200, AuditVerifyOut)
@problems(blp, 403)
@require_roles("finance", "admin")
def verify() -> Any:
    """Check the hash chain; names the first record that was changed, removed or reordered."""
    with unit_of_work() as uow:
        return audit.verify(uow)
