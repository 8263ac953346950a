"""The editors' and moderators' pages (signed in; thin: the gate first, then a selector or a
service)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows, holds_anywhere
from dangvu.core.editing import EditConflict, conflict_shown, versioned
from dangvu.core.errors import ValidationError
from dangvu.core.forms import add_service_errors
from dangvu.news.choices import ArticleState, CommentState
from dangvu.news.figures import render_figures
from dangvu.news.forms import ArticleForm, ImageForm, ListForm, PublishForm
from dangvu.news.selectors import (
    counts_by_state,
    editor_article,
    editor_articles,
    moderation_queue,
)
from dangvu.news.services import (
    ARTICLE,
    article_create,
    article_state_change,
    article_update,
    comment_moderate,
    image_add,
)

PAGE_SIZE = 50


def _need(request, action: str) -> None:
    if not holds_anywhere(request.user, action):
        raise Http404


def _say(request, exc: ValidationError) -> None:
    for errors in exc.message_dict.values():
        for error in errors:
            messages.error(request, error)


def articles(request):
    _need(request, "news.edit")
    form = ListForm(request.GET or None)
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    page = Paginator(editor_articles(actor=request.user, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "news/articles.html",
        {
            "form": form,
            "page": page,
            "counts": counts_by_state(actor=request.user),
            "states": ArticleState.choices,
            "state": state,
        },
    )


def _data(form) -> dict:
    d = dict(form.cleaned_data)
    d.pop("organisation", None)
    d.pop("version", None)
    return d


def article_new(request):
    _need(request, "news.edit")
    form = ArticleForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            a = article_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                data=_data(form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("news:article", article_id=a.pk)
    return render(request, "news/edit.html", {"form": form, "a": None})


def article_detail(request, article_id):
    """The article as readers will see it, its state, photos, revisions and actions."""
    a = editor_article(actor=request.user, pk=article_id)
    return render(
        request,
        "news/detail.html",
        {
            "a": a,
            "body": mark_safe(render_figures(a.body)),  # noqa: S308 - sanitised on save (nh3)
            "revisions": list(a.revisions.all()[:20]),
            "images": list(a.images.all()),
            "can_publish": allows(request.user, "news.publish", a),
            "publish_form": PublishForm(),
            "image_form": ImageForm(),
        },
    )


def article_edit(request, article_id):
    a = editor_article(actor=request.user, pk=article_id)
    initial = {
        "organisation": a.organisation,
        "title": a.title,
        "lead": a.lead,
        "body": a.body,
        "category": a.category_id,
        "tags": a.tags,
        "source": a.source,
        "author": a.author,
        "featured": a.featured,
    }
    form = ArticleForm(request.POST or None, initial=initial, actor=request.user)
    form.fields["organisation"].required = False
    form.fields["organisation"].disabled = True
    versioned(form, ARTICLE.version(a))
    if request.method == "POST" and form.is_valid():
        try:
            article_update(
                actor=request.user,
                article=a,
                data=_data(form),
                version=form.cleaned_data["version"],
            )
        except EditConflict as exc:
            conflict_shown(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved as revision %(n)d.") % {"n": a.revision + 1})
            return redirect("news:article", article_id=a.pk)
    return render(request, "news/edit.html", {"form": form, "a": a})


def article_state(request, article_id):
    """Send for review, publish (now or at a time) or withdraw (POST)."""
    a = editor_article(actor=request.user, pk=article_id)
    if request.method == "POST":
        to = request.POST.get("to", "")
        done = {
            "review": _("Sent for review."),
            "publish": _("Published (or scheduled)."),
            "unpublish": _("Withdrawn from the portal."),
        }
        try:
            at = None
            if to == "publish":
                form = PublishForm(request.POST)
                if not form.is_valid():
                    raise ValidationError({"publish_at": _("Enter a date and time.")})
                at = form.cleaned_data.get("publish_at")
            a = article_state_change(actor=request.user, article=a, to=to, at=at)
            messages.success(request, done[to])
        except ValidationError as exc:
            _say(request, exc)
    return redirect("news:article", article_id=a.pk)


def image_view(request, article_id):
    a = editor_article(actor=request.user, pk=article_id)
    if request.method == "POST":
        form = ImageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                image_add(
                    actor=request.user,
                    article=a,
                    upload=form.cleaned_data["image"],
                    caption=form.cleaned_data.get("caption", ""),
                    credit=form.cleaned_data.get("credit", ""),
                )
            except ValidationError as exc:
                _say(request, exc)
            else:
                messages.success(request, _("The photo is added."))
        else:
            messages.error(request, _("Choose a photo."))
    return redirect("news:article", article_id=a.pk)


def moderation(request):
    _need(request, "news.moderate")
    state = request.GET.get("state", CommentState.HELD)
    if state not in CommentState.values:
        state = CommentState.HELD
    page = Paginator(moderation_queue(actor=request.user, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "news/moderation.html",
        {"page": page, "state": state, "states": CommentState.choices},
    )


def moderate(request, comment_id):
    """Approve, reject or mark as spam (POST), back to the queue."""
    from dangvu.news.models import Comment

    _need(request, "news.moderate")
    c = moderation_queue(actor=request.user, state="").filter(pk=comment_id).first()
    if c is None:
        raise Http404
    if request.method == "POST":
        try:
            comment_moderate(actor=request.user, comment=c, state=request.POST.get("to", ""))
        except ValidationError as exc:
            _say(request, exc)
        else:
            messages.success(
                request,
                _("%(name)s's comment: %(state)s.")
                % {"name": c.name, "state": Comment(state=request.POST["to"]).get_state_display()},
            )
    return redirect("news:moderation")
