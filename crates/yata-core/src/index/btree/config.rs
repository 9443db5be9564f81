//! Tree configuration and the errors of this module.

/// Page size and fanout of a tree.
///
/// `fanout` is the maximum number of children of an internal node and of
/// entries in a leaf. `page_size` is the byte budget of a leaf. The module
/// documentation gives the rule that combines the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BTreeConfig {
    /// Byte budget of one leaf, compared with the weigher's estimates.
    pub page_size: usize,
    /// Maximum children of an internal node and maximum entries of a leaf.
    pub fanout: usize,
}

impl BTreeConfig {
    pub const DEFAULT_PAGE_SIZE: usize = 4096;
    pub const DEFAULT_FANOUT: usize = 128;
    /// Smallest accepted page size: a quarter page (the largest charge of one
    /// entry) must still hold a short key and value.
    pub const MIN_PAGE_SIZE: usize = 256;
    /// Largest accepted page size. With `MAX_FANOUT` it keeps the leaf load
    /// arithmetic (`page_size * fanout` per leaf) far below `u64::MAX`.
    pub const MAX_PAGE_SIZE: usize = 1 << 24;
    /// Smallest accepted fanout. From 4 up, one slot (`page_size / fanout`)
    /// is never larger than the quarter-page cap on an entry's charge.
    pub const MIN_FANOUT: usize = 4;
    /// Largest accepted fanout, for the same arithmetic bound as `MAX_PAGE_SIZE`.
    pub const MAX_FANOUT: usize = 1 << 16;

    /// Checks both fields against their accepted ranges.
    pub fn validate(&self) -> Result<(), BTreeError> {
        check_range(
            "page_size",
            self.page_size,
            Self::MIN_PAGE_SIZE,
            Self::MAX_PAGE_SIZE,
        )?;
        check_range("fanout", self.fanout, Self::MIN_FANOUT, Self::MAX_FANOUT)
    }
}

impl Default for BTreeConfig {
    fn default() -> Self {
        BTreeConfig {
            page_size: Self::DEFAULT_PAGE_SIZE,
            fanout: Self::DEFAULT_FANOUT,
        }
    }
}

fn check_range(
    field: &'static str,
    value: usize,
    min: usize,
    max: usize,
) -> Result<(), BTreeError> {
    if (min..=max).contains(&value) {
        return Ok(());
    }
    Err(BTreeError::InvalidConfig {
        field,
        value,
        reason: format!("expected a value from {min} to {max}"),
    })
}

/// An error from configuring or bulk-loading a tree.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BTreeError {
    /// A [`BTreeConfig`] field is outside its accepted range.
    #[error("invalid B+Tree {field} {value}: {reason}")]
    InvalidConfig {
        field: &'static str,
        value: usize,
        reason: String,
    },

    /// The fill factor given to [`BPlusTree::bulk_load`](super::BPlusTree::bulk_load)
    /// is outside `0.5..=1.0` or not a number.
    #[error("invalid bulk-load fill factor {0}: expected a value from 0.5 to 1.0")]
    InvalidFillFactor(f64),

    /// A bulk-load item has a smaller key than the item before it.
    /// `position` counts items from 0.
    #[error("bulk-load input is not sorted: item {position} has a smaller key than the item before it; sort the input by key")]
    UnsortedInput { position: usize },

    /// A bulk-load item has the same key as the item before it.
    /// `position` counts items from 0.
    #[error(
        "bulk-load input has a duplicate key at item {position}; remove duplicates before loading"
    )]
    DuplicateKey { position: usize },
}
