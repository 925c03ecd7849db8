//! Expressions DynamoDB refuses, each with DynamoDB's message: syntax, then the checks of the
//! whole expression, then those of each part, then unused or malformed placeholders.

use serde_json::json;

use super::*;

fn shared_names() -> Names {
    names(&[("#a", "a"), ("#b", "b"), ("#c", "c"), ("#d", "[3]")])
}

fn shared_values() -> Values {
    values(json!({
        ":a": {"S": "a"},
        ":hi": {"S": "b"},
        ":one": {"S": "1"},
        ":n": {"N": "1"},
        ":b": {"B": "YQ=="},
        ":bool": {"BOOL": true},
        ":null": {"NULL": true},
        ":l": {"L": []},
        ":m": {"M": {}},
        ":ss": {"SS": ["a"]},
        ":ns": {"NS": ["1"]},
        ":bs": {"BS": ["YQ=="]},
    }))
}

/// Parses one expression against the shared placeholders (unused ones are not checked here).
fn refusal(kind: ExprKind, text: &str) -> String {
    let (names, values) = (shared_names(), shared_values());
    let mut expressions = Expressions::new(&names, &values).expect("valid placeholders");
    let result = match kind {
        ExprKind::Update => expressions.update(text).map(|_| ()),
        ExprKind::Projection => expressions.projection(text).map(|_| ()),
        kind => expressions.condition(kind, text).map(|_| ()),
    };
    match result {
        Ok(()) => panic!("{kind} {text:?} was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn syntax_errors() {
    use ExprKind::*;
    let cases: &[(ExprKind, &str)] = &[
        (Filter, "things are not gonna be ok"),
        (Filter, "a > 4"),
        (Filter, "attribute_exists(Pictures-RearView)"),
        (Filter, "attribute_exists(\"Pictures.RearView\")"),
        (Filter, "attribute_exists(Pictures..RearView)"),
        (Filter, "attribute_exists(Pi#ctures.RearView)"),
        (Filter, "attribute_exists(asdf[a])"),
        (Filter, "a in b, c"),
        (Filter, "a > between"),
        (Filter, "a in b"),
        (Filter, "a in (b,c,)"),
        (Filter, "#$.b > a"),
        (Filter, "a > :things.stuff"),
        (Filter, "b[:a] > a"),
        (Filter, "b[#_] > a"),
        (Filter, "ü > a"),
        (Filter, "size(a).b > a"),
        (Filter, "size(a)[0] > a"),
        (Filter, "a = = b"),
        (Filter, "a ="),
        (Filter, "a = b c = d"),
        (Condition, "a = :a AND"),
        (KeyCondition, "pk = :a AND AND sk = :a"),
        (Update, "whatever"),
        (Update, "set a"),
        (Update, "add a"),
        (Update, "delete a"),
        (Update, "set a=set"),
        (Update, "remove a = b"),
        (Update, "add a = b"),
        (Update, "delete a = b"),
        (Update, "delete a b"),
        (Update, "add :a b"),
        (Update, "remove a b"),
        (Update, "set a b"),
        (Update, "set :a = b"),
        (Update, "remove :a"),
        (Update, "set a = b / c"),
        (Update, "set a = b * c"),
        (Update, "set a[1] = \"eight\""),
        (Update, "set a[1] = 1"),
        (Update, "SET a = if_not_exist(a, 100)"),
        (Update, "SET if_not_exist(a, b) = a"),
        (Update, "set a = b + c + d"),
        (Projection, "whatever(stuff)"),
        (Projection, ":a"),
        (Projection, "abort,"),
        (Projection, "a,,b"),
        (Projection, "a..b"),
        (Projection, "a[b]"),
        (Projection, "(a)"),
        (Projection, "a-b"),
    ];
    for (kind, text) in cases {
        let message = refusal(*kind, text);
        let prefix = format!("Invalid {kind}: Syntax error; token: ");
        assert!(message.starts_with(&prefix), "{text:?}: {message}");
    }
}

#[test]
fn syntax_errors_name_the_token_and_its_neighbours() {
    let cases: &[(&str, &str)] = &[
        ("a > 4", "Syntax error; token: \"4\", near: \"> 4\""),
        ("a =", "Syntax error; token: \"<EOF>\", near: \"a =\""),
        ("a = b c = d", "Syntax error; token: \"c\", near: \"b c =\""),
    ];
    for (text, reason) in cases {
        assert_eq!(
            refusal(ExprKind::Condition, text),
            format!("Invalid ConditionExpression: {reason}"),
            "{text:?}"
        );
    }
}

#[test]
fn refusals_of_whole_expressions_and_their_parts() {
    use ExprKind::*;
    let cases: &[(ExprKind, &str, &str)] = &[
        (Condition, "", "The expression can not be empty;"),
        (Update, "  ", "The expression can not be empty;"),
        (Projection, "", "The expression can not be empty;"),
        // Redundant parentheses, checked first.
        (
            Filter,
            "a=a and a > ((views))",
            "The expression has redundant parentheses;",
        ),
        (
            Filter,
            "a > whatever((:things), ((a)))",
            "The expression has redundant parentheses;",
        ),
        (
            Filter,
            "a=a AND ((a=a AND a=a)) AND a=a",
            "The expression has redundant parentheses;",
        ),
        (
            Filter,
            "a=a OR ((a=a OR (a=a OR a=a)))",
            "The expression has redundant parentheses;",
        ),
        // Unknown functions (names are case-sensitive), then functions in the wrong place.
        (
            Filter,
            "a=a and whatever((:things)) > a",
            "Invalid function name; function: whatever",
        ),
        (
            Filter,
            "attRIbute_exIsts((views), #a)",
            "Invalid function name; function: attRIbute_exIsts",
        ),
        (
            Update,
            "set #c = if_not_exist(:c) set c = d",
            "Invalid function name; function: if_not_exist",
        ),
        (
            Condition,
            "if_not_exists(a, :a) = :a",
            "Invalid function name; function: if_not_exists",
        ),
        (
            Filter,
            "a=a and attribute_exists((views), (#a)) > b",
            "The function is not allowed to be used this way in an expression; function: attribute_exists",
        ),
        (
            Filter,
            "attribute_not_exists(things) > b",
            "The function is not allowed to be used this way in an expression; function: attribute_not_exists",
        ),
        (
            Filter,
            "begins_with(things, a) > b",
            "The function is not allowed to be used this way in an expression; function: begins_with",
        ),
        (
            Filter,
            "contains(:things, c) > b",
            "The function is not allowed to be used this way in an expression; function: contains",
        ),
        (
            Filter,
            "size(contains(a, b)) > a",
            "The function is not allowed to be used this way in an expression; function: contains",
        ),
        (
            Filter,
            "size(things)",
            "The function is not allowed to be used this way in an expression; function: size",
        ),
        (
            Filter,
            "a between b and attribute_exists(things)",
            "The function is not allowed to be used this way in an expression; function: attribute_exists",
        ),
        (
            Filter,
            "a in (b, attribute_exists(things))",
            "The function is not allowed to be used this way in an expression; function: attribute_exists",
        ),
        // Reserved words, written bare.
        (
            Filter,
            "attribute_exists(views, #a)",
            "Attribute name is a reserved keyword; reserved keyword: views",
        ),
        (
            Filter,
            ":a < abOrT",
            "Attribute name is a reserved keyword; reserved keyword: abOrT",
        ),
        (
            Condition,
            "#status = :a AND Status = :a",
            "Attribute name is a reserved keyword; reserved keyword: Status",
        ),
        (
            Update,
            " set #c = :a set abOrt = true ",
            "Attribute name is a reserved keyword; reserved keyword: abOrt",
        ),
        (
            Update,
            " remove Absolute ",
            "Attribute name is a reserved keyword; reserved keyword: Absolute",
        ),
        (
            Projection,
            "a.abORt",
            "Attribute name is a reserved keyword; reserved keyword: abORt",
        ),
        (
            Projection,
            "#a,ABSoLUTE",
            "Attribute name is a reserved keyword; reserved keyword: ABSoLUTE",
        ),
        // Each update section once.
        (
            Update,
            "set a = #zz set c = :d",
            "The \"SET\" section can only be used once in an update expression;",
        ),
        (
            Update,
            "remove #d set a = b remove e",
            "The \"REMOVE\" section can only be used once in an update expression;",
        ),
        (
            Update,
            "add #d :n set a = b add e :n",
            "The \"ADD\" section can only be used once in an update expression;",
        ),
        (
            Update,
            "delete #d :ss set a = b delete #e :ss",
            "The \"DELETE\" section can only be used once in an update expression;",
        ),
        // Placeholders that are not defined.
        (
            Filter,
            "attribute_exists(#Pictures.RearView, :a) and a=a",
            "An expression attribute name used in the document path is not defined; attribute name: #Pictures",
        ),
        (
            Filter,
            "begins_with(Pictures.#RearView)",
            "An expression attribute name used in the document path is not defined; attribute name: #RearView",
        ),
        (
            Filter,
            "#4g > a",
            "An expression attribute name used in the document path is not defined; attribute name: #4g",
        ),
        (
            Filter,
            "#_ > a",
            "An expression attribute name used in the document path is not defined; attribute name: #_",
        ),
        (
            Filter,
            "(a)between(b.c[45].#e)and(:a)",
            "An expression attribute name used in the document path is not defined; attribute name: #e",
        ),
        (
            Update,
            "SET #zz = if_not_exists(:c)",
            "An expression attribute name used in the document path is not defined; attribute name: #zz",
        ),
        (
            Projection,
            "a,b,a,#zz",
            "An expression attribute name used in the document path is not defined; attribute name: #zz",
        ),
        (
            Filter,
            "begins_with(:hello, #a, #b)",
            "An expression attribute value used in expression is not defined; attribute value: :hello",
        ),
        (
            Filter,
            ":x < :y",
            "An expression attribute value used in expression is not defined; attribute value: :x",
        ),
        (
            Update,
            "SET #a = if_not_exists(:zz)",
            "An expression attribute value used in expression is not defined; attribute value: :zz",
        ),
        // Operand counts.
        (
            Filter,
            "attribute_exists(things, a) and a=a",
            "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2",
        ),
        (
            Filter,
            "attribute_type(things)",
            "Incorrect number of operands for operator or function; operator or function: attribute_type, number of operands: 1",
        ),
        (
            Filter,
            "begins_with(things, size(a), b)",
            "Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 3",
        ),
        (
            Filter,
            "contains(things)",
            "Incorrect number of operands for operator or function; operator or function: contains, number of operands: 1",
        ),
        (
            Filter,
            "size(things, a) > b",
            "Incorrect number of operands for operator or function; operator or function: size, number of operands: 2",
        ),
        (
            Update,
            "set a = if_not_exists(c)",
            "Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1",
        ),
        (
            Update,
            "set a = list_append(c)",
            "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1",
        ),
        // Operand types known from the values.
        (
            Filter,
            "attribute_type(a, :n)",
            "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N",
        ),
        (
            Filter,
            "attribute_type(a, size(a)) and a=a",
            "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N",
        ),
        (
            Filter,
            "attribute_type(a, :one)",
            "Invalid attribute type name found; type: 1, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
        ),
        (
            Filter,
            "begins_with(a, :n)",
            "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
        ),
        (
            Filter,
            "begins_with(:bool, a)",
            "Incorrect operand type for operator or function; operator or function: begins_with, operand type: BOOL",
        ),
        (
            Filter,
            "begins_with(a, :ss)",
            "Incorrect operand type for operator or function; operator or function: begins_with, operand type: SS",
        ),
        (
            Filter,
            "size(size(a)) > :n",
            "Incorrect operand type for operator or function; operator or function: size, operand type: N",
        ),
        (
            Filter,
            "size(:null) > a",
            "Incorrect operand type for operator or function; operator or function: size, operand type: NULL",
        ),
        (
            Update,
            "set a = list_append(:a, a)",
            "Incorrect operand type for operator or function; operator or function: list_append, operand type: S",
        ),
        (
            Update,
            "set a = list_append(a, :n)",
            "Incorrect operand type for operator or function; operator or function: list_append, operand type: N",
        ),
        (
            Update,
            "set a = list_append(:m, a)",
            "Incorrect operand type for operator or function; operator or function: list_append, operand type: M",
        ),
        (
            Update,
            "set a = a + :a",
            "Incorrect operand type for operator or function; operator or function: +, operand type: S",
        ),
        (
            Update,
            "set a = :b - a",
            "Incorrect operand type for operator or function; operator or function: -, operand type: B",
        ),
        (
            Update,
            "set a = a - :ns",
            "Incorrect operand type for operator or function; operator or function: -, operand type: NS",
        ),
        (
            Update,
            "set a = a + :l",
            "Incorrect operand type for operator or function; operator or function: +, operand type: L",
        ),
        (
            Update,
            "set b = list_append(:a, a), c = if_not_exists(a) add a.b :a",
            "Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
        ),
        (
            Update,
            "delete a.b :a",
            "Incorrect operand type for operator or function; operator: DELETE, operand type: STRING",
        ),
        (
            Update,
            "delete a.b :n",
            "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER",
        ),
        (
            Update,
            "add a.b :null",
            "Incorrect operand type for operator or function; operator: ADD, operand type: NULL",
        ),
        (
            Update,
            "add a.b :bool",
            "Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN",
        ),
        (
            Update,
            "add a.b :b",
            "Incorrect operand type for operator or function; operator: ADD, operand type: BINARY",
        ),
        (
            Update,
            "add a.b :m",
            "Incorrect operand type for operator or function; operator: ADD, operand type: MAP",
        ),
        (
            Update,
            "delete a.b :l",
            "Incorrect operand type for operator or function; operator: DELETE, operand type: LIST",
        ),
        // Document paths where one is required.
        (
            Filter,
            "attribute_exists(:a) and a=a",
            "Operator or function requires a document path; operator or function: attribute_exists",
        ),
        (
            Update,
            "set a = if_not_exists(:a, c)",
            "Operator or function requires a document path; operator or function: if_not_exists",
        ),
        (
            Update,
            "set a = if_not_exists(if_not_exists(a, b), c)",
            "Operator or function requires a document path; operator or function: if_not_exists",
        ),
        // The first operand distinct from the others.
        (
            Filter,
            "a = a AND #a = b",
            "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]",
        ),
        (
            Filter,
            "#a <> a",
            "The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a]",
        ),
        (
            Filter,
            "((a=a) OR (a=a))",
            "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]",
        ),
        (
            Filter,
            "contains(ab.bc[1].a, ab.bc[1].#a)",
            "The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [ab, bc, [1], a]",
        ),
        (
            Filter,
            "begins_with(ab.bc[1].a, ab.bc[1].#a)",
            "The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [ab, bc, [1], a]",
        ),
        // BETWEEN's bounds.
        (
            KeyCondition,
            "a between :n and :a",
            "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}",
        ),
        (
            KeyCondition,
            "a between :hi and :a",
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}",
        ),
        // Paths written or projected must be independent: overlaps first, then conflicts.
        (
            Update,
            "set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)",
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [1], a], path two: [c]",
        ),
        (
            Update,
            "set #c[3].#d = a, #c[3] = a",
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3]]",
        ),
        (
            Update,
            "set a = :a remove a",
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
        ),
        (
            Update,
            "set #c[3].#d = a, #c.#d[3] = if_not_exists(a)",
            "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3], [3]]",
        ),
        (
            Update,
            "remove a.#c set a[1] = #d",
            "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]",
        ),
        (
            Projection,
            "b[1], b.a, #a.b, a",
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]",
        ),
        (
            Projection,
            "a, #a[1]",
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, [1]]",
        ),
        (
            Projection,
            "a.b, #a[1], #d",
            "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]",
        ),
        (
            Projection,
            "a[3].b, #a.#d.b",
            "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [3], b], path two: [a, [3], b]",
        ),
    ];
    for (kind, text, reason) in cases {
        assert_eq!(
            refusal(*kind, text),
            format!("Invalid {kind}: {reason}"),
            "{text:?}"
        );
    }
}

