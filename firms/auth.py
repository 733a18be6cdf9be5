"""Glue between django-axes (lock-out after repeated failures) and e-mail sign-in."""


def axes_username(request, credentials) -> str:
    """Lock out by the e-mail address, case-insensitively, whatever form it came in."""
    email = ""
    if credentials:
        email = credentials.get("email") or credentials.get("username") or ""
    elif request is not None and request.method == "POST":
        email = request.POST.get("email", "")
    return email.strip().lower()
