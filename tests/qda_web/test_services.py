"""Services: source import in every format, immutable text, the code tree with history,
codings in code points (non-BMP text), memos, cases, autocoding review, pseudonymisation."""

import pytest

from tests.qda_web import files
from tests.text.pdfs import make_pdf
from tillit.apps.core.models import AuditEvent
from tillit.apps.qda import services, services_codebook, services_exchange
from tillit.apps.qda.models import (
    AutocodeBatch,
    Code,
    CodeHistory,
    Coding,
    Memo,
    PseudonymKey,
    Source,
)
from tillit.errors import TillitError

pytestmark = pytest.mark.django_db

PARAS = ["Tillitsreformen i Bodø startet i 2024.", "Færre skjemaer, mer tid til brukerne."]


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("notat.txt", ("\ufeff" + "\r\n".join(PARAS)).encode()),
        ("notat.md", "\n".join(PARAS).encode()),
        ("notat.docx", files.docx(PARAS)),
        ("notat.odt", files.odt(PARAS)),
        ("notat.html", files.html(PARAS, title="Notat")),
        ("notat.pdf", make_pdf(["\n".join(PARAS)])),
    ],
)
def test_import_each_document_format(project_with_roles, filename, data):
    project, users = project_with_roles
    s = services.do_import_source(
        project, filename, data, actor=users["researcher"], kind="document", language="nb"
    )
    assert "Tillitsreformen i Bodø startet i 2024." in s.text
    assert "Færre skjemaer" in s.text
    assert "\r" not in s.text and "\ufeff" not in s.text and "alert" not in s.text
    assert s.filename == filename and s.kind == "document"
    ev = AuditEvent.objects.filter(action="qda.source.import").latest("id")
    assert ev.after["length"] == len(s.text) and "Tillits" not in str(ev.after)


@pytest.mark.parametrize(
    ("filename", "data", "transcript", "speakers"),
    [
        ("i.vtt", files.VTT.encode(), False, ["Intervjuer", "Kari"]),
        ("i.srt", files.SRT.encode(), False, ["Intervjuer", "Ola"]),
        ("i.txt", files.TURNS.encode(), True, ["Intervjuer", "Kari", "Intervjuer"]),
    ],
)
def test_import_transcripts_keeps_speaker_segments(
    project_with_roles, filename, data, transcript, speakers
):
    project, users = project_with_roles
    s = services.do_import_source(
        project, filename, data, actor=users["owner"], transcript=transcript, kind="interview"
    )
    segs = list(s.segments.all())
    assert [g.speaker for g in segs] == speakers
    for g in segs:
        assert s.text[g.start : g.end].startswith(g.speaker)
    if filename.endswith(".vtt"):
        assert segs[0].begin_ms == 1000 and segs[1].end_ms == 9000


def test_bad_files_store_nothing(project_with_roles):
    project, users = project_with_roles
    before = Source.objects.count(), AuditEvent.objects.count()
    for name, data in [
        ("x.docx", b"PK\x03\x04 not a zip"),
        ("x.exe", b"MZ"),
        ("x.txt", b"   \n "),
        ("x.vtt", b"WEBVTT\n\n00:00:xx --> 00:00:02.000\nHei\n"),
    ]:
        with pytest.raises(TillitError):
            services.do_import_source(project, name, data, actor=users["owner"])
    assert (Source.objects.count(), AuditEvent.objects.count()) == before


def test_source_text_is_immutable(project_with_roles):
    project, users = project_with_roles
    s = services.do_create_source(project, "A", "Hei\r\nverden", actor=users["owner"])
    assert s.text == "Hei\nverden"
    s = Source.objects.get(pk=s.pk)
    s.text = "changed"
    with pytest.raises(TillitError, match="cannot change"):
        s.save()
    with pytest.raises(TillitError, match="cannot change"):
        services.do_update_source(s, actor=users["owner"], text="changed")
    s = Source.objects.get(pk=s.pk)
    services.do_update_source(s, actor=users["owner"], name="B", municipality_code="0301")
    s.refresh_from_db()
    assert (s.name, s.text, s.country) == ("B", "Hei\nverden", "NO")


def test_municipality_code_is_checked_against_the_registry(project_with_roles):
    project, users = project_with_roles
    with pytest.raises(TillitError, match="not a municipality code"):
        services.do_create_source(
            project, "A", "tekst", actor=users["owner"], municipality_code="9999"
        )
    s = services.do_create_source(
        project, "A", "tekst", actor=users["owner"], municipality_code="101", country="DK"
    )
    assert (s.municipality_code, s.country) == ("101", "DK")


