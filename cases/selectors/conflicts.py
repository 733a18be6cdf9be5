"""The conflict search: every party and client of the firm's other cases, by name."""

from __future__ import annotations

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest, Upper

from cases.models import ConflictCheck, Party

# English names at or above this similarity are hits; party_conflict_ids (migration
# cases/0004) sets pg_trgm's % cut-off to the same value, so keep the two equal.
ENGLISH_THRESHOLD = 0.35
MAX_HITS_PER_NAME = 25


def conflict_hits(*, firm_id: int, parties, exclude_case_id: int | None) -> list[dict]:
    """A snapshot of every possible match, most similar first, one entry per matched party."""
    hits: dict[int, dict] = {}
    for party in parties:
        for match in _matches_for(firm_id, party, exclude_case_id):
            hit = hits.get(match.pk)
            if hit is None or match.score > hit["similarity"]:
                hits[match.pk] = _snapshot(match, searched=party)
    return sorted(hits.values(), key=lambda h: (-h["similarity"], h["case_reference"]))


def _matches_for(firm_id: int, party, exclude_case_id):
    name_en, name_zh = party.name_en.strip(), party.name_zh.strip()
    if not (name_en or name_zh):
        return []
    # Candidates come from party_conflict_ids (migration cases/0004), through the trigram
    # and name indexes, which a condition in this query could not use under row-level
    # security: English names similar (pg_trgm %) or equal ignoring case; Chinese names
    # containing the searched one, or contained in it (equal to one of its parts).
    candidate_ids = RawSQL(
        "SELECT party_conflict_ids(%s, %s, %s::text[], %s)",
        [name_en or None, name_zh or None, _parts_of(name_zh), exclude_case_id],
    )
    candidates = (
        Party.objects.filter(firm_id=firm_id, pk__in=candidate_ids)
        .annotate(en_score=TrigramSimilarity(Upper("name_en"), name_en.upper()))
        .select_related("case")
        .annotate(score=Greatest(F("en_score"), Value(0.0)))
        .order_by("-score", "pk")[:MAX_HITS_PER_NAME]
    )
    return [m for m in candidates if _is_real_match(m, party)]


# A Chinese name is compared with every part of the searched one up to this length.
LONGEST_PART = 40


def _parts_of(name_zh: str) -> list[str]:
    """Every run of characters in the name, up to LONGEST_PART long: a party whose whole
    Chinese name is one of these appears inside the searched name."""
    return sorted({name_zh[start:end] for start in range(len(name_zh))
                   for end in range(start + 1, min(len(name_zh), start + LONGEST_PART) + 1)})


def _is_real_match(match, party) -> bool:
    zh = party.name_zh.strip()
    if zh and match.name_zh and (zh in match.name_zh or match.name_zh in zh):
        match.score = max(match.score or 0.0, 1.0 if zh == match.name_zh else 0.8)
        return True
    if party.name_en.strip() and match.name_en.strip().upper() == party.name_en.strip().upper():
        match.score = 1.0
        return True
    return (match.score or 0.0) >= ENGLISH_THRESHOLD


def _snapshot(match, *, searched) -> dict:
    case = match.case
    return {
        "party_id": match.pk,
        "name_en": match.name_en,
        "name_zh": match.name_zh,
        "role": match.role,
        "is_client": match.is_client,
        "case_id": case.pk,
        "case_reference": case.reference,
        "case_number": case.case_number,
        "case_title": case.display_title,
        "case_status": case.status,
        "similarity": round(float(match.score or 0.0), 2),
        "searched_name": searched.display_name,
    }


def latest_conflict_check(case) -> ConflictCheck | None:
    """The check that decides whether the case may open."""
    return (ConflictCheck.objects.filter(case=case).select_related("run_by__user", "cleared_by__user")
            .order_by("-run_at", "-pk").first())
