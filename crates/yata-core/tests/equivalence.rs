//! Sharding must not change results: the same random graph in a 1-shard and a
//! 5-shard store gives identical reads, traversals, paths and queries, and
//! both agree with a naive breadth-first search over the test's edge list.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use common::*;
use tempfile::TempDir;
use yata_core::{Direction, Entity, EntityQuery, GraphPath, Neighbor, NewEntity, Store, TraversalOptions};

const SEEDS: [u64; 2] = [0x5eed_0001, 0x5eed_0002];
const ENTITIES: usize = 300;
const RELATIONSHIPS: usize = 1200;
const TYPES: [&str; 4] = ["function", "class", "module", "interface"];
const NAMESPACES: [&str; 3] = ["core", "api", "util"];
const NAME_HEADS: [&str; 5] = ["User", "Order", "Auth", "Cache", "Log"];
const NAME_TAILS: [&str; 4] = ["Service", "Repo", "Handler", "Util"];
const WORDS: [&str; 8] = ["fast", "cache", "retry", "order", "ユーザー", "認証", "ログ", "session"];
const REL_TYPES: [&str; 4] = ["calls", "imports", "extends", "uses"];
const DIRECTIONS: [Direction; 3] = [Direction::Out, Direction::In, Direction::Both];

#[derive(Debug, Clone)]
struct Edge {
    id: String,
    source: String,
    target: String,
    rel_type: String,
}

/// One random graph stored twice, plus the test's own copy of it.
struct Fixture {
    _dirs: (TempDir, TempDir),
    single: Store,
    sharded: Store,
    entities: Vec<Entity>,
    edges: Vec<Edge>,
    prng: Prng,
}

impl Fixture {
    fn build(seed: u64) -> Fixture {
        let mut prng = Prng::new(seed);
        let inputs = random_entities(&mut prng);
        let entity_ids: Vec<String> = inputs.iter().map(|e| e.id.clone().unwrap()).collect();
        let edges = random_edges(&mut prng, &entity_ids, seed);

        let single_dir = TempDir::new().unwrap();
        let sharded_dir = TempDir::new().unwrap();
        let single = open(single_dir.path(), 1);
        let sharded = open(sharded_dir.path(), 5);
        let rel_inputs: Vec<_> = edges
            .iter()
            .map(|e| {
                let mut rel = relationship(&e.id, &e.source, &e.target, &e.rel_type);
                rel.created_at = Some(7);
                rel
            })
            .collect();
        for store in [&single, &sharded] {
            store.add_entities(inputs.clone()).unwrap();
            for chunk in rel_inputs.chunks(400) {
                store.add_relationships(chunk.to_vec()).unwrap();
            }
        }

        let entities = all_entities(&single);
        assert_eq!(entities.len(), ENTITIES);
        assert_eq!(all_entities(&sharded), entities, "both stores hold the same entities");
        Fixture {
            _dirs: (single_dir, sharded_dir),
            single,
            sharded,
            entities,
            edges,
            prng,
        }
    }

    fn random_entity_id(&mut self) -> String {
        self.prng.pick(&self.entities).id.clone()
    }

    /// Returns each id reachable from `start` within `max_depth` hops with its distance, `start` included at 0.
    fn distances(&self, start: &str, options: &TraversalOptions, max_depth: u32) -> BTreeMap<String, u32> {
        let mut adjacency: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for edge in self.edges.iter().filter(|e| allows(options, e)) {
            if options.direction.includes_out() {
                adjacency.entry(&edge.source).or_default().push(&edge.target);
            }
            if options.direction.includes_in() {
                adjacency.entry(&edge.target).or_default().push(&edge.source);
            }
        }
        let mut distance = BTreeMap::from([(start.to_string(), 0)]);
        let mut queue = VecDeque::from([start.to_string()]);
        while let Some(current) = queue.pop_front() {
            let depth = distance[&current];
            if depth == max_depth {
                continue;
            }
            for next in adjacency.get(current.as_str()).into_iter().flatten() {
                if !distance.contains_key(*next) {
                    distance.insert(next.to_string(), depth + 1);
                    queue.push_back(next.to_string());
                }
            }
        }
        distance
    }
}