def test_code_tree_move_merge_split_with_history(project_with_roles):
    project, users = project_with_roles
    o = users["owner"]
    trust = services_codebook.do_create_code(project, "Trust", actor=o, concept_id="relation")
    vertical = services_codebook.do_create_code(project, "Vertical", actor=o, parent=trust)
    dup = services_codebook.do_create_code(project, "Vertikal", actor=o)
    with pytest.raises(TillitError, match="concept"):
        services_codebook.do_create_code(project, "X", actor=o, concept_id="relation.nope")
    with pytest.raises(TillitError, match="already a code"):
        services_codebook.do_create_code(project, "vertical", actor=o, parent=trust)
    with pytest.raises(TillitError, match="under itself"):
        services_codebook.do_move_code(trust, vertical, actor=o)
    s = services.do_create_source(project, "S", "abcdefghij" * 3, actor=o)
    services.do_add_coding(s, [vertical], 0, 5, coder=users["coder"])
    services.do_add_coding(s, [dup], 0, 5, coder=users["coder"])  # same span: merges to one
    services.do_add_coding(s, [dup], 10, 15, coder=users["coder"])
    services.do_save_memo(project, "memo on dup", actor=o, target=dup)
    services_codebook.do_move_code(dup, trust, actor=o)
    services_codebook.do_update_code(dup, actor=o, name="Vertical 2")
    services_codebook.do_merge_codes(Code.objects.get(pk=dup.pk), vertical, actor=o)
    assert not Code.objects.filter(pk=dup.pk).exists()
    spans = sorted(Coding.objects.filter(code=vertical).values_list("start", "end"))
    assert spans == [(0, 5), (10, 15)]
    assert Memo.objects.get(text="memo on dup").code == vertical
    actions = list(CodeHistory.objects.filter(code=vertical).values_list("action", flat=True))
    assert {"create", "move", "rename", "merge"} <= set(actions)
    c10 = Coding.objects.get(code=vertical, start=10)
    new = services_codebook.do_split_code(
        vertical, ["State", "Leaders"], actor=o, assign={c10.pk: 1}
    )
    assert [c.parent_id for c in new] == [vertical.pk, vertical.pk]
    assert Coding.objects.get(pk=c10.pk).code == new[1]
    assert CodeHistory.objects.filter(code=vertical, action="split").exists()
    with pytest.raises(TillitError, match="sub-codes"):
        services_codebook.do_delete_code(vertical, actor=o)


def test_starter_codebook_points_at_taxonomy_concepts(project_with_roles):
    from tillit.taxonomy import load_taxonomy

    project, users = project_with_roles
    created = services_codebook.do_create_starter_codebook(project, actor=users["owner"], lang="nb")
    tops = list(Code.objects.filter(project=project, parent=None).values_list("name", flat=True))
    assert "Vertikal tillit" in tops and "Dilemmaer og hindringer" in tops
    assert "Problemforståelser" in tops and "Profesjonelle roller" in tops
    assert Code.objects.filter(project=project, name="Rapporteringsbyrde").exists()
    tax = load_taxonomy()
    concepts = {c.concept_id for c in created if c.concept_id}
    assert {"motive.reporting_burden", "relation.form.institutional"} <= concepts
    assert all(cid in tax for cid in concepts)
    again = services_codebook.do_create_starter_codebook(project, actor=users["owner"], lang="nb")
    assert again == []


def test_codings_count_code_points_with_non_bmp_text(project_with_roles):
    project, users = project_with_roles
    text = "Tillit 🙂 i 𝔑orge: ja."
    s = services.do_create_source(project, "emoji", text, actor=users["owner"])
    code = services_codebook.do_create_code(project, "Emoji", actor=users["owner"])
    start = text.index("i 𝔑orge")
    end = start + len("i 𝔑orge")
    (c,) = services.do_add_coding(s, [code], start, end, coder=users["coder"])
    assert s.text[c.start : c.end] == "i 𝔑orge"
    assert (c.start, c.end) == (9, 16)  # UTF-16 would give 10 and 18
    with pytest.raises(TillitError, match="not inside"):
        services.do_add_coding(s, [code], 5, len(text) + 1, coder=users["coder"])
    with pytest.raises(TillitError, match="not inside"):
        services.do_add_coding(s, [code], 5, 5, coder=users["coder"])


def test_coder_restricted_to_assigned_sources(project_with_roles):
    project, users = project_with_roles
    o, coder = users["owner"], users["coder"]
    s1 = services.do_create_source(project, "S1", "eins zwei", actor=o)
    s2 = services.do_create_source(project, "S2", "drei vier", actor=o)
    code = services_codebook.do_create_code(project, "C", actor=o)
    services.do_update_settings(project, actor=o, assigned_only=True)
    services.do_assign_coders(s1, [coder], actor=o)
    services.do_add_coding(s1, [code], 0, 4, coder=coder)
    with pytest.raises(TillitError, match="not assigned"):
        services.do_add_coding(s2, [code], 0, 4, coder=coder)
    services.do_add_coding(s2, [code], 0, 4, coder=users["researcher"])  # researchers may
    with pytest.raises(TillitError, match="not a member"):
        services.do_assign_coders(s1, [users["outsider"]], actor=o)


