//! What a caller asks of the coordinator.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Filters of a query; every given filter must hold (AND).
#[derive(Debug, Clone, Default)]
pub struct EntityQuery {
    /// Entity types, any of which matches; empty matches every type.
    pub types: Vec<String>,
    /// Exact namespace.
    pub namespace: Option<String>,
    /// Exact name.
    pub name: Option<String>,
    /// Glob over the name: `*` matches any run of characters and `?` one
    /// character; ASCII letters match case-insensitively.
    pub name_pattern: Option<String>,
    /// Exact file path.
    pub file_path: Option<String>,
    /// Full-text query over name, namespace, description, file path and
    /// metadata text; every word must match.
    pub text: Option<String>,
    pub limit: usize,
    pub offset: usize,
    pub sort_by: SortBy,
    pub sort_order: SortOrder,
    /// Also return the relationships touching the returned entities.
    pub include_relationships: bool,
    /// With `include_relationships`, return only relationships of these types.
    pub relationship_types: Option<Vec<String>>,
    /// Stop with `QueryTimeout` after this long.
    pub timeout: Option<Duration>,
}

/// Sort key of query results. Ties always break by id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Name, ignoring ASCII case.
    #[default]
    Name,
    Id,
    Type,
    Namespace,
    FilePath,
    CreatedAt,
    UpdatedAt,
    /// Full-text score, highest first in `Desc`; needs a text filter.
    Relevance,
}

impl SortBy {
    pub fn parse(value: &str) -> Result<SortBy> {
        Ok(match value {
            "name" => SortBy::Name,
            "id" => SortBy::Id,
            "type" => SortBy::Type,
            "namespace" => SortBy::Namespace,
            "filePath" => SortBy::FilePath,
            "createdAt" => SortBy::CreatedAt,
            "updatedAt" => SortBy::UpdatedAt,
            "relevance" => SortBy::Relevance,
            other => {
                return Err(Error::invalid(
                    "sortBy",
                    other,
                    "must be one of name, id, type, namespace, filePath, createdAt, updatedAt, relevance",
                ))
            }
        })
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

/// A point in time after which work stops with `QueryTimeout`.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Option<Instant>,
    timeout: Duration,
}

impl Deadline {
    pub fn after(timeout: Option<Duration>) -> Deadline {
        Deadline {
            at: timeout.map(|t| Instant::now() + t),
            timeout: timeout.unwrap_or_default(),
        }
    }

    pub fn expired(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }

    /// Fails with `QueryTimeout` once the deadline has passed.
    pub fn check(&self) -> Result<()> {
        if self.expired() {
            Err(Error::QueryTimeout(self.timeout.as_millis() as u64))
        } else {
            Ok(())
        }
    }
}
