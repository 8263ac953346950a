"""The public portal (no sign-in): home, categories, articles, search, the comment form, RSS
and sitemap. Pages for anonymous readers are cached whole in each server process, keyed by the
portal's version (news.services.portal_bump: a publication or an approved comment changes it
in the database, so every process stops serving its old copies) and kept at most CACHE_SECONDS
(live figures stay fresh). The comment form's check question is not in the cached page: it is
fetched on its own (htmx), or asked again after a first submission without it."""

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from dangvu.accounts.signin import client_ip
from dangvu.core.errors import ValidationError
from dangvu.news.captcha import question_new
from dangvu.news.figures import render_figures
from dangvu.news.images import WIDTHS
from dangvu.news.models import Category
from dangvu.news.selectors import (
    approved_comments,
    categories,
    portal_version,
    public_article,
    public_search,
    published,
    related,
)
from dangvu.news.services import comment_post

__all__ = [
    "home",
    "category",
    "article",
    "search",
    "captcha",
    "comment",
    "image",
    "LatestFeed",
    "sitemap",
]

CACHE_SECONDS = 600
BROWSER_SECONDS = 60
PAGE = 12


def _public(view):
    """Open without signing in; for an anonymous GET, answered from the process's cache of the
    portal's current version."""

    @login_not_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        anonymous = (
            request.method in ("GET", "HEAD")
            and not request.user.is_authenticated
            and "HTTP_AUTHORIZATION" not in request.META
            and not request.headers.get("HX-Request")
        )
        if not anonymous:
            return view(request, *args, **kwargs)
        path = hashlib.sha1(request.get_full_path().encode()).hexdigest()
        key = f"portal:{portal_version()}:{translation.get_language()}:{path}"
        hit = cache.get(key) if settings.DANGVU_PORTAL_CACHE else None
        if hit is not None:
            response = HttpResponse(hit[0], content_type=hit[1])
        else:
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.streaming
                and settings.DANGVU_PORTAL_CACHE
            ):
                cache.set(key, (response.content, response["Content-Type"]), CACHE_SECONDS)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=BROWSER_SECONDS)
        return response

    return wrapper


def _srcset(img) -> tuple[str, str]:
    widths = sorted(int(w) for w in img.files)
    src = reverse("portal:image", args=[img.pk, widths[0]])
    return src, ", ".join(f"{reverse('portal:image', args=[img.pk, w])} {w}w" for w in widths)


def _cards(articles) -> list:
    """Articles with their first photo's srcset (one query for all photos)."""
    from dangvu.news.models import ArticleImage

    articles = list(articles)
    first = {}
    for img in ArticleImage.objects.filter(article__in=articles).order_by("order", "pk"):
        first.setdefault(img.article_id, img)
    for a in articles:
        img = first.get(a.pk)
        a.photo = None
        if img is not None:
            src, srcset = _srcset(img)
            a.photo = {"src": src, "srcset": srcset, "alt": img.caption, "w": img.width,
                       "h": img.height}  # fmt: skip
    return articles


@_public
def home(request):
    latest = list(published()[: PAGE + 8])
    featured = [a for a in latest if a.featured][:3]
    rest = [a for a in latest if a not in featured][:PAGE]
    return render(
        request,
        "news/home.html",
        {
            "featured": _cards(featured),
            "latest": _cards(rest),
            "categories": categories(),
        },
    )


@_public
def category(request, slug):
    c = get_object_or_404(Category, slug=slug)
    page = Paginator(published().filter(category=c), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "news/category.html",
        {
            "category": c,
            "page": page,
            "cards": _cards(page.object_list),
            "categories": categories(),
        },
    )


@_public
def article(request, article_id, article_slug=""):
    a = public_article(article_id, request.user)
    if article_slug != a.slug:  # a headline changed, or the short address: the one address
        return redirect("portal:article", article_id=a.pk, article_slug=a.slug, permanent=True)
    images = []
    for img in a.images.all():
        src, srcset = _srcset(img)
        images.append({"img": img, "src": src, "srcset": srcset})
    return render(
        request,
        "news/article.html",
        {
            "a": a,
            "body": mark_safe(render_figures(a.body)),  # noqa: S308 - sanitised on save (nh3)
            "images": images,
            "related": _cards(related(a)),
            "comments": approved_comments(a),
            "categories": categories(),
            "og_image": request.build_absolute_uri(images[0]["src"]) if images else "",
            "canonical": request.build_absolute_uri(reverse("portal:article", args=[a.pk, a.slug])),
        },
    )


@_public
def search(request):
    q = request.GET.get("q", "")[:200]
    page = Paginator(public_search(q), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "news/search.html",
        {"q": q, "page": page, "cards": _cards(page.object_list), "categories": categories()},
    )


@login_not_required
def captcha(request):
    """htmx fragment: a new check question for the comment form (never cached)."""
    response = render(request, "news/_captcha.html", {"question": question_new()})
    patch_cache_control(response, no_store=True)
    return response


@login_not_required
@csrf_exempt  # the article page is cached for every reader: no per-reader token in it
def comment(request, article_id):
    """A reader's comment (POST): stored held for moderation, or the form again with what is
    wrong and a new check question, nothing stored."""
    a = public_article(article_id, request.user)
    if request.method != "POST":
        return redirect("portal:article", article_id=a.pk, article_slug=a.slug)
    data = {k: request.POST.get(k, "")[:5000] for k in ("name", "email", "text")}
    errors = {}
    try:
        comment_post(
            article=a,
            token=request.POST.get("token", "")[:500],
            answer=request.POST.get("answer", "")[:20],
            address=client_ip(request),
            **data,
        )
    except ValidationError as exc:
        errors = exc.message_dict
    if not errors:
        response = render(request, "news/comment_done.html", {"a": a, "categories": categories()})
    else:
        response = render(
            request,
            "news/comment_form.html",
            {
                "a": a,
                "data": data,
                "errors": errors,
                "question": question_new(),
                "categories": categories(),
            },
            status=422,
        )
    patch_cache_control(response, no_store=True)
    return response


@login_not_required
def image(request, image_id, width):
    """A photo of a published article at one of its widths (cached a year: a new photo gets
    new names)."""
    from django.core.files.storage import default_storage

    from dangvu.news.models import ArticleImage

    img = ArticleImage.objects.filter(pk=image_id, article__in=published().values("pk")).first()
    if img is None or str(width) not in img.files or int(width) not in (*WIDTHS, img.width):
        raise Http404
    try:
        data = default_storage.open(img.files[str(width)], "rb").read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type="image/jpeg")
    patch_cache_control(response, public=True, max_age=31536000, immutable=True)
    return response


class LatestFeed(Feed):
    title = "Dangvu — Tin tức"
    description = gettext_lazy("The latest articles of the portal")

    def link(self):
        return reverse("portal:home")

    def items(self):
        return list(published()[:30])

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.lead

    def item_link(self, item):
        return reverse("portal:article", args=[item.pk, item.slug])

    def item_pubdate(self, item):
        return item.publish_at


feed = _public(LatestFeed())


@_public
def sitemap(request):
    rows = [
        (request.build_absolute_uri(reverse("portal:article", args=[a.pk, a.slug])), a.updated_at)
        for a in published().select_related(None).only("pk", "slug", "updated_at")[:50000]
    ]
    home_url = request.build_absolute_uri(reverse("portal:home"))
    return render(
        request,
        "news/sitemap.xml",
        {"rows": rows, "home": home_url},
        content_type="application/xml",
    )