def test_memos_and_cases(project_with_roles):
    project, users = project_with_roles
    o = users["owner"]
    s = services.do_create_source(project, "S", "a b c d e f g h", actor=o)
    code = services_codebook.do_create_code(project, "C", actor=o)
    (c,) = services.do_add_coding(s, [code], 0, 3, coder=o)
    for target in (None, code, c, s):
        m = services.do_save_memo(project, "text", actor=o, title="t", target=target)
        assert m.target == ("project" if target is None else type(target).__name__.lower())
    with pytest.raises(TillitError):
        services.do_save_memo(project, "  ", actor=o)
    case = services.do_save_case(
        project,
        "Bodø",
        actor=o,
        municipality_code="1804",
        attributes={"reform": True, "year": 2024},
    )
    assert case.municipality_code == "1804"
    services.do_assign_case(case, s, actor=o)
    a = services.do_assign_case(case, s, actor=o, start=2, end=5)
    with pytest.raises(TillitError):
        services.do_assign_case(case, s, actor=o, start=2, end=500)
    services.do_unassign_case(a, actor=o)
    assert case.assignments.count() == 1
    with pytest.raises(TillitError, match=r"already a case"):
        services.do_save_case(project, "bodø", actor=o)


def test_autocoding_saves_only_accepted(project_with_roles):
    project, users = project_with_roles
    o = users["owner"]
    services.do_create_source(
        project,
        "S",
        "Vi har tillit. Ingen tillit her. Reformen virker.",
        actor=o,
        language="nb",
    )
    code = services_codebook.do_create_code(project, "Tillit", actor=o)
    batch = services_exchange.do_run_autocode(
        project, code, "word", "tillit", actor=o, unit="sentence"
    )
    assert [p["snippet"] for p in batch.proposals] == ["Vi har tillit.", "Ingen tillit her."]
    assert not Coding.objects.filter(code=code).exists()
    services_exchange.do_review_autocode(batch, [1], coder=users["coder"])
    assert list(Coding.objects.filter(code=code).values_list("start", "end")) == [(15, 32)]
    batch.refresh_from_db()
    assert batch.status == AutocodeBatch.Status.REVIEWED and batch.n_accepted == 1
    with pytest.raises(TillitError, match="reviewed already"):
        services_exchange.do_review_autocode(batch, [0], coder=users["coder"])
    regex = services_exchange.do_run_autocode(project, code, "regex", r"[Rr]eform\w*", actor=o)
    assert [p["snippet"] for p in regex.proposals] == ["Reformen"]
    with pytest.raises(TillitError):
        services_exchange.do_run_autocode(project, code, "regex", r"(a+)+b", actor=o)


def test_pseudonymise_copy_and_replace(project_with_roles):
    project, users = project_with_roles
    o = users["owner"]
    s = services.do_import_source(
        project,
        "i.txt",
        "Intervjuer: Hei Kari.\nKari Hansen: Jeg bor i Bodø.\n".encode(),
        actor=o,
        transcript=True,
    )
    code = services_codebook.do_create_code(project, "C", actor=o)
    services.do_add_coding(s, [code], 0, 5, coder=o)
    copy = services_exchange.do_pseudonymise_source(
        s, {"Kari Hansen": "person", "Kari": "person", "Bodø": "place"}, actor=o
    )
    assert "Kari" not in copy.text and "Bodø" not in copy.text
    assert copy.pseudonymised_from == s and "Kari" in Source.objects.get(pk=s.pk).text
    key = PseudonymKey.objects.get(source=copy).mapping
    assert "Bodø" in key.values()
    for g in copy.segments.all():
        assert copy.text[g.start : g.end].startswith(g.speaker) or g.speaker == "Kari Hansen"
    ev = AuditEvent.objects.filter(action="qda.source.pseudonymise").latest("id")
    assert "Bodø" not in str(ev.after) and "Kari" not in str(ev.after)
    with pytest.raises(TillitError, match="coded already"):
        services_exchange.do_pseudonymise_source(s, ["Kari"], actor=o, replace=True)
    fresh = services.do_create_source(project, "F", "Ola i Tromsø.", actor=o)
    same = services_exchange.do_pseudonymise_source(
        fresh, {"Ola": "person", "Tromsø": "place"}, actor=o, replace=True
    )
    assert same.pk == fresh.pk and "Ola" not in same.text and same.is_pseudonymised


def test_autocoding_by_lexicon_concept(project_with_roles):
    project, users = project_with_roles
    o = users["owner"]
    services.do_create_source(
        project, "S", "Møtet var kort. Rapporteringsbyrden er stor i hjemmetjenesten.", actor=o
    )
    code = services_codebook.do_create_code(project, "Burden", actor=o)
    batch = services_exchange.do_run_autocode(
        project, code, "concept", "motive.reporting_burden", actor=o, unit="sentence"
    )
    assert [p["snippet"] for p in batch.proposals] == [
        "Rapporteringsbyrden er stor i hjemmetjenesten."
    ]
