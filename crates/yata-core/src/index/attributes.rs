//! One shard's attribute indexes: B+Trees from an attribute value to the
//! posting list of local ids whose entity has that value.
//!
//! | index            | key                                   |
//! |------------------|---------------------------------------|
//! | `name`           | name, ASCII-lowercased                |
//! | `type`           | type                                  |
//! | `namespace`      | namespace                             |
//! | `filePath`       | file path (entities without one: none) |
//! | `namespace+type` | namespace, NUL, type                  |
//! | `type+name`      | type, NUL, name ASCII-lowercased      |
//!
//! Names are lowercased in keys so that a case-insensitive name pattern can
//! scan a key range; an exact-name filter rechecks the stored name. Posting
//! lists are sorted and free of duplicates; new entities get increasing local
//! ids, so most inserts append.

use super::btree::{BPlusTree, BTreeConfig, BTreeError, BTreeStats};
use crate::model::Entity;

/// The indexed attributes, in the order of [`Attribute::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attribute {
    Name,
    Type,
    Namespace,
    FilePath,
    NamespaceType,
    TypeName,
}

impl Attribute {
    pub const ALL: [Attribute; 6] = [
        Attribute::Name,
        Attribute::Type,
        Attribute::Namespace,
        Attribute::FilePath,
        Attribute::NamespaceType,
        Attribute::TypeName,
    ];

    /// Returns the index's name, as `explain` and `getIndexStats` report it.
    pub fn label(self) -> &'static str {
        match self {
            Attribute::Name => "name",
            Attribute::Type => "type",
            Attribute::Namespace => "namespace",
            Attribute::FilePath => "filePath",
            Attribute::NamespaceType => "namespace+type",
            Attribute::TypeName => "type+name",
        }
    }

    fn position(self) -> usize {
        self as usize
    }
}

/// Key of the name index for `name`.
pub fn name_key(name: &str) -> Vec<u8> {
    name.to_ascii_lowercase().into_bytes()
}

/// Joins two key parts with a NUL byte, which validated labels never contain.
pub fn composite_key(first: &str, second: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(first.len() + 1 + second.len());
    key.extend_from_slice(first.as_bytes());
    key.push(0);
    key.extend_from_slice(second);
    key
}

fn key_of(attribute: Attribute, entity: &Entity) -> Option<Vec<u8>> {
    match attribute {
        Attribute::Name => Some(name_key(&entity.name)),
        Attribute::Type => Some(entity.entity_type.as_bytes().to_vec()),
        Attribute::Namespace => Some(entity.namespace.as_bytes().to_vec()),
        Attribute::FilePath => entity.file_path.as_ref().map(|p| p.as_bytes().to_vec()),
        Attribute::NamespaceType => Some(composite_key(&entity.namespace, entity.entity_type.as_bytes())),
        Attribute::TypeName => Some(composite_key(&entity.entity_type, &name_key(&entity.name))),
    }
}

type Tree = BPlusTree<Box<[u8]>, Vec<u32>>;

pub struct AttributeIndexes {
    trees: Vec<Tree>,
}

impl AttributeIndexes {
    pub fn new(config: BTreeConfig) -> Self {
        let trees = Attribute::ALL
            .iter()
            .map(|_| Tree::new(config).expect("config validated by the store"))
            .collect();
        AttributeIndexes { trees }
    }

