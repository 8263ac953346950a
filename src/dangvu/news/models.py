"""The public portal: categories, articles with their revisions and images, readers' comments,
and the portal's version (every change a reader can see bumps it; cached pages are keyed by
it). docs/decisions/0024."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangvu.core.models import person_ref
from dangvu.news.choices import ArticleState, CommentState
from dangvu.organisations.models import OrgBoundModel

__all__ = ["Category", "Article", "ArticleRevision", "ArticleImage", "Comment", "PortalVersion"]


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Article(OrgBoundModel):
    """A story its committee publishes (organisation-bound: the publisher; registered in
    NewsConfig.ready()). Public once published and its time has come (`publish_at`)."""

    title = models.CharField(_("headline"), max_length=300)
    slug = models.SlugField(max_length=120)
    lead = models.TextField(_("lead"), max_length=1000, blank=True)
    body = models.TextField(_("body"), blank=True)  # sanitised HTML (news.sanitise)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    tags = models.CharField(_("tags"), max_length=300, blank=True)  # comma-separated
    source = models.CharField(_("source"), max_length=100, blank=True)
    author = models.CharField(_("author"), max_length=150, blank=True)
    featured = models.BooleanField(_("featured"), default=False)
    state = models.CharField(
        _("state"), max_length=20, choices=ArticleState.choices, default=ArticleState.DRAFT
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    # headline, lead, tags and body text, folded (core.text.fold): accent-insensitive search.
    search = models.TextField(editable=False, default="")
    revision = models.PositiveIntegerField(default=0)
    created_by = person_ref()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-publish_at", "-id"]
        indexes = [models.Index(fields=["state", "publish_at"])]

    def __str__(self):
        return self.title

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class ArticleRevision(models.Model):
    """What an article said after each save, with who saved it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    lead = models.TextField(blank=True)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=20)
    saved_by = person_ref()
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="news_revision_number")
        ]

    def __str__(self):
        return f"{self.article_id} #{self.number}"


class ArticleImage(models.Model):
    """An article's photo, resized on upload to the widths of `news.images.WIDTHS` (JPEG), with
    its caption and credit."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=150, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    files = models.JSONField(default=dict)  # {width: stored name}
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.article_id} {self.caption}"


class Comment(OrgBoundModel):
    """A reader's comment, held for moderation; the e-mail is never shown. Organisation-bound
    to its article's publisher (whose moderators judge it)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("e-mail"), max_length=200)
    text = models.TextField(_("comment"), max_length=2000)
    state = models.CharField(
        _("state"), max_length=20, choices=CommentState.choices, default=CommentState.HELD
    )
    address = models.GenericIPAddressField(null=True, blank=True)
    # The captcha question that let it in (news.captcha): a question is answered once.
    nonce = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    moderated_by = person_ref()
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "state"]),
            models.Index(fields=["address", "created_at"]),
            models.Index(fields=["state", "created_at"]),
        ]


class PortalVersion(models.Model):
    """One row: bumped by every change a reader can see (a publication, an approved comment);
    the public pages' cache is keyed by it, so every server process drops its copies at once."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return str(self.number)