fn random_entities(prng: &mut Prng) -> Vec<NewEntity> {
    (0..ENTITIES)
        .map(|i| {
            let mut name = format!("{}{}", prng.pick(&NAME_HEADS), prng.pick(&NAME_TAILS));
            if prng.chance(20) {
                name = name.to_uppercase();
            } else if prng.chance(20) {
                name = name.to_lowercase();
            }
            let namespace = *prng.pick(&NAMESPACES);
            let mut input = entity(
                &format!("n{:016x}", mix(i as u64)),
                *prng.pick(&TYPES),
                &name,
                namespace,
            );
            if prng.chance(80) {
                let words: Vec<&str> = (0..3).map(|_| *prng.pick(&WORDS)).collect();
                input.description = Some(words.join(" "));
            }
            if prng.chance(70) {
                input.file_path = Some(format!("src/{namespace}/file{}.ts", prng.below(10)));
            }
            input.created_at = Some(1_000 + i as i64);
            input
        })
        .collect()
}

/// Draws edges with about 3% self loops and 10% parallel edges (a repeated pair, usually of another type).
fn random_edges(prng: &mut Prng, entity_ids: &[String], seed: u64) -> Vec<Edge> {
    let mut edges: Vec<Edge> = Vec::with_capacity(RELATIONSHIPS);
    for i in 0..RELATIONSHIPS {
        let (source, target) = if !edges.is_empty() && prng.chance(10) {
            let earlier = prng.pick(&edges);
            (earlier.source.clone(), earlier.target.clone())
        } else if prng.chance(3) {
            let id = prng.pick(entity_ids).clone();
            (id.clone(), id)
        } else {
            (prng.pick(entity_ids).clone(), prng.pick(entity_ids).clone())
        };
        edges.push(Edge {
            id: format!("r{:016x}", mix(seed.rotate_left(17) ^ i as u64)),
            source,
            target,
            rel_type: prng.pick(&REL_TYPES).to_string(),
        });
    }
    let loops = edges.iter().filter(|e| e.source == e.target).count();
    let pairs: BTreeSet<(&str, &str)> = edges.iter().map(|e| (e.source.as_str(), e.target.as_str())).collect();
    assert!(loops >= 10, "the graph has self loops ({loops})");
    assert!(edges.len() - pairs.len() >= 50, "the graph has parallel edges");
    edges
}

fn allows(options: &TraversalOptions, edge: &Edge) -> bool {
    options
        .relationship_types
        .as_ref()
        .is_none_or(|types| types.contains(&edge.rel_type))
}

/// Traversal options for every direction, with and without a relationship-type filter.
fn option_grid() -> Vec<TraversalOptions> {
    let mut grid = Vec::new();
    for direction in DIRECTIONS {
        for types in [
            None,
            Some(vec!["calls".to_string()]),
            Some(vec!["imports".into(), "extends".into()]),
        ] {
            grid.push(TraversalOptions {
                direction,
                relationship_types: types,
                ..TraversalOptions::default()
            });
        }
    }
    grid
}

fn neighbor_rows(found: &[Neighbor]) -> Vec<(String, String, u32)> {
    found
        .iter()
        .map(|n| (n.entity.id.clone(), n.relationship.id.clone(), n.depth))
        .collect()
}

fn path_rows(path: &Option<GraphPath>) -> Option<(Vec<String>, Vec<String>)> {
    path.as_ref().map(|p| {
        (
            p.entities.iter().map(|e| e.id.clone()).collect(),
            p.relationships.iter().map(|r| r.id.clone()).collect(),
        )
    })
}

/// Checks that a relationship can be followed from `from` to `to` under `options`.
fn assert_step(from: &str, to: &str, rel: &yata_core::Relationship, options: &TraversalOptions, context: &str) {
    let forward = rel.source_id == from && rel.target_id == to;
    let backward = rel.target_id == from && rel.source_id == to;
    let follows = (options.direction.includes_out() && forward) || (options.direction.includes_in() && backward);
    assert!(
        follows,
        "{context}: {} does not lead from {from} to {to} going {:?}",
        rel.id, options.direction
    );
    let allowed = options
        .relationship_types
        .as_ref()
        .is_none_or(|t| t.contains(&rel.rel_type));
    assert!(allowed, "{context}: {} has filtered-out type {}", rel.id, rel.rel_type);
}

