"""Forms of the editors' and moderators' pages: input parsing only; the rules are in
news.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangvu.core.forms import ActorForm
from dangvu.news.choices import ArticleState
from dangvu.news.models import Category
from dangvu.organisations.forms import OrganisationField

__all__ = ["ArticleForm", "PublishForm", "ImageForm", "ListForm"]


class ListForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", "—"), *ArticleState.choices]
    )


class ArticleForm(ActorForm):
    organisation = OrganisationField(label=_("Publishing committee"), action="news.edit")
    title = forms.CharField(label=_("Headline"), max_length=300)
    lead = forms.CharField(
        label=_("Lead"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "HTML paragraphs (<p>, <h2>, <strong>, <a href>, <ul>, <blockquote>); anything else "
            "is removed. A live figure: [[so-lieu:ethnic_minority_share:CODE]] (also members, "
            "women_share, religious_share)."
        ),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=300, help_text=_("Separated by commas.")
    )
    source = forms.CharField(label=_("Source"), required=False, max_length=100)
    author = forms.CharField(label=_("Author"), required=False, max_length=150)
    featured = forms.BooleanField(label=_("Featured on the home page"), required=False)


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at (empty: now)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Photo (JPEG, PNG or WebP)"))
    caption = forms.CharField(label=_("Caption"), required=False, max_length=300)
    credit = forms.CharField(label=_("Credit"), required=False, max_length=150)
