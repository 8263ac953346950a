"""Writes of the portal: articles (draft → review → published, scheduled, each save a revision),
their photos, readers' comments (checked, rate limited, held) and their moderation. Every write
by a person is audited in its transaction; a change a reader can see bumps the portal's version
(the public pages' cache). docs/decisions/0024."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import SYSTEM, allows
from dangvu.audit.services import AuditEntry, audit_record
from dangvu.core.editing import Editable, editable
from dangvu.core.errors import ValidationError
from dangvu.core.text import clean_texts, fold
from dangvu.members.services import recorder_id
from dangvu.news.captcha import answer_check
from dangvu.news.choices import ArticleState, CommentState
from dangvu.news.figures import MEASURES, tokens_in
from dangvu.news.images import resize_upload
from dangvu.news.models import (
    Article,
    ArticleImage,
    ArticleRevision,
    Category,
    Comment,
    PortalVersion,
)
from dangvu.news.sanitise import clean_html
from dangvu.news.selectors import forget_portal_version
from dangvu.organisations.models import Organisation

__all__ = [
    "ARTICLE",
    "article_create",
    "article_update",
    "article_submit",
    "article_publish",
    "article_unpublish",
    "article_state_change",
    "STATE_ACTIONS",
    "image_add",
    "comment_post",
    "comment_moderate",
    "portal_bump",
    "articles_move",
    "comments_move",
    "RATE_LIMIT",
]

TEXT_LIMITS = {"title": 300, "lead": 1000, "tags": 300, "source": 100, "author": 150}
BODY_LIMIT = 200_000
COMMENT_LIMITS = {"name": 100, "email": 200, "text": 2000}
# At most this many comments from one address in this window (counted from the stored rows,
# so every server process sees the same count).
RATE_LIMIT = (3, timedelta(minutes=10))


# The portal's first categories; migration 0002 writes the same three (a migration keeps its
# own frozen copy). Tests whose database is flushed between them call categories_ensure().
CATEGORIES = (
    ("xay-dung-dang", "Xây dựng Đảng", 1),
    ("tuyen-truyen", "Tuyên truyền", 2),
    ("mo-hinh-hay", "Mô hình hay, cách làm sáng tạo", 3),
)


def categories_ensure() -> None:
    """Create the first categories where they are missing; change none that exist."""
    for slug, name, order in CATEGORIES:
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "order": order})


def _system(actor) -> bool:
    return actor is None or actor is SYSTEM


def _gate(actor, action: str, obj, message: str) -> None:
    if _system(actor) or allows(actor, action, obj):
        return
    raise ValidationError({"organisation": message})


def portal_bump() -> None:
    """A change readers can see: the public pages' cache keys change in every process."""
    updated = PortalVersion.objects.filter(pk=1).update(number=F("number") + 1)
    if not updated:
        PortalVersion.objects.get_or_create(pk=1, defaults={"number": 1})
    forget_portal_version()
    transaction.on_commit(forget_portal_version)


def _audit(actor, action: str, a: Article, before=None, after=None) -> None:
    audit_record(
        actor=actor,
        entry=AuditEntry(
            action=action,
            object_type="article",
            object_id=a.pk,
            object_repr=a.title[:100],
            org_path=a.org_path,
            before=before,
            after=after,
        ),
    )


def _check_body(actor, body: str) -> str:
    if len(body or "") > BODY_LIMIT:
        raise ValidationError({"body": _("The body is longer than 200,000 characters.")})
    html = clean_html(body)
    for measure, code in tokens_in(html):
        if measure not in MEASURES:
            raise ValidationError(
                {
                    "body": _("Unknown figure %(m)s (known: %(known)s).")
                    % {"m": measure, "known": ", ".join(MEASURES)}
                }
            )
        org = Organisation.objects.filter(code=code).first()
        if org is None or not (_system(actor) or allows(actor, "organisations.view", org)):
            raise ValidationError(
                {"body": _("No organisation with the code %(code)s among yours.") % {"code": code}}
            )
    return html


def _values(actor, data: dict) -> dict:
    texts = clean_texts(
        {k: data.get(k, "") for k in TEXT_LIMITS}, limits=TEXT_LIMITS, multiline={"lead"}
    )
    if not texts["title"]:
        raise ValidationError({"title": _("Enter the headline.")})
    if data.get("category") is None:
        raise ValidationError({"category": _("Choose a category.")})
    tags = ", ".join(dict.fromkeys(t.strip() for t in texts["tags"].split(",") if t.strip()))
    return {
        **texts,
        "tags": tags,
        "body": _check_body(actor, data.get("body", "")),
        "category": data["category"],
        "featured": bool(data.get("featured")),
    }


def _search(a: Article) -> str:
    from django.utils.html import strip_tags

    return fold(" ".join((a.title, a.lead, a.tags, strip_tags(a.body))))[:20000]