#[test]
fn relationships_equal() {
    for seed in SEEDS {
        let fixture = Fixture::build(seed);
        for entity in &fixture.entities {
            for direction in DIRECTIONS {
                let single = fixture.single.get_relationships(&entity.id, direction).unwrap();
                let sharded = fixture.sharded.get_relationships(&entity.id, direction).unwrap();
                assert_eq!(single, sharded, "seed {seed:x}: {} {direction:?}", entity.id);

                let expected: BTreeSet<&str> = fixture
                    .edges
                    .iter()
                    .filter(|e| {
                        (direction.includes_out() && e.source == entity.id)
                            || (direction.includes_in() && e.target == entity.id)
                    })
                    .map(|e| e.id.as_str())
                    .collect();
                let got: Vec<&str> = single.iter().map(|r| r.id.as_str()).collect();
                assert_eq!(
                    got.len(),
                    expected.len(),
                    "seed {seed:x}: {} {direction:?} count",
                    entity.id
                );
                assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), expected);
            }
        }
        let single = fixture.single.stats().unwrap();
        let sharded = fixture.sharded.stats().unwrap();
        assert_eq!(single.entity_count, sharded.entity_count);
        assert_eq!(single.relationship_count as usize, RELATIONSHIPS);
        assert_eq!(sharded.relationship_count as usize, RELATIONSHIPS);
        assert_eq!(single.entities_by_type, sharded.entities_by_type);
        assert_eq!(single.relationships_by_type, sharded.relationships_by_type);
    }
}

#[test]
fn neighbors_equal() {
    for seed in SEEDS {
        let mut fixture = Fixture::build(seed);
        let starts: Vec<String> = (0..25).map(|_| fixture.random_entity_id()).collect();
        for start in &starts {
            for options in option_grid() {
                for depth in 1..=3 {
                    let context = format!("seed {seed:x}: {start} depth {depth} {options:?}");
                    let single = fixture.single.neighbors(start, depth, &options).unwrap();
                    let sharded = fixture.sharded.neighbors(start, depth, &options).unwrap();
                    assert_eq!(neighbor_rows(&single), neighbor_rows(&sharded), "{context}");

                    let mut expected = fixture.distances(start, &options, depth);
                    expected.remove(start);
                    let got: BTreeMap<String, u32> = single.iter().map(|n| (n.entity.id.clone(), n.depth)).collect();
                    assert_eq!(got.len(), single.len(), "{context}: an entity is listed twice");
                    assert_eq!(got, expected, "{context}: reference BFS");

                    let mut levels: BTreeMap<String, u32> = expected.clone();
                    levels.insert(start.clone(), 0);
                    for neighbor in &single {
                        let rel = &neighbor.relationship;
                        let other = if rel.source_id == neighbor.entity.id {
                            &rel.target_id
                        } else {
                            &rel.source_id
                        };
                        assert_eq!(
                            levels.get(other),
                            Some(&(neighbor.depth - 1)),
                            "{context}: {} parent level",
                            rel.id
                        );
                        assert_step(other, &neighbor.entity.id, rel, &options, &context);
                    }
                    let order: Vec<(u32, &str)> = single.iter().map(|n| (n.depth, n.entity.id.as_str())).collect();
                    assert!(
                        order.windows(2).all(|w| w[0] < w[1]),
                        "{context}: sorted by depth, then id"
                    );
                }
            }
        }
    }
}

#[test]
fn entity_type_filter_equal() {
    let mut fixture = Fixture::build(SEEDS[0]);
    for _ in 0..20 {
        let start = fixture.random_entity_id();
        let options = TraversalOptions {
            direction: Direction::Both,
            relationship_types: None,
            entity_types: Some(vec!["class".into(), "module".into()]),
            ..TraversalOptions::default()
        };
        let single = fixture.single.neighbors(&start, 2, &options).unwrap();
        let sharded = fixture.sharded.neighbors(&start, 2, &options).unwrap();
        assert_eq!(neighbor_rows(&single), neighbor_rows(&sharded));

        let mut expected = fixture.distances(&start, &options, 2);
        expected.remove(&start);
        let kinds: BTreeMap<&str, &str> = fixture
            .entities
            .iter()
            .map(|e| (e.id.as_str(), e.entity_type.as_str()))
            .collect();
        expected.retain(|id, _| ["class", "module"].contains(&kinds[id.as_str()]));
        let got: BTreeMap<String, u32> = single.iter().map(|n| (n.entity.id.clone(), n.depth)).collect();
        assert_eq!(
            got, expected,
            "{start}: the filter reports only, traversal passes through other types"
        );
    }
}

