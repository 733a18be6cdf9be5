def tenancy(request):
    return {
        "current_firm": getattr(request, "firm", None),
        "current_membership": getattr(request, "membership", None),
    }
