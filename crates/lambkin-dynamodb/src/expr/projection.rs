//! Projecting an item: only the attributes, map entries and list elements the projection
//! names, nested as they were. Paths the item lacks are left out; the elements a projection
//! keeps from a list come back as a list in their original order, without gaps.

use std::collections::BTreeMap;

use super::ast::{PathElement, Projection};
use super::document;
use crate::value::{AttributeValue, Item};

/// The part of `item` that `projection` names.
pub fn project(projection: &Projection, item: &Item) -> Item {
    let mut root: BTreeMap<String, Node> = BTreeMap::new();
    for path in &projection.0 {
        let Some(value) = document::get(item, path) else {
            continue;
        };
        let Some((PathElement::Attribute(head), rest)) = path.0.split_first() else {
            continue;
        };
        let node = root
            .entry(head.clone())
            .or_insert_with(|| Node::for_next(rest));
        node.insert(rest, value);
    }
    root.into_iter()
        .map(|(k, node)| (k, node.into_value()))
        .collect()
}

/// A partly built projection: a value kept whole, or the kept parts of a map or a list.
enum Node {
    Whole(AttributeValue),
    Map(BTreeMap<String, Node>),
    List(BTreeMap<usize, Node>),
}

impl Node {
    fn for_next(rest: &[PathElement]) -> Node {
        match rest.first() {
            Some(PathElement::Index(_)) => Node::List(BTreeMap::new()),
            _ => Node::Map(BTreeMap::new()),
        }
    }

    fn insert(&mut self, rest: &[PathElement], value: &AttributeValue) {
        let Some((element, deeper)) = rest.split_first() else {
            *self = Node::Whole(value.clone());
            return;
        };
        // Paths were checked not to overlap or conflict, so each step finds its own kind.
        let child = match (self, element) {
            (Node::Map(map), PathElement::Attribute(key)) => map
                .entry(key.clone())
                .or_insert_with(|| Node::for_next(deeper)),
            (Node::List(list), PathElement::Index(i)) => {
                list.entry(*i).or_insert_with(|| Node::for_next(deeper))
            }
            _ => return,
        };
        child.insert(deeper, value);
    }

    fn into_value(self) -> AttributeValue {
        match self {
            Node::Whole(value) => value,
            Node::Map(map) => {
                AttributeValue::M(map.into_iter().map(|(k, n)| (k, n.into_value())).collect())
            }
            Node::List(list) => {
                AttributeValue::L(list.into_values().map(Node::into_value).collect())
            }
        }
    }
}