def _revise(actor, a: Article) -> None:
    a.revision += 1
    a.search = _search(a)
    a.save()
    ArticleRevision.objects.create(
        article=a,
        number=a.revision,
        title=a.title,
        lead=a.lead,
        body=a.body,
        state=a.state,
        saved_by_id=recorder_id(actor),
    )


@transaction.atomic
def article_create(*, actor, organisation: Organisation, data: dict) -> Article:
    """A draft of the publishing committee."""
    if organisation is None:
        raise ValidationError({"organisation": _("Choose the publishing committee.")})
    a = Article(created_by_id=recorder_id(actor), **_values(actor, data))
    a.place_in(organisation)
    _gate(actor, "news.edit", a, _("You may not write for this committee."))
    a.slug = slugify(fold(a.title))[:100] or "bai-viet"
    _revise(actor, a)
    _audit(actor, "news.create", a, after={"title": a.title})
    return a


def _locked(a: Article) -> Article:
    return Article.objects.select_for_update().get(pk=a.pk)


# An article as its edit page and GET /api/v1/news/articles/{id} show it (core.editing).
ARTICLE = editable(
    Editable(
        name="news.article",
        labels=lambda: {
            "title": _("Headline"),
            "lead": _("Lead"),
            "body": _("Body"),
            "category": _("Category"),
            "tags": _("Tags"),
            "source": _("Source"),
            "author": _("Author"),
            "featured": _("Featured on the home page"),
        },
        read=lambda a: {
            "title": a.title,
            "lead": a.lead,
            "body": a.body,
            "category": a.category,
            "tags": a.tags,
            "source": a.source,
            "author": a.author,
            "featured": a.featured,
        },
        audit=lambda a: ("article", a.pk),
        page="news:edit",
        api="POST /api/v1/news/articles/{article_id}",
    )
)


@transaction.atomic
def article_update(*, actor, article: Article, data: dict, version: str | None = None) -> Article:
    """A new revision; a published article stays published with its new text. `version`
    (core.editing): the article as the editor read it; changed since, nothing is written."""
    a = _locked(article)
    _gate(actor, "news.edit", a, _("You may not edit this article."))
    ARTICLE.check(a, version)
    before = {"title": a.title, "revision": a.revision}
    for k, v in _values(actor, data).items():
        setattr(a, k, v)
    _revise(actor, a)
    _audit(actor, "news.update", a, before=before, after={"title": a.title})
    if a.state == ArticleState.PUBLISHED:
        portal_bump()
    return a


@transaction.atomic
def article_submit(*, actor, article: Article) -> Article:
    a = _locked(article)
    _gate(actor, "news.edit", a, _("You may not edit this article."))
    if a.state != ArticleState.DRAFT:
        raise ValidationError({"state": _("Only a draft is sent for review.")})
    a.state = ArticleState.REVIEW
    a.save(update_fields=["state", "updated_at"])
    _audit(actor, "news.submit", a)
    return a


@transaction.atomic
def article_publish(*, actor, article: Article, at=None) -> Article:
    """Publish now, or at `at` (scheduled: the portal shows it from then on)."""
    a = _locked(article)
    _gate(actor, "news.publish", a, _("You may not publish for this committee."))
    if a.state == ArticleState.PUBLISHED and (a.publish_at or timezone.now()) <= timezone.now():
        raise ValidationError({"state": _("The article is already published.")})
    if not a.body and not a.lead:
        raise ValidationError({"body": _("An article without a lead or a body is not published.")})
    now = timezone.now()
    if at is not None and at < now - timedelta(minutes=5):
        raise ValidationError({"publish_at": _("A publication cannot be scheduled in the past.")})
    a.state = ArticleState.PUBLISHED
    a.publish_at = at or now
    a.save(update_fields=["state", "publish_at", "updated_at"])
    _audit(actor, "news.publish", a, after={"publish_at": a.publish_at.isoformat()})
    portal_bump()
    return a


@transaction.atomic
def article_unpublish(*, actor, article: Article) -> Article:
    a = _locked(article)
    _gate(actor, "news.publish", a, _("You may not publish for this committee."))
    if a.state != ArticleState.PUBLISHED:
        raise ValidationError({"state": _("The article is not published.")})
    a.state = ArticleState.DRAFT
    a.save(update_fields=["state", "updated_at"])
    _audit(actor, "news.unpublish", a)
    portal_bump()
    return a


STATE_ACTIONS = ("review", "publish", "unpublish")


