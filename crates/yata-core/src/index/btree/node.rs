//! Node types and the arena that owns them.

use std::borrow::Borrow;

/// Index of a node in its tree's arena.
pub(super) type NodeId = u32;

/// A leaf: entries in strictly ascending key order, linked to the leaves
/// before and after it in key order.
pub(super) struct Leaf<K, V> {
    pub(super) keys: Vec<K>,
    pub(super) values: Vec<V>,
    /// Sum of the entries' charges, as defined in `budget`.
    pub(super) load: u64,
    pub(super) prev: Option<NodeId>,
    pub(super) next: Option<NodeId>,
}

impl<K, V> Leaf<K, V> {
    pub(super) fn empty() -> Self {
        Leaf {
            keys: Vec::new(),
            values: Vec::new(),
            load: 0,
            prev: None,
            next: None,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Binary search for `key`: `Ok(index)` when present, else `Err(index)`
    /// where it would be inserted.
    pub(super) fn search<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.keys.binary_search_by(|probe| probe.borrow().cmp(key))
    }
}

/// An internal node. `children.len() == keys.len() + 1`, and every key
/// stored under `children[i]` is `>= keys[i - 1]` and `< keys[i]`.
pub(super) struct Internal<K> {
    pub(super) keys: Vec<K>,
    pub(super) children: Vec<NodeId>,
}

impl<K> Internal<K> {
    /// Position of the child whose key interval contains `key`.
    pub(super) fn child_index<Q>(&self, key: &Q) -> usize
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.keys
            .partition_point(|separator| separator.borrow() <= key)
    }
}

pub(super) enum Node<K, V> {
    Leaf(Leaf<K, V>),
    Internal(Internal<K>),
    /// A released slot, listed in `Arena::free`.
    Free,
}

/// All nodes of a tree in one `Vec`, with released slots reused before the
/// `Vec` grows.
pub(super) struct Arena<K, V> {
    pub(super) nodes: Vec<Node<K, V>>,
    pub(super) free: Vec<NodeId>,
}

impl<K, V> Arena<K, V> {
    pub(super) fn new() -> Self {
        Arena {
            nodes: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Stores `node` in a free slot, or a new one, and returns its id.
    ///
    /// # Panics
    ///
    /// Panics if the arena would need more than `u32::MAX` slots.
    pub(super) fn alloc(&mut self, node: Node<K, V>) -> NodeId {
        if let Some(id) = self.free.pop() {
            self.nodes[id as usize] = node;
            return id;
        }
        let id = NodeId::try_from(self.nodes.len())
            .expect("B+Tree arena is full: node ids are u32, so at most u32::MAX nodes fit");
        self.nodes.push(node);
        id
    }

    /// Moves the node out and puts its slot on the free list.
    pub(super) fn take(&mut self, id: NodeId) -> Node<K, V> {
        self.free.push(id);
        std::mem::replace(&mut self.nodes[id as usize], Node::Free)
    }

    /// Drops the node and puts its slot on the free list.
    pub(super) fn release(&mut self, id: NodeId) {
        drop(self.take(id));
    }

    /// Removes free slots at the end of the `Vec` instead of keeping them
    /// for reuse.
    pub(super) fn trim_free_tail(&mut self) {
        while let Some(Node::Free) = self.nodes.last() {
            let last = (self.nodes.len() - 1) as NodeId;
            self.nodes.pop();
            self.free.retain(|&id| id != last);
        }
    }

    /// Number of slots in use.
    pub(super) fn live(&self) -> usize {
        self.nodes.len() - self.free.len()
    }

    pub(super) fn node(&self, id: NodeId) -> &Node<K, V> {
        &self.nodes[id as usize]
    }

    pub(super) fn node_mut(&mut self, id: NodeId) -> &mut Node<K, V> {
        &mut self.nodes[id as usize]
    }

    pub(super) fn leaf(&self, id: NodeId) -> &Leaf<K, V> {
        match self.node(id) {
            Node::Leaf(leaf) => leaf,
            _ => panic!("B+Tree node {id} is not a leaf"),
        }
    }

    pub(super) fn leaf_mut(&mut self, id: NodeId) -> &mut Leaf<K, V> {
        match self.node_mut(id) {
            Node::Leaf(leaf) => leaf,
            _ => panic!("B+Tree node {id} is not a leaf"),
        }
    }

    pub(super) fn internal(&self, id: NodeId) -> &Internal<K> {
        match self.node(id) {
            Node::Internal(node) => node,
            _ => panic!("B+Tree node {id} is not an internal node"),
        }
    }

    pub(super) fn internal_mut(&mut self, id: NodeId) -> &mut Internal<K> {
        match self.node_mut(id) {
            Node::Internal(node) => node,
            _ => panic!("B+Tree node {id} is not an internal node"),
        }
    }

    /// Mutable access to two distinct nodes at once.
    pub(super) fn pair_mut(&mut self, first: NodeId, second: NodeId) -> [&mut Node<K, V>; 2] {
        self.nodes
            .get_disjoint_mut([first as usize, second as usize])
            .expect("B+Tree sibling ids are distinct and in bounds")
    }

    /// Mutable access to two distinct leaves at once.
    pub(super) fn leaf_pair_mut(
        &mut self,
        first: NodeId,
        second: NodeId,
    ) -> (&mut Leaf<K, V>, &mut Leaf<K, V>) {
        match self.pair_mut(first, second) {
            [Node::Leaf(a), Node::Leaf(b)] => (a, b),
            _ => panic!("B+Tree nodes {first} and {second} are not both leaves"),
        }
    }

    /// Id of the leaf under `id` whose key interval contains `key`.
    pub(super) fn find_leaf<Q>(&self, mut id: NodeId, key: &Q) -> NodeId
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        while let Node::Internal(node) = self.node(id) {
            id = node.children[node.child_index(key)];
        }
        id
    }

    /// Id of the leftmost leaf under `id`.
    pub(super) fn leftmost_leaf(&self, mut id: NodeId) -> NodeId {
        while let Node::Internal(node) = self.node(id) {
            id = node.children[0];
        }
        id
    }

    /// Id of the rightmost leaf under `id`.
    pub(super) fn rightmost_leaf(&self, mut id: NodeId) -> NodeId {
        while let Node::Internal(node) = self.node(id) {
            id = *node.children.last().expect("an internal node has children");
        }
        id
    }
}
