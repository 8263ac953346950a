"""The site around the pages: fragments never taken for pages, an expired session during a
live search, error pages."""

from django.test import Client

from dangvu.testing.factories import make_user


def test_every_page_varies_on_hx_request(tree):
    user = make_user("vary_staff", role="org_staff", org=tree.province)
    client = Client()
    client.force_login(user)
    for url in ("/", "/members/", "/organisations/", f"/organisations/{tree.province.code}/"):
        response = client.get(url)
        assert "HX-Request" in response.headers.get("Vary", ""), url
    fragment = client.get("/members/", {"q": "x"}, headers={"HX-Request": "true"})
    page = client.get("/members/", {"q": "x"})
    assert "<html" not in fragment.content.decode() and "<html" in page.content.decode()
    # htmx restoring a page it no longer holds asks with both headers: the whole page.
    restored = client.get(
        "/members/",
        {"q": "x"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restored.content.decode()


def test_an_expired_session_during_a_live_search_loads_the_sign_in_page_whole(db):
    client = Client()
    response = client.get(
        "/members/",
        {"q": "nguyen"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/members/?q=ng"},
    )
    assert response.status_code == 204 and not response.content
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fmembers%2F%3Fq%3Dng"
    # A page of another site is not where the person goes back to.
    response = client.get(
        "/members/", headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/x"}
    )
    assert response["HX-Redirect"] == "/accounts/login/?next=%2F"
    # Without htmx: the usual redirect.
    assert client.get("/members/").status_code == 302


def test_error_pages_are_vietnamese_in_the_layout_with_a_way_back(tree):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from dangvu.core.views import bad_request, permission_denied

    user = make_user("err_staff", role="org_staff", org=tree.province)
    client = Client()
    client.force_login(user)
    missing = client.get("/organisations/NO-SUCH-ORG/", headers={"Referer": "http://testserver/"})
    text = missing.content.decode()
    assert missing.status_code == 404
    assert "Không tìm thấy trang" in text and 'class="topbar"' in text and 'href="/"' in text
    assert "Quay lại trang trước" in text
    request = RequestFactory().get("/x", HTTP_REFERER="https://evil.example/")
    request.user = user
    for view, code in ((permission_denied, 403), (bad_request, 400)):
        response = view(request)
        page = response.content.decode()
        assert response.status_code == code and "Về trang chủ" in page
        assert "evil.example" not in page  # a way back only to our own pages
    # 500 renders without a request, a database or a context processor.
    crash = render_to_string("500.html")
    assert "Đã có lỗi ở máy chủ" in crash and 'href="/"' in crash


def test_a_form_sent_without_its_token_gets_the_expired_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    text = response.content.decode()
    assert response.status_code == 403 and "Trang đã hết hạn" in text and 'href="/"' in text
