"""A payment batch's voucher (付款凭证) as one printable HTML page: batch, month, region, a line per lawyer,
the total in figures and in Chinese capitals, and lines to sign. Its style is inline and allowed by hash, so
the page's Content-Security-Policy lets nothing in from anywhere, this host included."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from jinja2 import Environment

from services.subsidy.domain.money import format_money

STYLE = """
@page { size: A4 portrait; margin: 15mm; }
body { font-family: "SimSun", "Songti SC", serif; font-size: 11pt; color: #000; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 16pt; text-align: center; letter-spacing: 0.3em; margin: 0 0 4mm; }
.meta { display: flex; justify-content: space-between; margin-bottom: 3mm; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 1px solid #000; padding: 1.5mm 2mm; }
td.amount, th.amount { text-align: right; white-space: nowrap; }
tfoot td { font-weight: bold; }
.words { margin-top: 3mm; font-size: 12pt; }
.sign { display: flex; justify-content: space-between; margin-top: 12mm; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
@media print { .noprint { display: none; } }
"""
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)

_PAGE = Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>付款凭证 {{ batch.month }} {{ batch.id[:8] }}</title>
<style>{{ style }}</style>
</head>
<body>
<h1>律师公共法律服务补贴付款凭证</h1>
<div class="meta">
  <span>批次 Batch: {{ batch.id }}</span>
  <span>月份 Month: {{ batch.month }}</span>
  <span>地区 Region: {{ batch.region_code or "全部 all" }}</span>
</div>
<table>
  <thead><tr><th>序号</th><th>律师编号</th><th>律师姓名</th><th>笔数</th><th class="amount">金额(元)</th></tr></thead>
  <tbody>
  {%- for line in batch.lines %}
    <tr><td>{{ loop.index }}</td><td>{{ line.lawyer_id }}</td><td>{{ line.lawyer_name }}</td>
        <td>{{ line.claim_count }}</td><td class="amount">{{ money(line.total) }}</td></tr>
  {%- endfor %}
  </tbody>
  <tfoot><tr><td colspan="3">合计 Total</td><td>{{ batch.claim_count }}</td>
    <td class="amount">{{ money(batch.total) }}</td></tr></tfoot>
</table>
<p class="words">大写金额 Amount in words: <strong>{{ batch.total_in_words }}</strong></p>
<div class="sign"><span>制表 Prepared by:</span><span>审核 Checked by:</span><span>审批 Approved by:</span></div>
</body>
</html>
""")


def voucher_html(batch: dict[str, Any]) -> str:
    """The voucher of a batch as the service answers it (its lines included)."""
    return _PAGE.render(batch=batch, style=STYLE, money=format_money)
