import pytest

from gateway.search import (
    DatePrefix,
    DateValue,
    IncludeSpec,
    InvalidSearchError,
    MissingValue,
    NumberValue,
    QuantityValue,
    ReferenceValue,
    SearchParamType,
    StringValue,
    SummaryMode,
    TokenValue,
    TotalMode,
    UnsupportedResourceTypeError,
    UnsupportedSearchError,
    parameters_for,
    parse_date_range,
    parse_search,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("laboratory", TokenValue(None, "laboratory")),
        ("http://loinc.org|2345-7", TokenValue("http://loinc.org", "2345-7")),
        ("|2345-7", TokenValue("", "2345-7")),
        ("http://loinc.org|", TokenValue("http://loinc.org", None)),
        (r"a\|b", TokenValue(None, "a|b")),
    ],
)
def test_token_forms(raw: str, expected: TokenValue) -> None:
    (only,) = parse_search("Observation", [("code", raw)]).filters
    assert only.values == (expected,)


def test_comma_is_or_and_repeating_a_parameter_is_and() -> None:
    request = parse_search("Observation", [("code", "a,b"), ("code", r"c\,d")])
    assert [f.values for f in request.filters] == [
        (TokenValue(None, "a"), TokenValue(None, "b")),
        (TokenValue(None, "c,d"),),
    ]


@pytest.mark.parametrize(
    ("raw", "prefix", "value"),
    [
        ("2024", DatePrefix.EQ, "2024"),
        ("ge2024-01-01", DatePrefix.GE, "2024-01-01"),
        ("lt2024-03", DatePrefix.LT, "2024-03"),
        ("sa2024-03-01T10:00:00Z", DatePrefix.SA, "2024-03-01T10:00:00Z"),
        ("eb2024", DatePrefix.EB, "2024"),
        ("ne2024", DatePrefix.NE, "2024"),
        # an unencoded '+' arrives as a space
        ("gt2024-03-01T10:00:00 02:00", DatePrefix.GT, "2024-03-01T10:00:00+02:00"),
    ],
)
def test_date_prefixes(raw: str, prefix: DatePrefix, value: str) -> None:
    (only,) = parse_search("Observation", [("date", raw)]).filters
    assert only.values == (DateValue(prefix, parse_date_range(value)),)  # type: ignore[arg-type]


def test_strings_are_normalized_unless_exact() -> None:
    assert parse_search("Patient", [("name", "MÜL")]).filters[0].values == (StringValue("mul"),)
    exact = parse_search("Patient", [("family:exact", "Müller")]).filters[0]
    assert (exact.modifier, exact.values) == ("exact", (StringValue("Müller"),))


@pytest.mark.parametrize(
    ("param", "raw", "expected"),
    [
        ("patient", "Patient/123", ("Patient/123",)),
        ("patient", "123", ("Patient/123",)),
        ("patient", "http://127.0.0.1:8765/fhir/Patient/123", ("Patient/123",)),
        ("subject", "123", ("Patient/123", "Group/123", "Device/123", "Location/123")),
        ("subject:Patient", "123", ("Patient/123",)),
    ],
)
def test_reference_forms(param: str, raw: str, expected: tuple[str, ...]) -> None:
    (only,) = parse_search("Observation", [(param, raw)]).filters
    assert only.values == (ReferenceValue(expected),)


def test_unknown_parameter_is_named() -> None:
    with pytest.raises(UnsupportedSearchError, match="'colour'"):
        parse_search("Observation", [("colour", "red")])


