//! Conditions evaluated over items: the developer guide's examples on its ProductCatalog item,
//! precedence, missing attributes and types, exact numbers, and Powertools' idempotency
//! condition over each state its record can be in.

use serde_json::json;

use super::*;

#[test]
fn documented_conditions_evaluate_as_dynamodb_evaluates_them() {
    let item = product();
    let names = names(&[
        ("#p", "Price"),
        ("#Pictures", "Pictures"),
        ("#SideView", "SideView"),
        ("#sw", "Safety.Warning"),
        ("#pr", "ProductReviews"),
        ("#c", "Comment"),
    ]);
    let values = values(json!({
        ":p": {"N": "500"},
        ":lo": {"N": "200"},
        ":hi": {"N": "500.0"},
        ":cheap": {"N": "100"},
        ":red": {"S": "Red"},
        ":company": {"S": "Company"},
        ":http": {"S": "http://"},
        ":list": {"S": "L"},
        ":map": {"S": "M"},
        ":str": {"S": "S"},
        ":twenty": {"N": "20"},
        ":two": {"N": "2"},
        ":three": {"N": "3"},
        ":472": {"N": "472"},
        ":price_text": {"S": "500"},
        ":helmet": {"S": "Always wear a helmet"},
        ":t": {"BOOL": true},
        ":f": {"BOOL": false},
        ":bikes": {"SS": ["Black", "Red"]},
        ":nul": {"NULL": true},
        ":mountain": {"S": "Mountain"},
        ":hybrid": {"S": "Hybrid"},
    }));
    let cases: &[(&str, bool)] = &[
        // Comparisons.
        ("#p = :p", true),
        ("#p <> :p", false),
        ("#p < :cheap", false),
        ("#p <= :p", true),
        ("#p > :cheap", true),
        ("#p >= :hi", true),
        ("Price BETWEEN :lo AND :hi", true),
        ("Price BETWEEN :cheap AND :lo", false),
        ("BicycleType IN (:mountain, :hybrid)", true),
        ("BicycleType IN (:mountain)", false),
        ("InStock = :t", true),
        ("InStock = :f", false),
        ("QuantityOnHand = :nul", true),
        // Sets compare as sets, whatever order they were written in.
        ("Color = :bikes", true),
        // Values of different types are never equal, nor ordered.
        ("Price = :price_text", false),
        ("Price <> :price_text", true),
        ("Price < :price_text", false),
        ("Price >= :price_text", false),
        // Functions.
        ("attribute_exists(#Pictures.#SideView)", true),
        ("attribute_exists(Pictures.TopView)", false),
        ("attribute_not_exists(Manufacturer)", true),
        ("attribute_not_exists(Price)", false),
        ("attribute_type(ProductReviews.FiveStar, :list)", true),
        ("attribute_type(Pictures, :map)", true),
        ("attribute_type(Pictures, :str)", false),
        ("attribute_type(Nowhere, :str)", false),
        ("begins_with(Pictures.FrontView, :http)", true),
        ("begins_with(Title, :http)", false),
        ("contains(Color, :red)", true),
        ("contains(Brand, :company)", true),
        ("contains(RelatedItems, :472)", true),
        ("contains(Price, :472)", false),
        ("size(Description) < :twenty", true),
        ("size(Color) = :two", true),
        ("size(RelatedItems) = :three", true),
        ("size(#pr.OneStar) < :two", true),
        ("size(Price) = :three", false),
        ("size(Nowhere) < :twenty", false),
        // Nested paths, list indexes, and a name with a dot through a placeholder.
        ("RelatedItems[1] = :472", true),
        ("RelatedItems[5] = :472", false),
        ("#sw = :helmet", true),
        ("#c = :helmet", false),
        ("Pictures.FrontView.Deeper = :http", false),
        // A missing attribute is unequal to everything.
        ("Nowhere <> :p", true),
        ("Nowhere = :p", false),
        ("NOT Nowhere = :p", true),
        // Names are case-sensitive, keywords are not.
        ("price = :p", false),
        (
            "Price between :lo and :hi AND not attribute_exists(Manufacturer)",
            true,
        ),
        // NOT binds tighter than AND, AND tighter than OR.
        ("#p = :cheap OR #p = :p AND InStock = :t", true),
        ("#p = :p OR #p = :cheap AND InStock = :f", true),
        ("(#p = :p OR #p = :cheap) AND InStock = :f", false),
        ("NOT #p = :cheap AND InStock = :f", false),
        ("NOT (#p = :cheap AND InStock = :f)", true),
        ("NOT NOT #p = :p", true),
        ("#p = :cheap OR NOT InStock = :f AND #p = :p", true),
        // Parentheses around an operand.
        ("(#p) = :p", true),
        ("(#p) BETWEEN (:lo) AND (:hi)", true),
    ];
    for (text, expected) in cases {
        let mut expressions = Expressions::new(&names, &values).expect("valid placeholders");
        let parsed = expressions
            .condition(ExprKind::Condition, text)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        let got = evaluate_condition(&parsed, &item, &values).expect("evaluates");
        assert_eq!(got, *expected, "{text}");
    }
}