#[test]
fn every_placeholder_must_be_used_and_well_formed() {
    let abc = values(json!({":a": {"S": "a"}, ":b": {"S": "a"}, ":c": {"S": "a"}}));
    let extra_names = names(&[("#a", "a"), ("#b", "b")]);
    let mut expressions = Expressions::new(&extra_names, &abc).expect("valid placeholders");
    expressions.update("remove a").expect("parses");
    expressions
        .condition(ExprKind::Condition, "a = :b")
        .expect("parses");
    assert_eq!(
        expressions.finish().map_err(|e| e.to_string()),
        Err(
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}"
                .to_owned()
        )
    );

    let no_names = Names::new();
    let mut expressions = Expressions::new(&no_names, &abc).expect("valid placeholders");
    expressions
        .condition(ExprKind::Condition, "a = :b")
        .expect("parses");
    assert_eq!(
        expressions.finish().map_err(|e| e.to_string()),
        Err(
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}"
                .to_owned()
        )
    );

    // A placeholder used by any expression of the request counts.
    let used = names(&[("#k", "pk")]);
    let one = values(json!({":v": {"S": "a"}}));
    let mut expressions = Expressions::new(&used, &one).expect("valid placeholders");
    expressions.projection("#k").expect("parses");
    expressions
        .condition(ExprKind::Filter, "x = :v")
        .expect("parses");
    assert_eq!(expressions.finish(), Ok(()));

    let bad_name = names(&[("a", "a")]);
    assert_eq!(
        Expressions::new(&bad_name, &Values::new())
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err("ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"".to_owned())
    );
}

#[test]
fn expression_attribute_values_are_checked_with_their_key() {
    let cases: &[(serde_json::Value, &str)] = &[
        (
            json!({":b": {"a": ""}, "b": {"S": "a"}}),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\"",
        ),
        (
            json!({":b": {}}),
            "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :b",
        ),
        (
            json!({":b": {"SS": []}}),
            "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :b",
        ),
        (
            json!({":b": {"N": "b"}}),
            "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: b for key :b",
        ),
        (
            json!({":b": {"NS": ["1", "1"]}}),
            "ExpressionAttributeValues contains invalid value: Input collection contains duplicates for key :b",
        ),
        (
            json!({":b": {"S": "a", "N": "1"}}),
            "ExpressionAttributeValues contains invalid value: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes for key :b",
        ),
    ];
    for (json, message) in cases {
        let serde_json::Value::Object(map) = json else {
            panic!("an object")
        };
        assert_eq!(
            values_from_json(map).map_err(|e| e.to_string()),
            Err((*message).to_owned()),
            "{json}"
        );
    }
}