#[test]
fn paths_equal() {
    for seed in SEEDS {
        let mut fixture = Fixture::build(seed);
        let mut pairs: Vec<(String, String)> = (0..40)
            .map(|_| (fixture.random_entity_id(), fixture.random_entity_id()))
            .collect();
        let same = fixture.random_entity_id();
        pairs.push((same.clone(), same));

        let mut found_lengths = BTreeSet::new();
        let mut misses = 0;
        for (from, to) in &pairs {
            for options in option_grid() {
                let distances = fixture.distances(from, &options, u32::MAX);
                for max_depth in 1..=6 {
                    let context = format!("seed {seed:x}: {from} -> {to} max {max_depth} {options:?}");
                    let single = fixture.single.find_path(from, to, max_depth, &options).unwrap();
                    let sharded = fixture.sharded.find_path(from, to, max_depth, &options).unwrap();
                    assert_eq!(path_rows(&single), path_rows(&sharded), "{context}");

                    let expected = distances.get(to).copied().filter(|d| *d <= max_depth);
                    assert_eq!(
                        single.as_ref().map(|p| p.length() as u32),
                        expected,
                        "{context}: reference BFS"
                    );
                    let Some(path) = single else {
                        misses += 1;
                        continue;
                    };
                    found_lengths.insert(path.length());
                    assert_eq!(path.entities.len(), path.relationships.len() + 1, "{context}");
                    assert_eq!(&path.entities[0].id, from, "{context}: starts at the source");
                    assert_eq!(&path.entities.last().unwrap().id, to, "{context}: ends at the target");
                    for (i, rel) in path.relationships.iter().enumerate() {
                        assert_step(&path.entities[i].id, &path.entities[i + 1].id, rel, &options, &context);
                    }
                }
            }
        }
        assert!(
            misses > 0,
            "seed {seed:x}: some searches find no path within their depth"
        );
        assert!(
            found_lengths.len() >= 3,
            "seed {seed:x}: paths of several lengths: {found_lengths:?}"
        );
    }
}

/// Matches `text` against a glob of `*` and `?`, both lowercased by the caller.
fn glob(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|skip| glob(rest, &text[skip..])),
        Some((p, rest)) => match text.split_first() {
            Some((t, text_rest)) => (*p == '?' || p == t) && glob(rest, text_rest),
            None => false,
        },
    }
}

/// Applies the query's filters naively. For a text filter it keeps every
/// entity whose fields contain each alphanumeric run of the text as a
/// substring, a superset of the full-text index's whole-word matches.
fn reference_matches(query: &EntityQuery, entity: &Entity) -> bool {
    if !query.types.is_empty() && !query.types.contains(&entity.entity_type) {
        return false;
    }
    if query.namespace.as_ref().is_some_and(|ns| *ns != entity.namespace) {
        return false;
    }
    if query.name.as_ref().is_some_and(|name| *name != entity.name) {
        return false;
    }
    if let Some(pattern) = &query.name_pattern {
        let pattern: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
        let name: Vec<char> = entity.name.to_ascii_lowercase().chars().collect();
        if !glob(&pattern, &name) {
            return false;
        }
    }
    if let Some(text) = &query.text {
        let haystack = [
            Some(entity.name.as_str()),
            Some(entity.namespace.as_str()),
            entity.description.as_deref(),
            entity.file_path.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase();
        let mut words = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty());
        if !words.all(|word| haystack.contains(&word.to_lowercase())) {
            return false;
        }
    }
    true
}

fn query_grid() -> Vec<EntityQuery> {
    let base = EntityQuery::default;
    vec![
        base(),
        EntityQuery {
            types: vec!["class".into()],
            ..base()
        },
        EntityQuery {
            types: vec!["function".into(), "module".into()],
            namespace: Some("api".into()),
            ..base()
        },
        EntityQuery {
            name: Some("UserService".into()),
            ..base()
        },
        EntityQuery {
            name_pattern: Some("user*".into()),
            ..base()
        },
        EntityQuery {
            name_pattern: Some("*SERVICE".into()),
            namespace: Some("core".into()),
            ..base()
        },
        EntityQuery {
            name_pattern: Some("?ache*".into()),
            ..base()
        },
        EntityQuery {
            text: Some("cache".into()),
            ..base()
        },
        EntityQuery {
            text: Some("認証 ログ".into()),
            ..base()
        },
        EntityQuery {
            text: Some("FAST src/api".into()),
            types: vec!["function".into(), "class".into()],
            ..base()
        },
        EntityQuery {
            text: Some("nothing-matches-this".into()),
            ..base()
        },
    ]
}

