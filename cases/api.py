from rest_framework import generics, serializers

from cases.models import Case
from cases.selectors import case_for_member, case_list
from cases.selectors.cases import CaseFilters
from firms.access import membership_of


class CaseSerializer(serializers.ModelSerializer):
    responsible_partner = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "reference", "title_en", "title_zh", "case_number", "court", "practice_area",
                  "status", "opened_on", "closed_on", "responsible_partner"]

    def get_responsible_partner(self, case) -> dict | None:
        partner = case.responsible_partner
        if partner is None:
            return None
        return {"membership_id": partner.pk, "name": partner.user.display_name}


class CaseListView(generics.ListAPIView):
    """Cases the signed-in person may see, newest first."""

    serializer_class = CaseSerializer

    def get_queryset(self):
        return case_list(membership_of(self.request), CaseFilters.from_query(self.request.query_params))


class CaseDetailView(generics.RetrieveAPIView):
    serializer_class = CaseSerializer

    def get_object(self):
        return case_for_member(membership_of(self.request), self.kwargs["case_id"])
