//! Subgraph pattern matching by backtracking.
//!
//! A [`Pattern`] has variables and edges between them. A match binds every
//! variable to a node so that each pattern edge is an edge of the graph,
//! outgoing from its source variable's node to its target variable's node.
//! Distinct variables bind distinct nodes (subgraph isomorphism, not
//! homomorphism), so a pattern `a -> b` never matches a self loop.

use super::{CancelCheck, Cancelled, GraphView};
use crate::model::Direction;

/// Steps between two calls of the cancel check.
const STEPS_PER_CANCEL_CHECK: u64 = 1024;

/// A pattern variable and the nodes it may bind to.
#[derive(Default)]
pub struct PatternNode<'a> {
    /// The nodes this variable may bind to, in any order. `None` allows any
    /// node, which is then found by following the pattern's edges from a
    /// variable bound earlier.
    pub candidates: Option<Vec<u64>>,
    /// A test every node bound to this variable must pass, applied after `candidates`.
    pub filter: Option<Box<dyn Fn(u64) -> bool + 'a>>,
}

impl<'a> PatternNode<'a> {
    /// Returns a variable that may bind to any node.
    pub fn any() -> Self {
        PatternNode::default()
    }

    /// Returns a variable that may bind only to `candidates`.
    pub fn among(candidates: Vec<u64>) -> Self {
        PatternNode {
            candidates: Some(candidates),
            filter: None,
        }
    }

    /// Returns this variable with `filter` as its test.
    pub fn with_filter(mut self, filter: impl Fn(u64) -> bool + 'a) -> Self {
        self.filter = Some(Box::new(filter));
        self
    }
}

/// A pattern edge: from variable `source` to variable `target` (indexes into
/// the pattern's nodes), of type `rel_type` or of any type when `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatternEdge {
    pub source: usize,
    pub target: usize,
    pub rel_type: Option<u16>,
}

/// The error returned by [`Pattern::new`] for a pattern that cannot be matched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid pattern: {0}")]
pub struct InvalidPattern(pub String);

/// The origin of one variable's candidate nodes.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// From the variable's candidate set: the first variable of each
    /// connected part of the pattern.
    CandidateSet,
    /// From the edges of a variable bound earlier, along pattern edge `edge`.
    Anchor {
        edge: usize,
        bound: usize,
        var_is_target: bool,
    },
}

/// One variable of the binding order, with the pattern edges to verify when binding it.
#[derive(Debug, Clone)]
struct PlanStep {
    var: usize,
    source: Source,
    /// Pattern edges between this variable and earlier ones (or itself),
    /// other than the anchor edge.
    checks: Vec<usize>,
}

/// A validated pattern with its binding order.
pub struct Pattern<'a> {
    nodes: Vec<PatternNode<'a>>,
    edges: Vec<PatternEdge>,
    plan: Vec<PlanStep>,
}

impl<'a> Pattern<'a> {
    /// Validates the pattern and plans the order in which variables are bound.
    ///
    /// The first variable bound is the one with the smallest candidate set.
    /// After it, the next is always an unbound variable with the most edges to
    /// bound ones (ties: smaller candidate set, then lower index), so its
    /// candidates come from a bound node's edges. When no unbound variable is
    /// connected to a bound one, another connected part of the pattern starts
    /// the same way.
    ///
    /// Fails when the pattern has no variables, when an edge names a variable
    /// that does not exist, or when a connected part of the pattern has no
    /// variable with a candidate set (the matcher cannot list every node).
    pub fn new(
        mut nodes: Vec<PatternNode<'a>>,
        edges: Vec<PatternEdge>,
    ) -> Result<Self, InvalidPattern> {
        if nodes.is_empty() {
            return Err(InvalidPattern("the pattern has no variables".to_string()));
        }
        for (index, edge) in edges.iter().enumerate() {
            for var in [edge.source, edge.target] {
                if var >= nodes.len() {
                    return Err(InvalidPattern(format!(
                        "edge {index} refers to variable {var}, but the pattern has {} variables",
                        nodes.len()
                    )));
                }
            }
        }
        for node in &mut nodes {
            if let Some(candidates) = &mut node.candidates {
                candidates.sort_unstable();
                candidates.dedup();
            }
        }
        let plan = plan_order(&nodes, &edges)?;
        Ok(Pattern { nodes, edges, plan })
    }

