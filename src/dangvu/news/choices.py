"""The states of an article and of a reader's comment (docs/decisions/0024)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ArticleState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("article", "Draft")
    REVIEW = "review", pgettext_lazy("article", "Awaiting review")
    PUBLISHED = "published", pgettext_lazy("article", "Published")


class CommentState(models.TextChoices):
    HELD = "held", _("Awaiting moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")
