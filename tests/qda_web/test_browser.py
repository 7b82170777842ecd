"""One strict browser test in Debian's chromium: log in as a coder, select a segment after a
non-BMP character and code it with a number key, write a memo, open the co-occurrence matrix.

Any console error (including a Content-Security-Policy violation) fails the test.
"""

import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Intervjuer: Hva betyr 🙂 tillit?\nKari: At lederen stoler på 𝔑oen av oss i hverdagen."
PHRASE = "lederen stoler på 𝔑oen"

SELECT = """([phrase]) => {
  const box = document.getElementById('source-text');
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(phrase);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + phrase.length);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      box.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
      return [document.getElementById('id_start').value, document.getElementById('id_end').value];
    }
  }
  return null;
}"""


def test_code_a_segment_write_a_memo_open_cooccurrence(live_server, chromium, qda_demo):
    from tillit.apps.qda import services
    from tillit.apps.qda.models import Code, Coding, Memo

    project, users = qda_demo
    source = services.do_create_source(
        project, "SYNTHETIC browser interview", TEXT, actor=users["owner"], language="nb"
    )
    page = chromium.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "coder")
    page.fill("#id_password", "correct-horse-battery-9")
    page.click("main button[type=submit]")
    page.wait_for_url("**/projects/")

    page.goto(f"{live_server.url}/p/trust/qda/sources/{source.pk}/")
    key_code = int(page.get_attribute('input[data-key="1"]', "value"))
    start, end = page.evaluate(SELECT, [PHRASE])
    expected = TEXT.index(PHRASE)
    assert (int(start), int(end)) == (expected, expected + len(PHRASE))  # code points
    with page.expect_navigation():
        page.keyboard.press("1")
    coding = Coding.objects.get(source=source, coder=users["coder"])
    assert coding.code_id == key_code
    assert source.text[coding.start : coding.end] == PHRASE
    assert page.locator(f"#source-text .code-{key_code}").count() >= 1
    assert page.locator("#codings-list li").count() == 1
    if os.environ.get("QDA_SCREENSHOT"):
        page.screenshot(path=os.environ["QDA_SCREENSHOT"] + "-source.png", full_page=True)

    # the filter box: narrow to a code and press Enter on a second selection
    other = Code.objects.filter(project=project, name="Recruitment and retention").first()
    page.evaluate(SELECT, ["hverdagen"])
    page.fill("#code-filter", "recruitment")
    with page.expect_navigation():
        page.press("#code-filter", "Enter")
    assert Coding.objects.filter(source=source, code=other, coder=users["coder"]).exists()

    page.select_option("#memo-target", f"coding:{coding.pk}")
    page.fill("#id_title", "Boundary")
    page.fill("#id_text", "The segment stops before the everyday part.")
    with page.expect_navigation():
        page.click("#memo-save")
    memo = Memo.objects.get(title="Boundary")
    assert memo.coding_id == coding.pk and memo.author == users["coder"]
    assert "Boundary" in page.locator(".memo-list").inner_text()

    page.goto(f"{live_server.url}/p/trust/qda/queries/")
    page.click("#tab-cooccurrence")
    page.wait_for_selector("#cooccurrence-matrix")
    assert page.locator("#cooccurrence-matrix tbody tr").count() >= 5
    assert page.locator("figure svg rect").count() >= 25
    if os.environ.get("QDA_SCREENSHOT"):
        page.screenshot(path=os.environ["QDA_SCREENSHOT"] + "-cooc.png", full_page=True)
    assert problems == [], problems
