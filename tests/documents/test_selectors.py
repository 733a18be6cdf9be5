"""Reads: a case's documents in a constant number of queries; search in the extracted text."""

from django.db import connection, transaction

from audit.context import acting_as, system_actor
from documents import services
from documents.models import DocumentVersion
from documents.selectors import documents_for_case, documents_matching
from tests.documents import files


def _add_documents(firm, case, count):
    with acting_as(system_actor("tests")), firm.scope():
        for n in range(count):
            document = services.document_upload(case=case, membership=firm.members["associate"],
                                                title=f"Exhibit {n}", uploaded_file=files.upload(
                                                    f"exhibit-{n}.eml", files.EML))
            services.document_version_add(document=document, membership=firm.members["partner"],
                                          uploaded_file=files.upload(f"exhibit-{n}.png", files.image("PNG")))


def _show_all(case):
    return [(d.title, d.created_by.user.display_name,
             [(v.number, v.uploaded_by.user.display_name) for v in d.versions.all()])
            for d in documents_for_case(case=case)]


def test_listing_a_cases_documents_takes_two_queries_however_many_there_are(firm_a, case_a,
                                                                            django_assert_num_queries):
    _add_documents(firm_a, case_a, 1)
    with firm_a.scope(), django_assert_num_queries(2):
        assert len(_show_all(case_a)) == 1
    _add_documents(firm_a, case_a, 6)
    with firm_a.scope(), django_assert_num_queries(2):
        shown = _show_all(case_a)
    assert len(shown) == 7
    assert shown[0][0] == "Exhibit 5"  # newest first
    assert [number for number, _ in shown[0][2]] == [2, 1]


def _with_text(firm, document, text):
    with firm.scope():
        DocumentVersion.objects.filter(document=document).update(text=text, text_status="done")


def test_search_finds_documents_by_their_text_whatever_the_case(firm_a, case_a, document_a):
    _with_text(firm_a, document_a, "The Defendant shall pay HK$1,000,000 to the 原告 with 8% interest.")
    with firm_a.scope():
        for query in ("shall PAY", "hk$1,000,000", "原告", "8% interest"):
            found = list(documents_matching(membership=firm_a.members["associate"], query=query))
            assert found == [document_a], query
        assert not documents_matching(membership=firm_a.members["associate"], query="Plaintiff shall").exists()
        assert not documents_matching(membership=firm_a.members["associate"], query="8%s").exists()
        assert not documents_matching(membership=firm_a.members["associate"], query="  ").exists()


def test_search_finds_only_documents_of_cases_the_person_may_see(firm_a, firm_b, case_a, document_a):
    _with_text(firm_a, document_a, "without prejudice save as to costs")
    with firm_a.scope():
        assert not documents_matching(membership=firm_a.members["trainee"], query="prejudice").exists()
        assert documents_matching(membership=firm_a.members["partner"], query="prejudice").exists()
    with firm_b.scope():
        assert not documents_matching(membership=firm_b.members["partner"], query="prejudice").exists()


def test_the_text_search_asks_for_the_expression_the_trigram_index_holds(db):
    """document_search_ids matches UPPER(text) LIKE …, which the GIN trigram index on
    UPPER(text) serves (its owner is outside row-level security, so it may use it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'document_version_text_trgm'")
        [definition] = cursor.fetchone()
        cursor.execute("SELECT pg_get_functiondef('document_search_ids(text)'::regprocedure)")
        [function] = cursor.fetchone()
    assert "USING gin (upper(text) gin_trgm_ops)" in definition
    assert "upper(v.text) LIKE" in function


def test_the_text_search_finds_nothing_without_a_firm(firm_a, case_a, document_a):
    _with_text(firm_a, document_a, "without prejudice save as to costs")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT document_search_ids('prejudice')")
        assert cursor.fetchall() == []
    with firm_a.scope(), connection.cursor() as cursor:
        cursor.execute("SELECT document_search_ids('prejudice')")
        assert cursor.fetchall() == [(document_a.pk,)]
