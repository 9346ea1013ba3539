//! The public API on small cases: parsing errors, deep nesting, clock
//! functions, invariant evaluation over a resource.

use fhirpath::{Context, ErrorKind, Expression, Item};

fn eval_text(expr: &str) -> Vec<String> {
    let e = Expression::parse(expr).unwrap_or_else(|err| panic!("{expr}: {err}"));
    e.evaluate_collection(&Context::new(), Vec::new())
        .unwrap_or_else(|err| panic!("{expr}: {err}"))
        .iter()
        .map(|i| i.value_text().unwrap_or_default())
        .collect()
}

#[test]
fn clock_functions_give_one_value() {
    assert_eq!(eval_text("today()").len(), 1, "{:?}", eval_text("today()"));
    assert_eq!(eval_text("now()").len(), 1);
    assert_eq!(eval_text("timeOfDay()").len(), 1);
    assert_eq!(eval_text("today().toString().length()"), vec!["10"]);
}

#[test]
fn deep_nesting_is_a_syntax_error_not_a_crash() {
    let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    let err = Expression::parse(&deep).expect_err("too deep");
    assert_eq!(err.kind, ErrorKind::Syntax);
    let long_chain = format!("1{}", " + 1".repeat(5000));
    assert_eq!(
        Expression::parse(&long_chain).expect_err("too deep").kind,
        ErrorKind::Syntax
    );
    let minus = format!("{}1", "-".repeat(5000));
    assert_eq!(
        Expression::parse(&minus).expect_err("too deep").kind,
        ErrorKind::Syntax
    );
}

#[test]
fn syntax_and_semantic_errors() {
    assert_eq!(
        Expression::parse("1 +").expect_err("bad").kind,
        ErrorKind::Syntax
    );
    assert_eq!(
        Expression::parse("'abc").expect_err("bad").kind,
        ErrorKind::Syntax
    );
    assert_eq!(
        Expression::parse("foo()").expect_err("bad").kind,
        ErrorKind::Semantic
    );
    assert_eq!(
        Expression::parse("1.substring()").expect_err("bad").kind,
        ErrorKind::Semantic
    );
}

#[test]
fn invariant_on_an_element() {
    let json =
        r#"{"resourceType": "Patient", "name": [{"family": "Chalmers"}, {"given": ["Jim"]}]}"#;
    let patient: fhir_model::r4::Resource =
        fhir_model::json::from_str(json).expect("valid patient");
    let root = Item::resource(fhir_model::rt::ResourceEnum::as_element(&patient));
    let ctx = Context::for_resource(root.clone());
    // Evaluate an invariant at each HumanName, as a validator does.
    let names = Expression::parse("name")
        .expect("parses")
        .evaluate(&ctx, root)
        .expect("evaluates");
    let inv = Expression::parse("family.exists() or given.exists()").expect("parses");
    for name in names {
        assert_eq!(
            inv.evaluate_boolean(&ctx, name).expect("evaluates"),
            Some(true)
        );
    }
}

#[test]
fn extreme_values_do_not_panic() {
    for expr in [
        "(-9223372036854775807L - 1L).abs()",
        "-(-9223372036854775807L - 1L)",
        "1 'm999999999' = 1 'm'",
        "1 'm12' = 1 'm12'",
        "@2014-01-01T10:00:00 + 99999999999999999999999999 seconds",
        "@2014-01-01 + 99999999999999 years",
        "'0e-999999999'.toDecimal()",
        "99999999999999999999999999999999999999.0 * 99999999999999999999999999999999999999.0",
        "1.0 / 0.0000000000000000000000000001",
        "(1.0).power(99999)",
        "'x'.matches('(a*)*b{1000}{1000}')",
        "2147483647 + 1",
        "(-2147483647 - 1) div -1",
    ] {
        // Errors are fine; panics are not.
        if let Ok(e) = Expression::parse(expr) {
            let _ = e.evaluate_collection(&Context::new(), Vec::new());
        }
    }
}

