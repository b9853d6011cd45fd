"""The three journeys of the console in Chromium, against a stack started as `make run` starts it: a
scheduler generates, checks (its cost too) and publishes a roster, gives a duty to its best substitute and
previews a replan (and reads the fairness over months); a lawyer on a phone
checks in and out, makes a calendar link whose QR code shows, and sets a bank account; finance approves a
claim, completes, grades and approves another, makes a payment batch and downloads its export and a bank file. Screenshots of each main page go to
var/test-artifacts/console/; axe-core finds nothing serious or critical on them."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.buskit import wait_for

from .conftest import People, log_in

AXE = Axe()
SERIOUS = {"serious", "critical"}
BIG = 180_000  # ms: generating a county's month may be queued behind other work


def accessible(page: Page, what: str) -> None:
    results = AXE.run(page)
    bad = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]
    assert not bad, f"{what}: axe-core finds {bad}"


def next_two_months() -> tuple[str, str]:
    """Two months of the whole prefecture: more slots than the roster service generates at once, so the
    worker does it and the page follows its progress."""
    first = (date.today().replace(day=1) + timedelta(days=32)).replace(day=1)
    second = (first + timedelta(days=32)).replace(day=1)
    return first.isoformat(), second.replace(
        day=calendar.monthrange(second.year, second.month)[1]
    ).isoformat()


def test_a_scheduler_generates_checks_and_publishes_a_roster(
    page: Page, people: People, artifacts: Path
) -> None:
    log_in(page, people, "scheduler")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="排班表", exact=True)).to_be_visible()
    accessible(page, "rosters")
    start, end = next_two_months()
    page.fill("input[name=region_code]", "654000")
    page.fill("input[name=period_start]", start)
    page.fill("input[name=period_end]", end)
    page.get_by_role("button", name="新建排班表", exact=True).click()
    expect(page.locator("h1 .badge")).to_have_text("草稿")
    page.get_by_role("button", name="生成", exact=True).click()
    # queued generation shows a progress bar that the page follows until the grid is there
    expect(page.locator("progress#gen-progress")).to_be_visible()
    page.screenshot(path=str(artifacts / "scheduler-generating.png"))
    expect(page.locator("h1 .badge")).to_have_text("已生成", timeout=BIG)
    grid = page.locator("table.grid")
    expect(grid).to_be_visible()
    expect(grid.locator("a.duty").first).to_be_visible()
    assert grid.locator("tbody tr").count() >= 5
    page.screenshot(path=str(artifacts / "scheduler-grid.png"), full_page=False)
    accessible(page, "roster grid")
    grid.locator("a.duty").first.click()  # a duty, who could take it, and the form to give it to anyone
    expect(page.get_by_role("heading", name="可替班律师", exact=True)).to_be_visible()
    assert page.locator("select[name=lawyer_id] option").count() >= 1
    page.go_back()
    page.get_by_role("link", name="发布前费用估算", exact=True).click()  # the cost, beside the budgets
    expect(page.locator("p.total .money")).to_be_visible()
    page.screenshot(path=str(artifacts / "scheduler-cost.png"), full_page=True)
    accessible(page, "cost")
    page.go_back()
    page.select_option("select[name=region]", "654021")
    page.select_option("select[name=level]", "county")
    page.get_by_role("button", name="筛选", exact=True).click()
    expect(grid.locator("tbody tr")).to_have_count(1)
    expect(grid.locator("tbody th.station")).to_contain_text("伊宁县公共法律服务中心")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator("h1 .badge")).to_have_text("已发布")
    expect(page.get_by_role("status")).to_contain_text("排班表已发布")
    grid.locator("a.duty").first.click()  # two clicks: the duty, then Assign on its best substitute
    substitutes = page.locator("table.substitutes")
    expect(substitutes).to_be_visible()
    page.screenshot(path=str(artifacts / "scheduler-substitutes.png"), full_page=True)
    accessible(page, "duty and its substitutes")
    substitutes.get_by_role("button").first.click()
    expect(page.get_by_role("status")).to_contain_text("值班已改派")
    expect(grid).to_be_visible()
    page.get_by_role("link", name="重新排班", exact=True).click()  # the replan's preview changes nothing
    page.get_by_role("button", name="预览", exact=True).click()
    expect(page.get_by_role("heading", name="预览：尚未作任何变动", exact=True)).to_be_visible(timeout=BIG)
    expect(page.get_by_role("button", name="执行", exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts / "scheduler-replan-preview.png"), full_page=True)
    accessible(page, "replan preview")
    page.get_by_role("link", name="返回排班表", exact=True).click()
    page.get_by_role("navigation").get_by_role("link", name="工作日历", exact=True).click()
    expect(page.get_by_role("heading", name="法定节假日", exact=True)).to_be_visible()
    accessible(page, "calendar")
    page.go_back()
    page.get_by_role("link", name="律师工作量", exact=True).click()
    expect(page.locator("meter").first).to_be_visible()
    page.screenshot(path=str(artifacts / "scheduler-load.png"))
    page.get_by_role("link", name="近十二个月的公平性", exact=True).click()  # the ledger over months
    expect(page.locator("p.balance meter")).to_be_visible()
    expect(page.locator("table.fairness meter").first).to_be_visible()
    page.screenshot(path=str(artifacts / "scheduler-fairness.png"))
    accessible(page, "fairness")
    page.go_back()
    page.go_back()
    page.get_by_role("link", name="打印视图", exact=True).click()
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    pdf = artifacts / "roster-a3.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    boxes = set(re.findall(rb"MediaBox\s*\[0 0 ([0-9.]+) ([0-9.]+)\]", pdf.read_bytes()))
    assert boxes, "the PDF has no pages"
    assert all(round(float(w)) == 1191 and round(float(h)) == 842 for w, h in boxes), boxes  # A3 across


def test_a_lawyer_on_a_phone_checks_in_and_out(browser: Browser, people: People, artifacts: Path) -> None:
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    try:
        notices = people.api("lawyer")
        wait_for(
            lambda: any(
                n["kind"] == "roster_published"
                for n in notices.get(people.url + "/api/me/notifications", timeout=10).json()["items"]
            ),
            what="the published roster's notification to reach the gateway",
        )
        log_in(page, people, "lawyer")
        expect(page.get_by_role("heading", name="我的值班", exact=True)).to_be_visible()
        expect(page.locator("section.notices")).to_contain_text(
            re.compile(r"的排班表已发布：您有 \d+ 次值班。")
        )
        today = page.locator("article.card.today").first
        expect(today).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, (
            "the page scrolls sideways on a phone"
        )
        page.screenshot(path=str(artifacts / "lawyer-phone.png"))
        accessible(page, "my duties")
        today.get_by_role("button", name="签到", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("已签到")
        page.locator("article.card.today").first.get_by_role("button", name="签退", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("已签退")
        expect(page.locator("article.card.today").first).to_contain_text("已完成")
        page.get_by_role("button", name="生成我的日历链接", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("日历链接已生成")
        feed = page.locator("#calendar-url").input_value()
        qr = page.get_by_role("img", name="我的日历订阅链接二维码")
        expect(qr).to_be_visible()
        wait_for(lambda: qr.evaluate("img => img.complete && img.naturalWidth > 0"), what="the QR code drawn")
        page.get_by_role("button", name="复制", exact=True).click()
        expect(page.locator(".copy-status")).not_to_be_empty()
        page.fill("input[name=account_name]", "律师甲")
        page.fill("input[name=account_no]", "6222020200112233445")
        page.fill("input[name=bank_name]", "中国工商银行")
        page.get_by_role("button", name="保存银行账户", exact=True).click()
        expect(page.locator("dd.account-no")).to_have_text("****3445")
        page.locator("section.calendar-link").screenshot(path=str(artifacts / "lawyer-calendar-link.png"))
        accessible(page, "my calendar link and bank account")
    finally:
        context.close()
    subscribed = requests.get(feed, timeout=10)  # the phone's calendar needs no log-in for it
    assert subscribed.status_code == 200, subscribed.text
    assert subscribed.headers["Content-Type"].startswith("text/calendar")
    mine = (
        people.api("lawyer")
        .get(
            people.url + "/api/roster/me/duties",
            params={"from": people.today, "to": people.today},
            timeout=10,
        )
        .json()["items"]
    )
    assert [(d["id"], d["status"]) for d in mine] == [(people.duty_id, "completed")]


def test_finance_approves_a_claim_makes_a_batch_and_downloads_it(
    page: Page, people: People, artifacts: Path
) -> None:
    lawyer = people.api("lawyer")
    claim = lawyer.post(
        people.url + "/api/subsidy/claims",
        json={
            "kind": "mediation_case",
            "lawyer_id": people.lawyer_id,
            "region_code": "654021",
            "case_no": f"调解-{people.today}-console",
            "service_date": people.today,
            "attributes": {"difficulty": "difficult", "agreement": True},
        },
        timeout=10,
    )
    assert claim.status_code == 201, claim.text
    claim_id = claim.json()["id"]
    log_in(page, people, "finance")
    page.goto(people.url + f"/finance/claims?month={people.today[:7]}&kind=mediation_case")
    row = page.locator("tr", has=page.locator(f"a[href='/finance/claims/{claim_id}']"))
    expect(row).to_contain_text("¥")
    page.screenshot(path=str(artifacts / "finance-queue.png"))
    accessible(page, "claims queue")
    row.get_by_role("link").first.click()  # the claim's page: breakdown, scheme and its document, history
    expect(page.locator("h2", has_text="计算明细")).to_be_visible()
    expect(page.locator("dl.facts").first).to_contain_text("文号")
    page.screenshot(path=str(artifacts / "finance-claim.png"), full_page=True)
    accessible(page, "a claim")
    page.go_back()
    row.get_by_role("button", name="批准", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("申请已批准")
    wait_for(
        lambda: (
            lawyer.get(people.url + f"/api/subsidy/claims/{claim_id}", timeout=10).json()["status"]
            == "approved"
        ),
        what="the claim approved through the console",
    )
    grade_and_approve_a_legal_aid_claim(page, people, artifacts)
    page.get_by_role("link", name="预算", exact=True).click()
    expect(page.locator("meter").first).to_be_visible()
    accessible(page, "budgets")
    page.get_by_role("link", name="支付批次", exact=True).first.click()
    page.fill("input[name=month]", people.today[:7])
    # the batch pays into bank accounts (the lawyer's journey sets this one through the console too)
    people.api("finance").put(
        people.url + f"/api/subsidy/lawyers/{people.lawyer_id}/bank-account",
        json={"account_name": "律师甲", "account_no": "6222020200112233445", "bank_name": "中国工商银行"},
        timeout=10,
    ).raise_for_status()
    page.get_by_role("button", name="用已批准的申请生成批次", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("支付批次已生成")
    expect(page.locator("dl.facts")).to_contain_text("¥")
    page.screenshot(path=str(artifacts / "finance-batch.png"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 CSV", exact=True).click()
    download: Any = download_info.value
    target = artifacts / "batch.csv"
    download.save_as(str(target))
    assert people.lawyer_id in target.read_text(encoding="utf-8-sig") or target.stat().st_size > 20
    expect(page.locator("dd.in-words")).to_contain_text("人民币")
    voucher = page.request.get(page.url.split("?")[0] + "/voucher")  # printable, under the API's own policy
    assert voucher.ok
    assert "default-src 'none'" in voucher.headers["content-security-policy"]
    assert "人民币" in voucher.text()
    with page.expect_download() as bank_info:
        page.locator("a.bank-file", has_text="工商银行").click()
    bank: Any = bank_info.value
    bank_file = artifacts / "bank-icbc.csv"
    bank.save_as(str(bank_file))
    assert "6222020200112233445" in bank_file.read_text(encoding="gbk")  # the lawyer's account, whole
    accessible(page, "a payment batch")
    page.locator(f"a[href^='/finance/lawyers/{people.lawyer_id}/bank-account']").click()  # whole, for finance
    expect(page.locator("dd.account-no")).to_have_text("6222020200112233445")
    accessible(page, "a lawyer's bank account")


def grade_and_approve_a_legal_aid_claim(page: Page, people: People, artifacts: Path) -> None:
    """The demo's raised legal-aid standard asks for a complete file and a grade before approval: finance
    finds the claim in the queue sorted by amount, adds the missing document, grades it 优秀 and approves."""
    lawyer = people.api("lawyer")
    claim = lawyer.post(
        people.url + "/api/subsidy/claims",
        json={
            "kind": "legal_aid_case",
            "lawyer_id": people.lawyer_id,
            "region_code": "654021",
            "case_no": f"援助-{people.today}-console",
            "service_date": people.today,
            "attributes": {"case_type": "civil", "stage": "first_instance"},
            "documents": ["指派通知书", "委托代理协议"],
        },
        timeout=10,
    )
    assert claim.status_code == 201, claim.text
    claim_id = claim.json()["id"]
    page.goto(people.url + f"/finance/claims?month={people.today[:7]}&kind=legal_aid_case&band=2000_10000")
    page.get_by_role("link", name="金额").click()  # sorted by the API over the whole queue
    row = page.locator("tr", has=page.locator(f"a[href='/finance/claims/{claim_id}']"))
    expect(row.get_by_role("button", name="评定等级")).to_be_visible()  # grade before approval
    row.get_by_role("link").first.click()
    expect(page.locator("ol.steps")).to_contain_text("缺少 结案报告")
    page.get_by_label("结案报告").check()
    page.get_by_role("button", name="保存材料").click()
    expect(page.get_by_role("status")).to_contain_text("申请材料已保存")
    page.locator("form.grade-form select[name=grade]").select_option("excellent")
    page.locator("form.grade-form").get_by_role("button", name="评定等级").click()
    expect(page.get_by_role("status")).to_contain_text("已评定等级")
    expect(page.locator("ol.steps li.done")).to_have_count(2)
    page.screenshot(path=str(artifacts / "finance-grading.png"), full_page=True)
    accessible(page, "a graded claim")
    page.get_by_role("button", name="批准", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("申请已批准")
    approved = lawyer.get(people.url + f"/api/subsidy/claims/{claim_id}", timeout=10).json()
    assert (approved["status"], approved["attributes"]["grade"]) == ("approved", "excellent")
    assert approved["amount"] == "2420.00"  # 2,200 for a civil case, +10 % for an excellent file


def test_the_console_switches_to_english_and_refuses_a_forged_form(page: Page, people: People) -> None:
    page.goto(people.url + "/login?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in", exact=True)).to_be_visible()
    page.goto(people.url + "/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    forged = page.request.post(people.url + "/login", form={"username": "finance", "password": "x"})
    assert forged.status == 403
    assert "default-src 'self'" in forged.headers["content-security-policy"]
    page.goto(people.url + "/login?lang=zh")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
