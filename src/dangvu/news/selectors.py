"""Reads of the portal: what the public sees (published articles whose time has come, approved
comments), what editors and moderators work on (through the gate), and the portal's version."""

import time
from datetime import date

from django.db.models import Count, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows, holds_anywhere, restrict
from dangvu.core.registry import DueItem
from dangvu.core.text import fold
from dangvu.news.choices import ArticleState, CommentState
from dangvu.news.models import Article, Category, Comment, PortalVersion

__all__ = [
    "portal_version",
    "forget_portal_version",
    "published",
    "public_article",
    "public_search",
    "related",
    "approved_comments",
    "categories",
    "editor_articles",
    "editor_article",
    "moderation_queue",
    "news_due",
    "counts_by_state",
]

RELATED = 4
COUNT_BOUND = 1000


# The version read from the database at most once a VERSION_SECONDS per process: under load a
# query per page cost more than the cached page itself. Another process's publication shows
# here within that second; this process's own at once (forget_portal_version).
VERSION_SECONDS = 1.0
_version = [0, float("-inf")]


def portal_version() -> int:
    now = time.monotonic()
    if now - _version[1] >= VERSION_SECONDS:
        number = PortalVersion.objects.filter(pk=1).values_list("number", flat=True).first()
        _version[:] = [number or 0, now]
    return _version[0]


def forget_portal_version() -> None:
    _version[1] = float("-inf")


def published() -> QuerySet:
    """Articles a reader sees: published, their time come; newest first."""
    return (
        Article.objects.filter(state=ArticleState.PUBLISHED, publish_at__lte=timezone.now())
        .select_related("category")
        .order_by("-publish_at", "-id")
    )


def public_article(pk, actor=None) -> Article:
    """A published article; for those who may edit it, also before publication (the editor's
    preview at its public address)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    qs = Article.objects.select_related("category", "organisation").prefetch_related("images")
    a = qs.filter(pk=pk).first()
    if a is None:
        raise Http404
    live = a.state == ArticleState.PUBLISHED and a.publish_at <= timezone.now()
    if not live and not (
        actor is not None and actor.is_authenticated and allows(actor, "news.edit", a)
    ):
        raise Http404
    return a


def public_search(q: str) -> QuerySet:
    qs = published()
    words = fold(q or "").split()[:8]
    if not words:
        return qs.none()
    for w in words:
        qs = qs.filter(search__contains=w)
    return qs


def related(a: Article, limit: int = RELATED) -> list[Article]:
    """ "Có thể bạn quan tâm": the recent articles sharing most tags with `a`, then most words of
    its headline, then the same category."""
    candidates = list(published().exclude(pk=a.pk)[:300])
    tags = {fold(t) for t in a.tag_list()}
    words = {w for w in fold(a.title).split() if len(w) > 2}

    def score(b: Article) -> tuple:
        shared_tags = len(tags & {fold(t) for t in b.tag_list()})
        shared_words = len(words & {w for w in fold(b.title).split() if len(w) > 2})
        return (shared_tags, shared_words, b.category_id == a.category_id)

    ranked = sorted(candidates, key=score, reverse=True)
    return [b for b in ranked if any(score(b))][:limit]


def approved_comments(a: Article) -> list[Comment]:
    return list(a.comments.filter(state=CommentState.APPROVED).order_by("created_at", "pk")[:200])


def categories() -> list[Category]:
    return list(Category.objects.all())


def editor_articles(*, actor, state: str = "") -> QuerySet:
    qs = restrict(Article.objects.all(), actor, "news.edit").select_related(
        "category", "organisation"
    )
    if state in ArticleState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-updated_at", "-id")


def editor_article(*, actor, pk) -> Article:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    a = editor_articles(actor=actor).filter(pk=pk).first()
    if a is None:
        raise Http404
    return a


def moderation_queue(*, actor, state: str = CommentState.HELD) -> QuerySet:
    qs = restrict(Comment.objects.all(), actor, "news.moderate").select_related("article")
    if state in CommentState.values:
        qs = qs.filter(state=state)
    return qs.order_by("created_at", "pk")


def _bounded(qs) -> int:
    return len(qs.values_list("pk", flat=True)[: COUNT_BOUND + 1])


def news_due(actor, today: date) -> list[DueItem]:
    """The home page's portal work: drafts awaiting review for those who publish, comments
    awaiting moderation for moderators."""
    items = []
    if holds_anywhere(actor, "news.publish"):
        n = _bounded(
            restrict(Article.objects.filter(state=ArticleState.REVIEW), actor, "news.publish")
        )
        if n:
            items.append(
                DueItem(
                    _("Articles awaiting review"),
                    min(n, COUNT_BOUND),
                    reverse("news:articles") + "?state=review",
                    more=n > COUNT_BOUND,
                )
            )
    if holds_anywhere(actor, "news.moderate"):
        n = _bounded(moderation_queue(actor=actor))
        if n:
            items.append(
                DueItem(
                    _("Comments awaiting moderation"),
                    min(n, COUNT_BOUND),
                    reverse("news:moderation"),
                    more=n > COUNT_BOUND,
                )
            )
    return items


def counts_by_state(*, actor) -> dict[str, int]:
    return dict(
        editor_articles(actor=actor)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