    /// Builds every index at once from `(local id, entity)` pairs: keys are
    /// sorted and grouped, then each tree is bulk-loaded. Cost: O(n log n).
    pub fn build<'a>(config: BTreeConfig, entities: impl Iterator<Item = (u32, &'a Entity)>) -> Self {
        let mut pairs: Vec<Vec<(Vec<u8>, u32)>> = Attribute::ALL.iter().map(|_| Vec::new()).collect();
        for (local, entity) in entities {
            for attribute in Attribute::ALL {
                if let Some(key) = key_of(attribute, entity) {
                    pairs[attribute.position()].push((key, local));
                }
            }
        }

        let mut indexes = AttributeIndexes::new(config);
        for (tree, mut pairs) in indexes.trees.iter_mut().zip(pairs) {
            pairs.sort_unstable();
            pairs.dedup();
            let mut grouped: Vec<(Box<[u8]>, Vec<u32>)> = Vec::new();
            for (key, local) in pairs {
                match grouped.last_mut() {
                    Some((last, postings)) if **last == *key => postings.push(local),
                    _ => grouped.push((key.into_boxed_slice(), vec![local])),
                }
            }
            tree.bulk_load(grouped, 1.0).expect("grouped keys are sorted and unique");
        }
        indexes
    }

    /// Rebuilds the indexes from each attribute's `(key, posting list)`
    /// entries, as [`AttributeIndexes::entries`] listed them: sorted by key,
    /// without duplicates, in the order of [`Attribute::ALL`].
    pub fn from_entries(config: BTreeConfig, entries: Vec<Vec<(Box<[u8]>, Vec<u32>)>>) -> Result<Self, BTreeError> {
        let mut indexes = AttributeIndexes::new(config);
        for (tree, entries) in indexes.trees.iter_mut().zip(entries) {
            tree.bulk_load(entries, 1.0)?;
        }
        Ok(indexes)
    }

    /// Lists `attribute`'s keys and posting lists in key order.
    pub fn entries(&self, attribute: Attribute) -> impl Iterator<Item = (&[u8], &[u32])> + '_ {
        self.trees[attribute.position()].iter().map(|(key, postings)| (&**key, postings.as_slice()))
    }

    pub fn insert(&mut self, local: u32, entity: &Entity) {
        for attribute in Attribute::ALL {
            let Some(key) = key_of(attribute, entity) else { continue };
            let tree = &mut self.trees[attribute.position()];
            let present = match tree.get_mut(key.as_slice()) {
                Some(mut postings) => {
                    if let Err(at) = postings.binary_search(&local) {
                        postings.insert(at, local);
                    }
                    true
                }
                None => false,
            };
            if !present {
                tree.insert(key.into_boxed_slice(), vec![local]);
            }
        }
    }

    pub fn remove(&mut self, local: u32, entity: &Entity) {
        for attribute in Attribute::ALL {
            let Some(key) = key_of(attribute, entity) else { continue };
            let tree = &mut self.trees[attribute.position()];
            let now_empty = match tree.get_mut(key.as_slice()) {
                Some(mut postings) => {
                    if let Ok(at) = postings.binary_search(&local) {
                        postings.remove(at);
                    }
                    postings.is_empty()
                }
                None => false,
            };
            if now_empty {
                tree.remove(key.as_slice());
            }
        }
    }

    /// Returns the posting list of `key` in `attribute`'s index.
    pub fn postings(&self, attribute: Attribute, key: &[u8]) -> &[u32] {
        self.trees[attribute.position()]
            .get(key)
            .map_or(&[], Vec::as_slice)
    }

    /// Calls `visit` with every posting list whose key starts with `prefix`, in key order.
    pub fn for_each_with_prefix(&self, attribute: Attribute, prefix: &[u8], mut visit: impl FnMut(&[u8], &[u32])) {
        let tree = &self.trees[attribute.position()];
        let start: Box<[u8]> = prefix.into();
        for (key, postings) in tree.range(start..) {
            if !key.starts_with(prefix) {
                break;
            }
            visit(key, postings);
        }
    }

    /// Number of distinct keys in `attribute`'s index.
    pub fn key_count(&self, attribute: Attribute) -> usize {
        self.trees[attribute.position()].len()
    }

    pub fn stats(&self) -> Vec<(Attribute, BTreeStats)> {
        Attribute::ALL
            .iter()
            .map(|attribute| (*attribute, self.trees[attribute.position()].stats()))
            .collect()
    }

    /// Rebuilds every tree at full fill, dropping the space that deletes left.
    pub fn compact(&mut self) {
        for tree in &mut self.trees {
            tree.compact();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(name: &str, entity_type: &str, namespace: &str) -> Entity {
        Entity {
            id: name.to_string(),
            entity_type: entity_type.into(),
            name: name.into(),
            namespace: namespace.into(),
            file_path: Some(format!("src/{name}.ts")),
            line: None,
            description: None,
            metadata: "{}".into(),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn build_and_insert_agree() {
        let entities = [
            entity("UserService", "class", "app"),
            entity("userStore", "class", "app"),
            entity("login", "method", "app.auth"),
        ];
        let built = AttributeIndexes::build(BTreeConfig::default(), entities.iter().enumerate().map(|(i, e)| (i as u32, e)));
        let mut inserted = AttributeIndexes::new(BTreeConfig::default());
        for (i, e) in entities.iter().enumerate() {
            inserted.insert(i as u32, e);
        }
        for attribute in Attribute::ALL {
            let mut a = Vec::new();
            built.for_each_with_prefix(attribute, b"", |k, p| a.push((k.to_vec(), p.to_vec())));
            let mut b = Vec::new();
            inserted.for_each_with_prefix(attribute, b"", |k, p| b.push((k.to_vec(), p.to_vec())));
            assert_eq!(a, b, "{}", attribute.label());
        }
        assert_eq!(built.postings(Attribute::Type, b"class"), &[0, 1]);
        assert_eq!(built.postings(Attribute::NamespaceType, &composite_key("app", b"class")), &[0, 1]);
        assert_eq!(built.postings(Attribute::TypeName, &composite_key("method", b"login")), &[2]);
    }

    #[test]
    fn name_prefix_is_case_insensitive() {
        let mut indexes = AttributeIndexes::new(BTreeConfig::default());
        indexes.insert(0, &entity("UserService", "class", "app"));
        indexes.insert(1, &entity("userStore", "class", "app"));
        indexes.insert(2, &entity("login", "method", "app"));
        let mut found = Vec::new();
        indexes.for_each_with_prefix(Attribute::Name, b"user", |_, p| found.extend_from_slice(p));
        found.sort();
        assert_eq!(found, vec![0, 1]);
    }

    #[test]
    fn remove_drops_empty_keys() {
        let mut indexes = AttributeIndexes::new(BTreeConfig::default());
        let e = entity("A", "class", "ns");
        indexes.insert(5, &e);
        indexes.remove(5, &e);
        for attribute in Attribute::ALL {
            assert_eq!(indexes.key_count(attribute), 0);
        }
    }
}