    /// Returns the variable indexes in the order they are bound, which is the
    /// order that sorts the output of [`match_pattern`].
    pub fn binding_order(&self) -> Vec<usize> {
        self.plan.iter().map(|step| step.var).collect()
    }
}

fn plan_order(
    nodes: &[PatternNode<'_>],
    edges: &[PatternEdge],
) -> Result<Vec<PlanStep>, InvalidPattern> {
    let var_count = nodes.len();
    let candidate_count = |var: usize| nodes[var].candidates.as_ref().map_or(usize::MAX, Vec::len);
    let mut bound = vec![false; var_count];
    let mut plan = Vec::with_capacity(var_count);

    for _ in 0..var_count {
        let links = |var: usize| links_to_bound(edges, &bound, var);
        let connected = (0..var_count)
            .filter(|&var| !bound[var])
            .map(|var| (links(var).count(), var))
            .filter(|&(link_count, _)| link_count > 0)
            .min_by_key(|&(link_count, var)| {
                (std::cmp::Reverse(link_count), candidate_count(var), var)
            });

        let (var, source) = match connected {
            Some((_, var)) => {
                let edge = links(var).next().expect("the variable has a link");
                let var_is_target = edges[edge].target == var;
                let bound_var = if var_is_target {
                    edges[edge].source
                } else {
                    edges[edge].target
                };
                let anchor = Source::Anchor {
                    edge,
                    bound: bound_var,
                    var_is_target,
                };
                (var, anchor)
            }
            None => {
                let seed = (0..var_count)
                    .filter(|&var| !bound[var] && nodes[var].candidates.is_some())
                    .min_by_key(|&var| (candidate_count(var), var));
                let Some(seed) = seed else {
                    let first_unbound = (0..var_count)
                        .find(|&var| !bound[var])
                        .expect("a variable is unbound");
                    return Err(InvalidPattern(format!(
                        "variable {first_unbound} is not connected to any variable with a candidate set; \
                         give one variable of its connected part a candidate set"
                    )));
                };
                (seed, Source::CandidateSet)
            }
        };

        let anchor_edge = match source {
            Source::Anchor { edge, .. } => Some(edge),
            Source::CandidateSet => None,
        };
        let checks = edges
            .iter()
            .enumerate()
            .filter(|&(index, e)| {
                let touches_var = e.source == var || e.target == var;
                let other_side_bound =
                    (e.source == var || bound[e.source]) && (e.target == var || bound[e.target]);
                Some(index) != anchor_edge && touches_var && other_side_bound
            })
            .map(|(index, _)| index)
            .collect();
        bound[var] = true;
        plan.push(PlanStep {
            var,
            source,
            checks,
        });
    }
    Ok(plan)
}

/// Returns the indexes of the edges between `var` and a bound variable, self loops excluded.
fn links_to_bound<'e>(
    edges: &'e [PatternEdge],
    bound: &'e [bool],
    var: usize,
) -> impl Iterator<Item = usize> + 'e {
    edges
        .iter()
        .enumerate()
        .filter(move |(_, e)| {
            (e.source == var && e.target != var && bound[e.target])
                || (e.target == var && e.source != var && bound[e.source])
        })
        .map(|(index, _)| index)
}