def test_lenient_handling_ignores_unknown_parameters() -> None:
    request = parse_search("Observation", [("colour", "red"), ("code", "x")], lenient=True)
    assert request.ignored == ("colour",)
    assert [f.parameter.name for f in request.filters] == ["code"]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ([("date", "notadate")], InvalidSearchError),
        ([("date", "xx2024")], UnsupportedSearchError),
        ([("_count", "abc")], InvalidSearchError),
        ([("_count", "-1")], InvalidSearchError),
        ([("code", "|")], InvalidSearchError),
        ([("patient", "Group/1")], InvalidSearchError),
        ([("code:exact", "x")], UnsupportedSearchError),
        ([("_sort", "colour")], UnsupportedSearchError),
        ([("_sort", "date,-date")], InvalidSearchError),
        ([("_include", "Observation:colour")], UnsupportedSearchError),
        ([("_include", "Observation:code")], InvalidSearchError),
        ([("_revinclude", "*")], UnsupportedSearchError),
        ([("_revinclude", "Encounter:*")], InvalidSearchError),
        ([("_include", "Observation:*:Spaceship")], InvalidSearchError),
        ([("_include", "Patient:link")], UnsupportedSearchError),
        ([("_include", "MedicationRequest:medication")], InvalidSearchError),
        ([("_include", "Observation:subject:Spaceship")], InvalidSearchError),
        ([("_revinclude", "MedicationRequest:medication")], InvalidSearchError),
        ([("_summary", "maybe")], InvalidSearchError),
        ([("_total", "some")], InvalidSearchError),
        ([("_elements", "code.coding")], InvalidSearchError),
        ([("value-quantity", "abc|x|y")], InvalidSearchError),
        ([("code:missing", "maybe")], InvalidSearchError),
    ],
)
def test_bad_input_raises_from_the_one_tree(params: list[tuple[str, str]], error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        parse_search("Observation", params)
    assert caught.value.issue_code in {"invalid", "not-supported"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("raw", "prefix", "value", "low", "high"),
    [
        ("100", DatePrefix.EQ, 100.0, 99.5, 100.5),
        ("100.00", DatePrefix.EQ, 100.0, 99.995, 100.005),
        ("gt5.4", DatePrefix.GT, 5.4, 5.35, 5.45),
        ("1e2", DatePrefix.EQ, 100.0, 50.0, 150.0),
        ("ap-3", DatePrefix.AP, -3.0, -3.5, -2.5),
    ],
)
def test_numbers_carry_their_implicit_precision(
    raw: str, prefix: DatePrefix, value: float, low: float, high: float
) -> None:
    (only,) = parse_search("Observation", [("value-quantity", raw + "|http://unitsofmeasure.org|mg/dL")]).filters
    (quantity,) = only.values
    assert quantity == QuantityValue(
        NumberValue(prefix, value, pytest.approx(low), pytest.approx(high)),  # type: ignore[arg-type]
        "http://unitsofmeasure.org",
        "mg/dL",
    )


def test_result_controls_are_parsed_and_canonical() -> None:
    request = parse_search(
        "Observation",
        [
            ("_sort", "-date,code"),
            ("_include", "Observation:patient"),
            ("_revinclude:iterate", "Provenance:target"),
            ("_summary", "data"),
            ("_elements", "code,subject"),
            ("_total", "none"),
            ("code:text", "Gluc"),
            ("status:not", "final"),
            ("_format", "json"),
        ],
    )
    assert [(k.parameter.name, k.descending) for k in request.sort] == [("date", True), ("code", False)]
    assert request.includes == (IncludeSpec("Observation", request.includes[0].parameter),)
    (rev,) = request.revincludes
    assert (rev.source_type, rev.parameter.name, rev.iterate) == ("Provenance", "target", True)
    assert (request.summary, request.elements, request.total) == (SummaryMode.DATA, ("code", "subject"), TotalMode.NONE)
    assert [f.values for f in request.filters] == [(TokenValue(None, "gluc"),), (TokenValue(None, "final"),)]
    assert request.canonical_query() == (
        "code%3Atext=Gluc&status%3Anot=final&_sort=-date%2Ccode&_include=Observation%3Apatient"
        "&_revinclude%3Aiterate=Provenance%3Atarget&_summary=data&_elements=code%2Csubject&_total=none&_count=50"
    )
    assert (
        request.fingerprint()
        == parse_search(
            "Observation", [("status:not", "final"), ("code:text", "Gluc"), ("_sort", "-date,code")]
        ).fingerprint()
    )


def test_unsupported_resource_type() -> None:
    with pytest.raises(UnsupportedResourceTypeError):
        parse_search("Spaceship", [])


def test_count_defaults_to_50_and_is_capped_at_500() -> None:
    assert parse_search("Patient", []).count == 50
    assert parse_search("Patient", [("_count", "9999")]).count == 500


def test_sort_cursor_and_empty_values() -> None:
    request = parse_search("Observation", [("_sort", "-date"), ("_cursor", "abc"), ("code", "")])
    (sort,) = request.sort
    assert sort.descending and sort.parameter.name == "date"
    assert request.cursor == "abc"
    assert request.filters == ()


def test_canonical_query_is_order_independent_and_fingerprint_ignores_count() -> None:
    a = parse_search("Observation", [("patient", "p1"), ("code", "x"), ("_count", "5")])
    b = parse_search("Observation", [("code", "x"), ("patient", "p1"), ("_count", "7")])
    assert a.canonical_query() == "code=x&patient=p1&_count=5"
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != parse_search("Observation", [("code", "y")]).fingerprint()


def test_missing_takes_true_or_false_on_every_parameter_type() -> None:
    for key in ("code:missing", "date:missing", "patient:missing", "value-quantity:missing", "_id:missing"):
        (absent,) = parse_search("Observation", [(key, "true")]).filters
        (present,) = parse_search("Observation", [(key, "false")]).filters
        assert absent.negated and not present.negated and absent.key == key
        assert absent.values == (MissingValue(True),) and present.values == (MissingValue(False),)
    assert parse_search("Observation", [("code:missing", "true,false")]).filters == ()


def test_include_wildcards_expand_to_every_reference_parameter() -> None:
    references = [p.name for p in parameters_for("Observation") if p.type is SearchParamType.REFERENCE]
    for raw in ("*", "Observation:*"):
        assert [s.parameter.name for s in parse_search("Observation", [("_include", raw)]).includes] == references
    only = parse_search("Observation", [("_include", "Observation:*:Encounter")]).includes
    assert [(s.parameter.name, s.target_type) for s in only] == [("encounter", "Encounter")]
    reverse = parse_search("Patient", [("_revinclude", "Observation:*")]).revincludes
    assert {s.parameter.name for s in reverse} == {"patient", "subject", "performer"}
