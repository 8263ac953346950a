"""The public portal: what a reader sees and when, the comment form's rules (each refusal stores
nothing), escaping, the cache dropped on publication, moderation by scope, search, feeds, the
public API and live figures."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from dangvu.accounts.roles import Role
from dangvu.accounts.scoping import SYSTEM
from dangvu.core.errors import ValidationError
from dangvu.news.models import Article, Comment
from dangvu.news.sanitise import clean_html
from dangvu.news.selectors import forget_portal_version, related
from dangvu.news.services import (
    RATE_LIMIT,
    article_create,
    article_publish,
    comment_moderate,
    comment_post,
)
from dangvu.news.tests.conftest import answered
from dangvu.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    forget_portal_version()
    yield
    cache.clear()
    forget_portal_version()


def _post(client, a, **fields):
    data = {"name": "Y Bơi", "email": "ybo@example.vn", "text": "Bài viết hay.", **answered()}
    data.update(fields)
    return client.post(f"/tin-tuc/bai/{a.pk}/binh-luan/", data)


def test_script_and_event_handlers_are_removed_from_an_article_body():
    html = clean_html(
        '<p onclick="steal()">Hay<script>alert(1)</script></p>'
        '<img src="x.jpg" onerror="alert(2)"><a href="javascript:alert(3)">x</a>'
        '<p style="color:red">màu</p>'
    )
    assert "script" not in html and "onclick" not in html and "onerror" not in html
    assert "javascript:" not in html and "style" not in html
    assert "<p>Hay</p>" in html


def test_an_article_body_is_stored_sanitised_and_shown_so(make_article):
    a = make_article(body='<p>Tin<script>alert("x")</script></p><img src=x onerror=alert(1)>')
    page = Client().get(f"/tin-tuc/bai/{a.pk}/{a.slug}/").content.decode()
    assert "alert" not in page
    assert "<p>Tin</p>" in page


def test_a_reader_reads_a_published_article_not_a_draft_nor_a_scheduled_one(
    make_article, category, tree
):
    a = make_article()
    draft = make_article(publish=False, title="Bản nháp chưa đăng")
    later = make_article(publish=False, title="Bài hẹn giờ đăng")
    article_publish(actor=SYSTEM, article=later, at=timezone.now() + timedelta(hours=2))
    client = Client()
    assert client.get(f"/tin-tuc/bai/{a.pk}/{a.slug}/").status_code == 200
    assert client.get(f"/tin-tuc/bai/{draft.pk}/{draft.slug}/").status_code == 404
    assert client.get(f"/tin-tuc/bai/{later.pk}/{later.slug}/").status_code == 404
    home = client.get("/tin-tuc/").content.decode()
    assert a.title in home and "Bản nháp" not in home and "hẹn giờ" not in home


def test_a_comment_waits_for_moderation_then_shows_escaped(make_article):
    a = make_article()
    client = Client()
    r = _post(client, a, text='<script>alert("x")</script> Rất hay')
    assert r.status_code == 200
    c = Comment.objects.get()
    assert c.state == "held"
    page = client.get(f"/tin-tuc/bai/{a.pk}/{a.slug}/").content.decode()
    assert "Rất hay" not in page
    comment_moderate(actor=SYSTEM, comment=c, state="approved")
    page = client.get(f"/tin-tuc/bai/{a.pk}/{a.slug}/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Rất hay" in page
    assert '<script>alert("x")</script>' not in page
    assert "ybo@example.vn" not in page


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": ""}, "name"),
        ({"text": ""}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"email": "khong-phai-email"}, "email"),
        ({"answer": "99"}, "answer"),
        ({"token": "gia-mao"}, "answer"),
    ],
)
def test_bad_comments_are_refused_with_a_message_and_store_nothing(make_article, fields, field):
    a = make_article()
    data = {"name": "Y Bơi", "email": "ybo@example.vn", "text": "Hay", **answered(), **fields}
    with pytest.raises(ValidationError) as exc:
        comment_post(article=a, address="10.0.0.1", **data)
    assert field in exc.value.message_dict
    assert not Comment.objects.exists()
    r = _post(Client(), a, **fields)
    assert r.status_code == 422
    assert not Comment.objects.exists()


def test_a_check_question_is_answered_once(make_article):
    a = make_article()
    q = answered()
    comment_post(article=a, name="A", email="a@example.vn", text="Một", address="10.0.0.1", **q)
    with pytest.raises(ValidationError) as exc:
        comment_post(article=a, name="B", email="b@example.vn", text="Hai", address="10.0.0.2", **q)
    assert "answer" in exc.value.message_dict
    assert Comment.objects.count() == 1


def test_flooding_from_one_address_is_throttled(make_article):
    a = make_article()
    limit, _window = RATE_LIMIT
    client = Client(REMOTE_ADDR="10.9.9.9")
    for i in range(limit):
        assert _post(client, a, text=f"Ý kiến {i}").status_code == 200
    r = _post(client, a, text="Một lần nữa")
    assert r.status_code == 422
    assert Comment.objects.count() == limit
    assert _post(Client(REMOTE_ADDR="10.9.9.8"), a).status_code == 200  # another reader


def test_a_draft_takes_no_comment(make_article):
    a = make_article(publish=False)
    with pytest.raises(ValidationError):
        comment_post(
            article=a, name="A", email="a@example.vn", text="x", address="10.0.0.1", **answered()
        )
    assert not Comment.objects.exists()


def test_the_cached_home_page_shows_a_new_article_once_published(make_article, settings):
    settings.DANGVU_PORTAL_CACHE = True
    a = make_article()
    client = Client()
    first = client.get("/tin-tuc/")
    # A change that bypasses the services (no new version) is not seen: the page is cached.
    Article.objects.filter(pk=a.pk).update(title="Tiêu đề đổi ngầm")
    assert "Tiêu đề đổi ngầm" not in client.get("/tin-tuc/").content.decode()
    assert set(first["Cache-Control"].split(", ")) == {"public", "max-age=60"}
    b = make_article(publish=False, title="Cà Mau lan tỏa mô hình dân vận khéo")
    assert "Cà Mau lan tỏa" not in client.get("/tin-tuc/").content.decode()  # cached, draft
    article_publish(actor=SYSTEM, article=b)
    page = client.get("/tin-tuc/").content.decode()
    assert "Cà Mau lan tỏa" in page and "Tiêu đề đổi ngầm" in page


def test_a_moderator_of_another_province_cannot_see_or_judge_the_comment(make_article, tree):
    a = make_article()
    comment_post(
        article=a,
        name="A",
        email="a@example.vn",
        text="Góp ý Kon Tum",
        address="10.0.0.1",
        **answered(),
    )
    c = Comment.objects.get()
    other = make_user("kd2", role=Role.MODERATOR, org=tree.province2)
    client = Client()
    client.force_login(other)
    assert "Góp ý Kon Tum" not in client.get("/news/comments/").content.decode()
    assert client.post(f"/news/comments/{c.pk}/", {"to": "approved"}).status_code == 404
    with pytest.raises(ValidationError):
        comment_moderate(actor=other, comment=c, state="approved")
    c.refresh_from_db()
    assert c.state == "held"
    mine = make_user("kd", role=Role.MODERATOR, org=tree.province)
    client.force_login(mine)
    assert "Góp ý Kon Tum" in client.get("/news/comments/").content.decode()
    client.post(f"/news/comments/{c.pk}/", {"to": "approved"})
    c.refresh_from_db()
    assert c.state == "approved"


def test_related_articles_share_tags_first(make_article):
    a = make_article()
    make_article(title="Tin thời tiết", tags="thời tiết")
    b = make_article(title="Kon Tum tạo nguồn", tags="dân tộc thiểu số")
    assert related(a)[0] == b


def test_search_ignores_accents(make_article):
    a = make_article()
    page = Client().get("/tin-tuc/tim-kiem/", {"q": "dak glei dan toc"}).content.decode()
    assert a.title in page


def test_rss_and_sitemap_list_the_article(make_article):
    a = make_article()
    rss = Client().get("/tin-tuc/rss.xml")
    assert rss.status_code == 200 and a.title in rss.content.decode()
    sitemap = Client().get("/tin-tuc/sitemap.xml").content.decode()
    assert f"/tin-tuc/bai/{a.pk}/{a.slug}/" in sitemap


def test_the_article_page_has_open_graph_tags(make_article):
    a = make_article()
    page = Client().get(f"/tin-tuc/bai/{a.pk}/{a.slug}/").content.decode()
    assert f'<meta property="og:title" content="{a.title}">' in page


def test_the_public_api_lists_published_articles_without_a_token(make_article):
    a = make_article()
    make_article(publish=False, title="Bản nháp")
    r = Client().get("/api/v1/articles")
    assert r.status_code == 200
    assert [x["title"] for x in r.json()] == [a.title]
    assert Client().get(f"/api/v1/articles/{a.pk}").json()["body"].startswith("<p>")


def test_the_comments_api_needs_a_moderator(make_article, tree, api_client):
    a = make_article()
    comment_post(
        article=a, name="A", email="a@example.vn", text="Ý kiến", address="10.0.0.1", **answered()
    )
    assert api_client(None).get("/comments").status_code == 401
    mod = api_client(make_user("kd", role=Role.MODERATOR, org=tree.province))
    rows = mod.get("/comments").json()
    assert [r["text"] for r in rows] == ["Ý kiến"] and "email" not in rows[0]
    r = mod.post(f"/comments/{rows[0]['id']}/moderate", {"state": "approved"})
    assert r.json()["state"] == "approved"


def test_a_live_figure_shows_the_current_count(make_article, tree, make_member):
    make_member(tree.cell1, ethnicity="30")
    make_member(tree.cell1)
    a = make_article(body="<p>Tỷ lệ: [[so-lieu:ethnic_minority_share:KT]]</p>")
    page = Client().get(f"/tin-tuc/bai/{a.pk}/{a.slug}/").content.decode()
    assert "50,00 %" in page
    assert timezone.localdate().strftime("%d/%m/%Y") in page


def test_a_live_figure_of_an_unknown_organisation_is_refused(tree, category):
    with pytest.raises(ValidationError) as exc:
        article_create(
            actor=SYSTEM,
            organisation=tree.province,
            data={"title": "T", "category": category, "body": "[[so-lieu:members:KHONG-CO]]"},
        )
    assert "body" in exc.value.message_dict