/// Returns every match of `pattern` in `graph`, or the first `limit` of them.
///
/// A match is a `Vec` indexed by variable, holding the node bound to each.
/// Matches come in lexicographic order of the bound nodes taken in
/// [`Pattern::binding_order`], so a `limit` always keeps the same ones.
/// Parallel edges do not multiply matches: a pattern edge only requires that
/// at least one graph edge exists. The cancel check is called on the first
/// candidate node tried and then once per 1024.
pub fn match_pattern<G>(
    graph: &G,
    pattern: &Pattern<'_>,
    limit: Option<usize>,
    cancel: CancelCheck<'_>,
) -> Result<Vec<Vec<u64>>, Cancelled>
where
    G: GraphView + ?Sized,
{
    let mut matcher = Matcher {
        graph,
        pattern,
        binding: vec![0; pattern.nodes.len()],
        bound_nodes: Vec::with_capacity(pattern.nodes.len()),
        matches: Vec::new(),
        limit: limit.unwrap_or(usize::MAX),
        steps: 0,
        cancel,
    };
    if matcher.limit > 0 {
        matcher.search(0)?;
    }
    Ok(matcher.matches)
}

struct Matcher<'g, 'p, G: ?Sized> {
    graph: &'g G,
    pattern: &'p Pattern<'p>,
    /// The node bound to each variable; meaningful for bound variables only.
    binding: Vec<u64>,
    /// The nodes bound so far, in plan order.
    bound_nodes: Vec<u64>,
    matches: Vec<Vec<u64>>,
    limit: usize,
    steps: u64,
    cancel: CancelCheck<'g>,
}

impl<G: GraphView + ?Sized> Matcher<'_, '_, G> {
    /// Binds the variable at `position` of the plan and the following ones in
    /// every possible way. Returns `true` once `limit` matches were found.
    fn search(&mut self, position: usize) -> Result<bool, Cancelled> {
        let pattern = self.pattern;
        let Some(step) = pattern.plan.get(position) else {
            self.matches.push(self.binding.clone());
            return Ok(self.matches.len() >= self.limit);
        };
        for node in self.candidates(step) {
            self.steps += 1;
            // Checking on the first step too lets an already expired deadline stop at once.
            if self.steps % STEPS_PER_CANCEL_CHECK == 1 && (self.cancel)() {
                return Err(Cancelled);
            }
            if !self.accepts(step, node) {
                continue;
            }
            self.binding[step.var] = node;
            self.bound_nodes.push(node);
            let limit_reached = self.search(position + 1)?;
            self.bound_nodes.pop();
            if limit_reached {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Returns the nodes to try for `step`'s variable, ascending and distinct.
    fn candidates(&self, step: &PlanStep) -> Vec<u64> {
        match step.source {
            Source::CandidateSet => self.pattern.nodes[step.var]
                .candidates
                .clone()
                .unwrap_or_default(),
            Source::Anchor {
                edge,
                bound,
                var_is_target,
            } => {
                let direction = if var_is_target {
                    Direction::Out
                } else {
                    Direction::In
                };
                let rel_type = self.pattern.edges[edge].rel_type;
                let types = rel_type.as_ref().map(std::slice::from_ref);
                let mut edges = Vec::new();
                self.graph
                    .edges(self.binding[bound], direction, types, &mut edges);
                let mut nodes: Vec<u64> = edges.iter().map(|edge| edge.other).collect();
                nodes.sort_unstable();
                nodes.dedup();
                nodes
            }
        }
    }

    /// Returns whether `node` may bind `step`'s variable given the bindings so far.
    fn accepts(&self, step: &PlanStep, node: u64) -> bool {
        if self.bound_nodes.contains(&node) {
            return false;
        }
        let variable = &self.pattern.nodes[step.var];
        if let Some(candidates) = &variable.candidates {
            if candidates.binary_search(&node).is_err() {
                return false;
            }
        }
        if let Some(filter) = &variable.filter {
            if !filter(node) {
                return false;
            }
        }
        step.checks.iter().all(|&index| {
            let edge = self.pattern.edges[index];
            let end = |var: usize| {
                if var == step.var {
                    node
                } else {
                    self.binding[var]
                }
            };
            self.graph
                .has_edge(end(edge.source), end(edge.target), edge.rel_type)
        })
    }
}
