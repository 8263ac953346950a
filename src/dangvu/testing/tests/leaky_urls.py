"""A URL conf for the matrix's own test: the site's routes and one page that serves a member by
primary key without going through the access gate (what the matrix must catch)."""

from django.http import HttpResponse
from django.urls import path
from django.utils.html import format_html

from dangvu.members.models import Member
from dangvu.urls import urlpatterns as site_urlpatterns


def member_without_the_gate(request, pk):
    member = Member.objects.get(pk=pk)
    return HttpResponse(
        format_html("<h1>{}</h1><p>{}</p>", member.full_name, member.identity_number)
    )


urlpatterns = [
    path("leaky/<int:pk>/", member_without_the_gate, name="leaky"),
    *site_urlpatterns,
]
