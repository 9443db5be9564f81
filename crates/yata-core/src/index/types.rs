//! Interning of relationship types as `u16`, for the graph index.

use std::collections::HashMap;

/// Number of distinct relationship types a store can hold: the graph index
/// numbers them with `u16`. Writes that would pass it are rejected first.
pub const MAX_RELATIONSHIP_TYPES: usize = 1 << 16;

/// Maps relationship type names to small integers and back. Names are never
/// removed, so a number stays valid for the life of the index.
#[derive(Debug, Default)]
pub struct TypeInterner {
    names: Vec<Box<str>>,
    lookup: HashMap<Box<str>, u16>,
}

impl TypeInterner {
    /// Returns the number of `name`, assigning the next one if it has none.
    /// The store checks [`MAX_RELATIONSHIP_TYPES`] before a write reaches
    /// this point, so the panic below marks a broken invariant.
    pub fn intern(&mut self, name: &str) -> u16 {
        if let Some(&number) = self.lookup.get(name) {
            return number;
        }
        let number = u16::try_from(self.names.len()).expect("at most 65,536 relationship types");
        self.names.push(name.into());
        self.lookup.insert(name.into(), number);
        number
    }

    pub fn get(&self, name: &str) -> Option<u16> {
        self.lookup.get(name).copied()
    }

    /// Lists the names in number order.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.names.iter().map(|name| &**name)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn name(&self, number: u16) -> &str {
        &self.names[number as usize]
    }

    /// Resolves a type filter. Names never stored match nothing, so they are
    /// dropped; `None` (no filter) stays `None`.
    pub fn resolve(&self, names: Option<&[String]>) -> Option<Vec<u16>> {
        names.map(|names| names.iter().filter_map(|name| self.get(name)).collect())
    }
}
