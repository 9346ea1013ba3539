//! [`Items`]: the collection every step of an evaluation produces.
//!
//! Most results are empty or hold one item: a path step on one element
//! (`binding`, `path`), a Boolean from `exists()` or a comparison, a
//! literal. A `Vec` allocates on its first push and frees at the end of the
//! step; over the invariants of a corpus that was a fifth of the evaluation
//! time. `Items` keeps one item inline and moves to a `Vec` only at the
//! second.

use crate::item::Item;

/// A FHIRPath collection: none or one item inline, more on the heap. Reads
/// as a slice.
#[derive(Clone, Debug, Default)]
pub(crate) struct Items<'a>(Store<'a>);

#[derive(Clone, Debug)]
enum Store<'a> {
    Inline(Option<Item<'a>>),
    Heap(Vec<Item<'a>>),
}

impl Default for Store<'_> {
    fn default() -> Self {
        Store::Inline(None)
    }
}

impl<'a> Items<'a> {
    pub(crate) const fn new() -> Self {
        Items(Store::Inline(None))
    }

    /// A collection of one item.
    pub(crate) const fn one(item: Item<'a>) -> Self {
        Items(Store::Inline(Some(item)))
    }

    pub(crate) fn push(&mut self, item: Item<'a>) {
        match &mut self.0 {
            Store::Inline(slot @ None) => *slot = Some(item),
            Store::Inline(first @ Some(_)) => {
                // Room for eight: from four, larger collections
                // (`snapshot.element`, a concept's codes) grew 4 -> 8 -> 16...
                // by reallocation. Over the R4 examples' invariants 8 saved
                // 15 M instructions against 4, and 16 only 9 M.
                let mut v = Vec::with_capacity(8);
                v.extend(first.take());
                v.push(item);
                self.0 = Store::Heap(v);
            }
            Store::Heap(v) => v.push(item),
        }
    }

    pub(crate) fn as_slice(&self) -> &[Item<'a>] {
        match &self.0 {
            Store::Inline(o) => o.as_slice(),
            Store::Heap(v) => v,
        }
    }

    /// The items as a `Vec` (the public API's collections).
    pub(crate) fn into_vec(self) -> Vec<Item<'a>> {
        match self.0 {
            Store::Inline(o) => o.into_iter().collect(),
            Store::Heap(v) => v,
        }
    }
}

impl<'a> std::ops::Deref for Items<'a> {
    type Target = [Item<'a>];
    fn deref(&self) -> &[Item<'a>] {
        self.as_slice()
    }
}

impl<'a> From<Vec<Item<'a>>> for Items<'a> {
    fn from(v: Vec<Item<'a>>) -> Self {
        Items(Store::Heap(v))
    }
}

impl<'a> From<&[Item<'a>]> for Items<'a> {
    fn from(s: &[Item<'a>]) -> Self {
        match s {
            [] => Items::new(),
            [one] => Items::one(one.clone()),
            _ => Items(Store::Heap(s.to_vec())),
        }
    }
}

impl<'a> From<Option<Item<'a>>> for Items<'a> {
    fn from(o: Option<Item<'a>>) -> Self {
        Items(Store::Inline(o))
    }
}

impl<'a> Extend<Item<'a>> for Items<'a> {
    fn extend<I: IntoIterator<Item = Item<'a>>>(&mut self, iter: I) {
        for item in iter {
            self.push(item);
        }
    }
}

impl<'a> FromIterator<Item<'a>> for Items<'a> {
    fn from_iter<I: IntoIterator<Item = Item<'a>>>(iter: I) -> Self {
        let mut out = Items::new();
        out.extend(iter);
        out
    }
}

/// The owning iterator of [`Items`].
pub(crate) enum IntoIter<'a> {
    Inline(std::option::IntoIter<Item<'a>>),
    Heap(std::vec::IntoIter<Item<'a>>),
}

impl<'a> Iterator for IntoIter<'a> {
    type Item = Item<'a>;
    fn next(&mut self) -> Option<Item<'a>> {
        match self {
            IntoIter::Inline(i) => i.next(),
            IntoIter::Heap(i) => i.next(),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            IntoIter::Inline(i) => i.size_hint(),
            IntoIter::Heap(i) => i.size_hint(),
        }
    }
}

impl<'a> IntoIterator for Items<'a> {
    type Item = Item<'a>;
    type IntoIter = IntoIter<'a>;
    fn into_iter(self) -> IntoIter<'a> {
        match self.0 {
            Store::Inline(o) => IntoIter::Inline(o.into_iter()),
            Store::Heap(v) => IntoIter::Heap(v.into_iter()),
        }
    }
}

impl<'b, 'a> IntoIterator for &'b Items<'a> {
    type Item = &'b Item<'a>;
    type IntoIter = std::slice::Iter<'b, Item<'a>>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

#[cfg(test)]
mod tests {
    use super::Items;
    use crate::item::Item;

    fn texts(items: &Items<'_>) -> Vec<String> {
        items.iter().filter_map(Item::value_text).collect()
    }

    /// Every step moves, copies and drops items: keep them small (the
    /// temporal and quantity values are boxed for this; inline they made an
    /// item 112 bytes).
    #[test]
    fn items_stay_small() {
        assert!(std::mem::size_of::<Item<'_>>() <= 56, "{}", std::mem::size_of::<Item<'_>>());
        assert!(std::mem::size_of::<Items<'_>>() <= 56);
    }

    #[test]
    fn grows_from_inline_to_heap_in_order() {
        let mut items = Items::new();
        assert!(items.is_empty());
        items.push(Item::string("a"));
        assert_eq!(texts(&items), ["a"]);
        items.push(Item::string("b"));
        items.extend([Item::string("c")]);
        assert_eq!(texts(&items), ["a", "b", "c"]);
        let back: Items<'_> = items.into_iter().skip(1).collect();
        assert_eq!(texts(&back), ["b", "c"]);
        assert_eq!(back.into_vec().len(), 2);
    }
}
