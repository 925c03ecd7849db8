//! What an item weighs, as the DynamoDB developer guide ("Item sizes and formats") counts it
//! for the 400 KB limit: each attribute's name bytes plus its value, where a string is its
//! UTF-8 bytes, a binary its raw bytes, a number one byte per two significant digits plus one,
//! a boolean or null one byte, a list or map 3 bytes plus one byte and the size of each element
//! (a map's element counting its key), and a set the sum of its elements.

use super::{AttributeValue, Item, ValueError};

/// DynamoDB's item size limit: 400 KB, in binary units.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// The size of one value, without the name it is stored under.
pub fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::Bool(_) | AttributeValue::Null => 1,
        AttributeValue::L(items) => 3 + items.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(number_size).sum(),
        AttributeValue::Bs(set) => set.iter().map(Vec::len).sum(),
    }
}

fn number_size(n: &super::Number) -> usize {
    (n.significant_digits() as usize).div_ceil(2) + 1
}

/// The size of an item: every attribute's name and value.
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

/// Refuses an item over 400 KB with PutItem's message; UpdateItem's is
/// [`ValueError::UpdatedItemTooLarge`].
pub fn check_item_size(item: &Item) -> Result<(), ValueError> {
    if item_size(item) > MAX_ITEM_SIZE {
        Err(ValueError::ItemTooLarge)
    } else {
        Ok(())
    }
}
