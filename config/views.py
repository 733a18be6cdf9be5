from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cases.selectors import cases_visible_to
from cases.views.my_work import my_work_context
from firms.models import Membership

# Home is "My work" for the people who do the case work; admins and compliance keep the firm view.
MY_WORK_HOME_ROLES = {Membership.Role.PARTNER, Membership.Role.ASSOCIATE, Membership.Role.TRAINEE,
                      Membership.Role.PARALEGAL, Membership.Role.SECRETARY}


@login_required
def home(request):
    membership = request.membership
    if membership is not None and membership.role in MY_WORK_HOME_ROLES:
        return render(request, "home.html", {"show_my_work": True, **my_work_context(membership)})
    open_cases = cases_visible_to(membership).filter(status="open")
    return render(request, "home.html", {
        "open_case_count": open_cases.count(),
        "recent_cases": open_cases.select_related("responsible_partner__user").order_by("-opened_on")[:10],
    })


def _error(request, status: int, title: str, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": title.lower().replace(" ", "_")}, status=status)
    return render(request, "error.html", {"status": status, "title": title, "message": message},
                  status=status)


def bad_request(request, exception=None):
    return _error(request, 400, _("Bad request"), _("The request could not be understood. "
                                                    "Go back and try again."))


def permission_denied(request, exception=None):
    return _error(request, 403, _("Not allowed"), _("You do not have access to this page. "
                                                    "Ask your firm admin if you need it."))


def page_not_found(request, exception=None):
    return _error(request, 404, _("Page not found"), _("There is nothing here, or it is not "
                                                       "shared with you. Check the address."))


def server_error(request):
    return _error(request, 500, _("Something went wrong"), _("Nothing you entered was saved. "
                                                             "Try again in a minute; if it happens "
                                                             "again, tell your firm admin."))
