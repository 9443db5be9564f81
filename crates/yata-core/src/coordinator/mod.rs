//! The query coordinator: plans a filter query per shard, runs the shards'
//! steps in parallel, and merges their results into one sorted page.
//!
//! Pipeline: [`plan`] picks, for each shard, the index whose posting lists
//! give the fewest candidates (or a scan when no filter has an index) →
//! [`execute`] intersects the candidates with every other filter's postings,
//! sorts the matches and keeps the first `offset + limit` → the coordinator
//! merges the shards' lists, pages, and reads only the page's records.

mod execute;
mod plan;
mod spec;

pub use execute::{Cursor, QueryOutput, SearchHit};
pub use plan::{PlanStep, QueryPlan};
pub use spec::{Deadline, EntityQuery, SortBy, SortOrder};