/// Checks a page of a text query against the substring reference: every
/// entity on the page is a reference match, and the page is in sort order.
fn assert_text_page(page: &[&str], total_count: usize, matching: &[&Entity], context: &str) {
    let rank: BTreeMap<&str, usize> = matching.iter().enumerate().map(|(i, e)| (e.id.as_str(), i)).collect();
    let mut previous = None;
    for id in page {
        let position = rank.get(id).copied();
        assert!(
            position.is_some(),
            "{context}: {id} does not contain every word of the text"
        );
        assert!(previous < position, "{context}: {id} is out of sort order");
        previous = position;
    }
    assert!(
        total_count <= matching.len(),
        "{context}: more text matches than substring matches"
    );
}

#[test]
fn queries_equal() {
    const PAGES: [(usize, usize); 7] = [(0, 10), (5, 7), (0, 1000), (37, 25), (0, 0), (290, 20), (10_000, 5)];
    for seed in SEEDS {
        let fixture = Fixture::build(seed);
        let mut sorted = fixture.entities.clone();
        // The coordinator sorts by name ignoring ASCII case, then by id.
        sorted.sort_by(|a, b| (a.name.to_ascii_lowercase(), &a.id).cmp(&(b.name.to_ascii_lowercase(), &b.id)));

        for filters in query_grid() {
            let matching: Vec<&Entity> = sorted.iter().filter(|e| reference_matches(&filters, e)).collect();
            for (offset, limit) in PAGES {
                let query = EntityQuery {
                    offset,
                    limit,
                    ..filters.clone()
                };
                let context = format!("seed {seed:x}: {query:?}");
                let single = fixture.single.query(&query).unwrap();
                let sharded = fixture.sharded.query(&query).unwrap();
                let single_ids: Vec<&str> = single.entities.iter().map(|e| e.id.as_str()).collect();
                let sharded_ids: Vec<&str> = sharded.entities.iter().map(|e| e.id.as_str()).collect();
                assert_eq!(single_ids, sharded_ids, "{context}");
                assert_eq!(single.total_count, sharded.total_count, "{context}");
                assert_eq!(single.has_more, sharded.has_more, "{context}");
                if filters.text.is_some() {
                    // Full-text matching is by words, which the text index's own
                    // tests cover; the substring reference models only the
                    // attribute filters.
                    continue;
                }

                if filters.text.is_some() {
                    assert_text_page(&single_ids, single.total_count, &matching, &context);
                    if offset == 0 && limit > 0 && filters.text.as_deref() != Some("nothing-matches-this") {
                        assert!(single.total_count > 0, "{context}: the text matches some entities");
                    }
                    continue;
                }

                let expected: Vec<&str> = matching
                    .iter()
                    .skip(offset)
                    .take(limit)
                    .map(|e| e.id.as_str())
                    .collect();
                assert_eq!(single_ids, expected, "{context}: reference filter");
                assert_eq!(single.total_count, matching.len(), "{context}: total count");
                assert_eq!(
                    single.has_more,
                    offset + expected.len() < matching.len(),
                    "{context}: has_more"
                );
            }
        }
        let all = fixture
            .single
            .query(&EntityQuery {
                limit: 1000,
                ..EntityQuery::default()
            })
            .unwrap();
        assert_eq!(all.total_count, ENTITIES);
        let patterned = query_grid().iter().filter(|q| q.name_pattern.is_some()).count();
        assert!(patterned > 0);
    }
}

#[test]
fn query_relationships_equal() {
    let fixture = Fixture::build(SEEDS[1]);
    for types in [None, Some(vec!["calls".to_string(), "uses".to_string()])] {
        let query = EntityQuery {
            namespace: Some("api".into()),
            limit: 15,
            offset: 3,
            include_relationships: true,
            relationship_types: types.clone(),
            ..EntityQuery::default()
        };
        let single = fixture.single.query(&query).unwrap();
        let sharded = fixture.sharded.query(&query).unwrap();
        assert_eq!(
            rel_ids(&single.relationships),
            rel_ids(&sharded.relationships),
            "{types:?}"
        );

        let page: BTreeSet<&str> = single.entities.iter().map(|e| e.id.as_str()).collect();
        let expected: Vec<String> = fixture
            .edges
            .iter()
            .filter(|e| page.contains(e.source.as_str()) || page.contains(e.target.as_str()))
            .filter(|e| types.as_ref().is_none_or(|t| t.contains(&e.rel_type)))
            .map(|e| e.id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(
            rel_ids(&single.relationships),
            expected,
            "{types:?}: relationships touching the page"
        );
        assert_eq!(
            single.relationships.len(),
            expected.len(),
            "{types:?}: each relationship once"
        );
    }
}