def article_state_change(*, actor, article: Article, to: str, at=None) -> Article:
    """What the article's page (and its API operation) asks: `review` (send a draft for
    review), `publish` (now, or at `at`: scheduled) or `unpublish` (withdraw from the portal).
    Only a publication takes a time."""
    if to not in STATE_ACTIONS:
        raise ValidationError({"action": _("Choose review, publish or unpublish.")})
    if at is not None and to != "publish":
        raise ValidationError({"publish_at": _("Only a publication takes a date and time.")})
    if to == "review":
        return article_submit(actor=actor, article=article)
    if to == "publish":
        return article_publish(actor=actor, article=article, at=at)
    return article_unpublish(actor=actor, article=article)


def image_add(*, actor, article: Article, upload, caption: str = "", credit: str = ""):
    """A photo resized to the portal's widths (news.images), with its caption and credit."""
    _gate(actor, "news.edit", article, _("You may not edit this article."))
    texts = clean_texts(
        {"caption": caption, "credit": credit}, limits={"caption": 300, "credit": 150}
    )
    width, height, names = resize_upload(upload, f"news/{article.pk}")
    try:
        with transaction.atomic():
            img = ArticleImage.objects.create(
                article=article,
                width=width,
                height=height,
                files=names,
                order=article.images.count(),
                **texts,
            )
            _audit(actor, "news.image_add", article, after={"caption": texts["caption"]})
            if article.state == ArticleState.PUBLISHED:
                portal_bump()
    except BaseException:
        for name in names.values():
            default_storage.delete(name)
        raise
    return img


def _published(article: Article) -> bool:
    return article.state == ArticleState.PUBLISHED and (
        article.publish_at is not None and article.publish_at <= timezone.now()
    )


def comment_post(
    *, article: Article, name: str, email: str, text: str, token: str, answer: str, address
) -> Comment:
    """A reader's comment, held for moderation. Refused, storing nothing, when the article is
    not public, a field is empty or too long, the e-mail is not one, the check question is
    not answered right (or was used), or the address sent RATE_LIMIT comments already."""
    if not _published(article):
        raise ValidationError({"article": _("This article does not take comments.")})
    texts, errors = {}, {}
    try:
        texts = clean_texts(
            {"name": name, "email": email, "text": text},
            limits=COMMENT_LIMITS,
            multiline={"text"},
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field, message in (
        ("name", _("Enter your name.")),
        ("email", _("Enter your e-mail address (it is never shown).")),
        ("text", _("Write your comment.")),
    ):
        if field not in errors and not texts.get(field):
            errors[field] = [message]
    if "email" not in errors:
        try:
            validate_email(texts["email"])
        except Exception:
            errors["email"] = [_("This is not an e-mail address.")]
    problem, nonce = answer_check(token, answer)
    if problem:
        errors["answer"] = [problem]
    if errors:
        raise ValidationError(errors)
    limit, window = RATE_LIMIT
    if address and (
        Comment.objects.filter(address=address, created_at__gte=timezone.now() - window).count()
        >= limit
    ):
        raise ValidationError(
            {
                "text": _("Too many comments from your connection: please wait %(n)d minutes.")
                % {"n": int(window.total_seconds() // 60)}
            }
        )
    c = Comment(article=article, address=address or None, nonce=nonce, **texts)
    c.place_in(article.organisation)
    try:
        with transaction.atomic():
            c.save()
    except IntegrityError:
        raise ValidationError(
            {"answer": _("This check question was already used: answer the new one.")}
        ) from None
    return c


@transaction.atomic
def comment_moderate(*, actor, comment: Comment, state: str) -> Comment:
    c = Comment.objects.select_for_update().get(pk=comment.pk)
    if not (_system(actor) or allows(actor, "news.moderate", c)):
        raise ValidationError({"state": _("You may not moderate this comment.")})
    if state not in (CommentState.APPROVED, CommentState.REJECTED, CommentState.SPAM):
        raise ValidationError({"state": _("Approve, reject or mark as spam.")})
    before = c.state
    c.state = state
    c.moderated_by_id = recorder_id(actor)
    c.moderated_at = timezone.now()
    c.save(update_fields=["state", "moderated_by", "moderated_at"])
    audit_record(
        actor=actor,
        entry=AuditEntry(
            action="news.moderate",
            object_type="comment",
            object_id=c.pk,
            object_repr=c.name[:100],
            org_path=c.org_path,
            before={"state": before},
            after={"state": state},
        ),
    )
    if CommentState.APPROVED in (before, state):
        portal_bump()
    return c


def _move(model, old_path: str, new_path: str) -> None:
    from django.db.models import Value
    from django.db.models.functions import Concat, Length, Substr

    from dangvu.core.db import prefix_q

    model.objects.filter(prefix_q("org_path", old_path)).update(
        org_path=Concat(Value(new_path), Substr(F("org_path"), Length(Value(old_path)) + 1))
    )


def articles_move(*, old_path: str, new_path: str) -> None:
    _move(Article, old_path, new_path)


def comments_move(*, old_path: str, new_path: str) -> None:
    _move(Comment, old_path, new_path)