#[test]
fn deepest_accepted_expression_evaluates() {
    // Each "(1 + ...)" takes two levels: the parentheses and the right operand.
    let depth = fhirpath::MAX_DEPTH / 2 - 1;
    let expr = format!("{}1{}", "(1 + ".repeat(depth), ")".repeat(depth));
    let parsed = Expression::parse(&expr).expect("within the limit");
    let result = parsed
        .evaluate_collection(&Context::new(), Vec::new())
        .expect("evaluates");
    assert_eq!(result.len(), 1);
    assert_eq!(
        result[0].value_text().as_deref(),
        Some((depth + 1).to_string().as_str())
    );
}

#[test]
fn expressions_can_be_shared_between_threads() {
    fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
    assert_send_sync_clone::<Expression>();
    let e = Expression::parse("1 + 1").expect("parses");
    let handle = std::thread::spawn(move || {
        e.evaluate_collection(&Context::new(), Vec::new())
            .map(|r| r.len())
    });
    assert_eq!(handle.join().expect("thread").expect("evaluates"), 1);
}

/// Random token soup, parsed and evaluated against a patient: errors are
/// fine, panics are not. Deterministic (a fixed linear congruential sequence).
#[test]
fn random_expressions_do_not_panic() {
    const PARTS: &[&str] = &[
        "name",
        "given",
        ".",
        "(",
        ")",
        "[",
        "]",
        "0",
        "1.5",
        "'a'",
        "@2014-01",
        "@T10:00",
        "5 'mg'",
        "3 days",
        "+",
        "-",
        "*",
        "/",
        "div",
        "mod",
        "&",
        "|",
        "=",
        "!=",
        "~",
        "<",
        ">=",
        "and",
        "or",
        "xor",
        "implies",
        "is",
        "as",
        "String",
        "where(",
        "select(",
        "exists(",
        "repeat(",
        "$this",
        "$index",
        "%resource",
        "{}",
        "first()",
        "children()",
        "descendants()",
        "toString()",
        "substring(",
        ",",
        "iif(",
        "true",
        "Patient",
        "ofType(",
        "aggregate(",
        "$total",
        "sort(",
        "-",
        "in",
        "contains",
        "lowBoundary(",
        "`x`",
        "%`vs-a`",
        "count()",
        "trace(",
        "defineVariable(",
        "'v'",
        "%v",
        "extension(",
        "resolve()",
        "matches(",
        "'[a-z]+'",
    ];
    let json = r#"{"resourceType": "Patient", "id": "p", "name": [{"family": "F", "given": ["A", "B"]}],
        "birthDate": "1974-12-25", "contained": [{"resourceType": "Patient", "id": "c"}]}"#;
    let patient: fhir_model::r4::Resource =
        fhir_model::json::from_str(json).expect("valid patient");
    let root = Item::resource(fhir_model::rt::ResourceEnum::as_element(&patient));
    let ctx = Context::for_resource(root.clone());
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap_or(0) % n
    };
    for _ in 0..20_000 {
        let len = 1 + next(12);
        let expr: Vec<&str> = (0..len).map(|_| PARTS[next(PARTS.len())]).collect();
        let text = expr.join(" ");
        if let Ok(e) = Expression::parse(&text) {
            let _ = e.evaluate(&ctx, root.clone());
        }
    }
}

/// What `expr` gives on `root` with `ctx`: each item's value as text, or
/// its type name for an element.
fn resource_texts<'a>(ctx: &Context<'a>, root: &Item<'a>, expr: &str) -> Vec<String> {
    Expression::parse(expr)
        .unwrap_or_else(|e| panic!("{expr}: {e}"))
        .evaluate(ctx, root.clone())
        .unwrap_or_else(|e| panic!("{expr}: {e}"))
        .iter()
        .map(|i| {
            i.value_text()
                .unwrap_or_else(|| format!("{:?}", i.type_name()))
        })
        .collect()
}

