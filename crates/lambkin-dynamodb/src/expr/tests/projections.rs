//! Projection expressions over the developer guide's ProductCatalog item.

use serde_json::{Value, json};

use super::*;

#[test]
fn documented_projections_keep_only_what_they_name() {
    let names = names(&[
        ("#pr", "ProductReviews"),
        ("#ri", "RelatedItems"),
        ("#sw", "Safety.Warning"),
    ]);
    let cases: &[(&str, Value)] = &[
        (
            "Title, Price, Color",
            json!({"Title": {"S": "Bicycle 123"}, "Price": {"N": "500"}, "Color": {"SS": ["Black", "Red"]}}),
        ),
        (
            "Description, #ri[0], #pr.FiveStar",
            json!({
                "Description": {"S": "123 description"},
                "RelatedItems": {"L": [{"N": "341"}]},
                "ProductReviews": {"M": {"FiveStar": {"L": [
                    {"S": "Excellent! Can't recommend it highly enough! Buy it!"},
                    {"S": "Do yourself a favor and buy this."}
                ]}}}
            }),
        ),
        // Kept list elements close up, in their original order.
        (
            "#ri[2], #ri[0]",
            json!({"RelatedItems": {"L": [{"N": "341"}, {"N": "649"}]}}),
        ),
        (
            "#pr.FiveStar[1]",
            json!({"ProductReviews": {"M": {"FiveStar": {"L": [{"S": "Do yourself a favor and buy this."}]}}}}),
        ),
        (
            "Pictures.FrontView, Pictures.SideView",
            json!({"Pictures": {"M": {
                "FrontView": {"S": "http://example.com/products/123_front.jpg"},
                "SideView": {"S": "http://example.com/products/123_left_side.jpg"}
            }}}),
        ),
        // A name with a dot in it, through a placeholder; a bare dot is a path.
        (
            "#sw",
            json!({"Safety.Warning": {"S": "Always wear a helmet"}}),
        ),
        ("Safety.Warning", json!({})),
        // What the item lacks is left out.
        (
            "Nowhere, Pictures.TopView, #ri[9], Price",
            json!({"Price": {"N": "500"}}),
        ),
    ];
    for (text, expected) in cases {
        let used: Names = names
            .iter()
            .filter(|(k, _)| text.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let no_values = Values::new();
        let mut expressions = Expressions::new(&used, &no_values).expect("valid placeholders");
        let projection = expressions
            .projection(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        expressions.finish().expect("every name used");
        assert_eq!(
            project(&projection, &product()),
            item(expected.clone()),
            "{text}"
        );
    }
}
