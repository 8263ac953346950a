from django.shortcuts import render


def candidate_list_view(request):
    return render(request, "admission/list.html", {})