#[test]
fn thirty_eight_digit_numbers_compare_exactly() {
    let item = item(json!({
        "big": {"N": "12345678901234567890123456789012345678"},
        "small": {"N": "0.00000000000000000000000000000000000012345678901234567890123456789012345678"}
    }));
    let values = values(json!({
        ":big_plus_1": {"N": "12345678901234567890123456789012345679"},
        ":big": {"N": "1.2345678901234567890123456789012345678E37"},
        ":small_plus": {"N": "1.2345678901234567890123456789012345679E-37"},
    }));
    let none = Names::new();
    let cases: &[(&str, bool)] = &[
        ("big < :big_plus_1", true),
        ("big = :big", true),
        ("big <> :big_plus_1", true),
        ("big BETWEEN :big AND :big_plus_1", true),
        ("small < :small_plus", true),
        ("small = :small_plus", false),
    ];
    for (text, expected) in cases {
        let mut expressions = Expressions::new(&none, &values).expect("valid placeholders");
        let parsed = expressions
            .condition(ExprKind::Filter, text)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            evaluate_condition(&parsed, &item, &values).expect("evaluates"),
            *expected,
            "{text}"
        );
    }
}

/// The condition AWS Lambda Powertools' idempotency utility puts records with.
const POWERTOOLS: &str = "attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)";

#[test]
fn powertools_idempotency_condition_over_each_record_state() {
    let names = names(&[
        ("#id", "id"),
        ("#expiry", "expiration"),
        ("#status", "status"),
        ("#in_progress_expiry", "in_progress_expiration"),
    ]);
    let values = values(json!({
        ":now": {"N": "1700000000"},
        ":inprogress": {"S": "INPROGRESS"},
        ":now_in_millis": {"N": "1700000000123"},
    }));
    let parsed = condition(ExprKind::Condition, POWERTOOLS, &names, &values)
        .expect("Powertools' condition parses and uses every placeholder");
    let record = |status: &str, expiration: &str, in_progress: Option<&str>| {
        let mut record = item(json!({
            "id": {"S": "fn#hash"},
            "status": {"S": status},
            "expiration": {"N": expiration},
        }));
        if let Some(ms) = in_progress {
            record.insert(
                "in_progress_expiration".to_owned(),
                AttributeValue::N(ms.parse().expect("a number")),
            );
        }
        record
    };
    let cases: &[(&str, Item, bool)] = &[
        ("no record yet", Item::new(), true),
        (
            "completed, expired",
            record("COMPLETED", "1699999999", None),
            true,
        ),
        (
            "completed, not expired",
            record("COMPLETED", "1700003600", None),
            false,
        ),
        (
            "in progress, its lambda timed out",
            record("INPROGRESS", "1700003600", Some("1700000000000")),
            true,
        ),
        (
            "in progress, still running",
            record("INPROGRESS", "1700003600", Some("1700000005000")),
            false,
        ),
        (
            "in progress, no in-progress expiry",
            record("INPROGRESS", "1700003600", None),
            false,
        ),
        (
            "completed with an old in-progress expiry",
            record("COMPLETED", "1700003600", Some("1")),
            false,
        ),
    ];
    for (state, record, put) in cases {
        assert_eq!(
            evaluate_condition(&parsed, record, &values).expect("evaluates"),
            *put,
            "{state}"
        );
    }
}