/// `children().name` looks into each child as it is found (no collection
/// of all children first): the same items in the same order as the
/// unfused `children().select(name)`, at the focus and inside criteria, and
/// the same answers where a step stops at its first item.
#[test]
fn a_step_after_children_matches_the_collected_children() {
    let json = r#"{"resourceType": "Patient", "id": "p1",
        "name": [{"family": "Chalmers", "given": ["Jim", "Peter"]}, {"given": ["Jimmy"]}],
        "contact": [{"name": {"family": "du Marché"}}],
        "birthDate": "1974-12-25", "_birthDate": {"extension": [{"url": "u", "valueString": "x"}]}}"#;
    let patient: fhir_model::r4::Resource = fhir_model::json::from_str(json).expect("valid patient");
    let root = Item::resource(fhir_model::rt::ResourceEnum::as_element(&patient));
    let ctx = Context::for_resource(root.clone());
    let texts = |expr: &str| resource_texts(&ctx, &root, expr);
    for (fused, collected, expected) in [
        ("children().given", "children().select(given)", 3),
        ("children().family", "children().select(family)", 1),
        ("children().name.family", "children().select(name).family", 1),
        ("children().url", "children().select(url)", 0),
        ("birthDate.children().url", "birthDate.children().select(url)", 1),
        ("children().given.first()", "children().select(given).first()", 1),
        ("children().given.exists()", "children().select(given).exists()", 1),
        ("children().nothing.exists()", "children().select(nothing).exists()", 1),
        ("contact.where(children().family.exists()).name.family", "contact.where(children().select(family).exists()).name.family", 1),
        ("name.where(children().given.exists()).family", "name.where(children().select(given).exists()).family", 0),
        ("children().given | children().family", "children().select(given) | children().select(family)", 4),
    ] {
        let got = texts(fused);
        assert_eq!(got, texts(collected), "{fused}");
        assert_eq!(got.len(), expected, "{fused}: {got:?}");
    }
    let inv = Expression::parse("children().given.exists() and children().family.exists()").expect("parses");
    assert_eq!(inv.evaluate_boolean(&ctx, root.clone()).expect("evaluates"), Some(true));
    let inv = Expression::parse("children().url.exists()").expect("parses");
    assert_eq!(inv.evaluate_boolean(&ctx, root.clone()).expect("evaluates"), Some(false));
}

/// `descendants().name` passes over the leaves that can have no children
/// (primitives without id or extensions, plain text): the same items in
/// the same order as the unfused `descendants().select(name)`, which
/// looks into every descendant, including primitives that do carry an id
/// or extensions, and their extensions' values.
#[test]
fn a_step_after_descendants_matches_the_collected_descendants() {
    let json = r#"{"resourceType": "CodeSystem", "id": "cs", "status": "draft", "content": "complete",
        "url": "http://example.org/cs", "_url": {"id": "u1"},
        "concept": [
            {"code": "a", "display": "A", "_display": {"extension": [
                {"url": "http://example.org/ext", "valueCoding": {"code": "x", "_code": {"id": "deep"}}}]},
             "concept": [{"code": "a1", "concept": [{"code": "a1x", "id": "c3"}]}, {"code": "a2"}]},
            {"code": "b", "_code": {"extension": [{"url": "http://example.org/e2", "valueString": "v"}]},
             "designation": [{"value": "bee", "use": {"code": "syn"}}]}
        ]}"#;
    let cs: fhir_model::r4::Resource = fhir_model::json::from_str(json).expect("valid code system");
    let root = Item::resource(fhir_model::rt::ResourceEnum::as_element(&cs));
    let ctx = Context::for_resource(root.clone());
    let texts = |expr: &str| resource_texts(&ctx, &root, expr);
    for (fused, collected, expected) in [
        (
            "descendants().concept.code",
            "descendants().select(concept).code",
            3,
        ),
        ("descendants().code", "descendants().select(code)", 7),
        ("descendants().id", "descendants().select(id)", 3),
        (
            "descendants().extension.url",
            "descendants().select(extension).url",
            2,
        ),
        ("descendants().value", "descendants().select(value)", 3),
        ("descendants().url", "descendants().select(url)", 2),
        (
            "descendants().code.first()",
            "descendants().select(code).first()",
            1,
        ),
        (
            "descendants().nothing.exists()",
            "descendants().select(nothing).exists()",
            1,
        ),
        (
            "concept.where(descendants().id.exists()).code",
            "concept.where(descendants().select(id).exists()).code",
            1,
        ),
        (
            "concept.code.combine($this.descendants().concept.code).isDistinct()",
            "concept.code.combine($this.descendants().select(concept).code).isDistinct()",
            1,
        ),
    ] {
        let got = texts(fused);
        assert_eq!(got, texts(collected), "{fused}");
        assert_eq!(got.len(), expected, "{fused}: {got:?}");
    }
}
