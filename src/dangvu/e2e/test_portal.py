"""The public portal in a real browser: an editor writes an article with a live figure and
schedules it; once its time has come a reader on a phone reads it and comments (a script in the
comment never runs); the moderator approves the comment and it shows under the article.
Screenshots of the article and of the approved comment are kept."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from dangvu.e2e.conftest import PASSWORD
from dangvu.e2e.test_browser import assert_no_horizontal_scroll, press, sign_in
from dangvu.e2e.test_roles import pick

WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười")


def _answer(question: str) -> str:
    a, b = re.search(r"(\w+) cộng (\w+)", question.lower()).groups()
    return str(WORDS.index(a) + WORDS.index(b))


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_an_article_published_read_commented_and_moderated(
    page, viewport, live_server, org_tree, members, screenshot
):
    from django.utils import timezone

    from dangvu.accounts.services import grant_create, user_create
    from dangvu.news.models import Article, Comment
    from dangvu.news.services import categories_ensure

    categories_ensure()  # the live server's database is flushed after each browser test

    for name, role in (("bien.tap", "editor"), ("kiem.duyet", "moderator")):
        user, _password = user_create(actor=None, username=name, password=PASSWORD)
        grant_create(actor=None, user=user, organisation=org_tree["province"], role=role)

    # The editor: a draft with a live figure, scheduled a minute ahead.
    sign_in(page, live_server.url, viewport, username="bien.tap")
    page.goto(f"{live_server.url}/news/")
    press(page, viewport, page.locator("#new-article"))
    pick(page, viewport, "organisation", "thu nghiem", "Đảng bộ tỉnh Thử Nghiệm")
    page.fill("[name='title']", "Đông Anh nâng chất lượng sinh hoạt chi bộ")
    page.fill("[name='lead']", "Mỗi buổi sinh hoạt đều được đánh giá.")
    page.fill(
        "[name='body']",
        "<p>Đảng bộ có [[so-lieu:members:E2E-T]].</p><script>document.title='hacked'</script>",
    )
    page.select_option("[name='category']", label="Xây dựng Đảng")
    page.fill("[name='tags']", "sinh hoạt chi bộ")
    press(page, viewport, page.locator("#save-article"))
    expect(page.locator("#preview")).to_contain_text("2 đảng viên")
    a = Article.objects.get()
    assert "script" not in a.body
    at = timezone.localtime() + timedelta(minutes=1)
    page.fill("[name='publish_at']", at.strftime("%Y-%m-%dT%H:%M"))
    press(page, viewport, page.locator("#publish"))
    expect(page.locator("ul.messages")).to_contain_text("Đã đăng")
    a.refresh_from_db()
    assert a.state == "published" and a.publish_at > timezone.now()
    page.context.clear_cookies()
    assert page.goto(f"{live_server.url}/tin-tuc/bai/{a.pk}/{a.slug}/").status == 404

    # Its time comes (moved back rather than waited for).
    Article.objects.filter(pk=a.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    from dangvu.news.services import portal_bump

    portal_bump()

    # A reader on a phone.
    page.goto(f"{live_server.url}/tin-tuc/")
    press(
        page, viewport, page.get_by_role("link", name="Đông Anh nâng chất lượng sinh hoạt chi bộ")
    )
    expect(page.locator("h1")).to_have_text("Đông Anh nâng chất lượng sinh hoạt chi bộ")
    expect(page.locator("#body")).to_contain_text("2 đảng viên")
    assert page.title() != "hacked"
    assert_no_horizontal_scroll(page, "article")
    screenshot("article")
    question = page.locator("#captcha label")
    expect(question).to_contain_text("cộng")
    page.fill("#c-name", "Lê Văn Đọc")
    page.fill("#c-email", "doc@example.vn")
    page.fill("#c-text", "<script>document.title='hacked'</script>Bài viết rất thiết thực.")
    page.fill("#c-answer", _answer(question.inner_text()))
    press(page, viewport, page.locator("#send-comment"))
    expect(page.locator("#comment-done")).to_contain_text("sau khi được kiểm duyệt")
    c = Comment.objects.get()
    assert c.state == "held"

    # The moderator approves it.
    sign_in(page, live_server.url, viewport, username="kiem.duyet")
    page.goto(f"{live_server.url}/news/comments/")
    press(page, viewport, page.locator(f"#approve-{c.pk}"))
    expect(page.locator("ul.messages")).to_contain_text("Lê Văn Đọc")
    c.refresh_from_db()
    assert c.state == "approved"

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/tin-tuc/bai/{a.pk}/{a.slug}/")
    comments = page.locator("#comments")
    expect(comments).to_contain_text("Bài viết rất thiết thực.")
    expect(comments).to_contain_text("<script>")  # shown as text, never run
    assert page.title() != "hacked"
    screenshot("approved-comment")
    assert not page.js_errors
