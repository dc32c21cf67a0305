"""The text each resource type contributes, and text queries turned into quoted FTS5 expressions."""

import base64

import pytest

from gateway.search import InvalidSearchError
from gateway.search.text_fields import TEXT_FIELDS, html_words, resource_text
from gateway.search.text_query import text_value


def _attachment(content_type: str, body: bytes, title: str = "Note") -> dict[str, str]:
    return {"contentType": content_type, "data": base64.b64encode(body).decode(), "title": title}


def test_html_loses_tags_scripts_and_entities_but_keeps_words_apart() -> None:
    assert html_words("<p>left&nbsp;knee</p><p>pain</p><script>alert(1)</script>") == "left knee pain"


def test_document_text_comes_from_inline_text_attachments_only() -> None:
    document = {
        "resourceType": "DocumentReference",
        "id": "d1",
        "description": "Visit summary",
        "content": [
            {"attachment": _attachment("text/html; charset=utf-8", b"<b>Knee</b> brace")},
            {"attachment": _attachment("application/pdf", b"%PDF knee-in-pdf", title="Scan")},
            {"attachment": {"contentType": "text/plain", "data": "not base64!", "title": "Broken"}},
        ],
    }
    text = resource_text(document)
    assert text.narrative == ""
    assert text.content.splitlines() == ["Visit summary", "Note", "Knee brace", "Scan", "Broken"]


def test_narrative_is_kept_apart_and_unlisted_types_have_no_text() -> None:
    encounter = {"resourceType": "Encounter", "text": {"div": "<div>Knee follow-up</div>"}}
    assert resource_text(encounter).narrative == "Knee follow-up"
    assert not resource_text({"resourceType": "Patient", "text": {"div": "<div>Dana</div>"}})
    assert set(TEXT_FIELDS) >= {"Communication", "DocumentReference", "DiagnosticReport", "Observation"}


@pytest.mark.parametrize(
    ("query", "expression"),
    [
        ("knee", '"knee"'),
        ("knee pain", '("knee" AND "pain")'),
        ('"left knee" OR hip*', '("left knee" OR "hip"*)'),
        ("(bone OR liver) AND metastases", '(("bone" OR "liver") AND "metastases")'),
        ("knee NOT brace", '("knee" NOT "brace")'),
        ("NEAR(a b) col:x", '(("NEAR" AND ("a" AND "b")) AND "col:x")'),
        ("knee + pain", '("knee" AND "pain")'),
        ("did not improve", '(("did" AND "not") AND "improve")'),
    ],
)
def test_queries_become_quoted_expressions(query: str, expression: str) -> None:
    assert text_value("_content", query).text == expression


def test_text_searches_only_the_narrative_column() -> None:
    assert text_value("_text", "knee").match == 'narrative : ("knee")'


@pytest.mark.parametrize("query", ['knee"', "(knee", "knee)", "knee OR", "OR knee", "", "- +", "x" * 501])
def test_malformed_queries_are_invalid_searches(query: str) -> None:
    with pytest.raises(InvalidSearchError):
        text_value("_content", query)
