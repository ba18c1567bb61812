//! Building the reply tree from a flat, oldest-first list of comments.
//!
//! The API sends threads flat (each comment names its parent) because that is how they are
//! stored and how they page; the tree is built where it is shown.

use std::collections::{HashMap, HashSet};

use crate::wire::api::{CommentId, PublicComment, Sort};

/// Where a page of top-level comments ends: the sort key of its last comment (creation
/// time, or likes for [`Sort::Liked`]) and its id, which breaks ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CursorPos {
    pub key: i64,
    pub id: i64,
}

impl CursorPos {
    /// An opaque-looking but plain cursor, e.g. `o1700000000000.42`; the leading letter
    /// pins the sort so a cursor is never applied to another order.
    pub fn encode(self, sort: Sort) -> String {
        format!("{}{}.{}", &sort.as_str()[..1], self.key, self.id)
    }

    pub fn decode(cursor: &str, sort: Sort) -> Option<CursorPos> {
        let rest = cursor.strip_prefix(&sort.as_str()[..1])?;
        let (key, id) = rest.split_once('.')?;
        Some(CursorPos {
            key: key.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// Like [`children_index`], but nesting stops at `max_depth` levels: a node on the last
/// level lists its whole remaining subtree, oldest first, so deep conversations stay
/// readable on a phone. Callers label those flattened replies "in reply to …".
pub fn children_index_capped(
    comments: &[PublicComment],
    max_depth: usize,
) -> HashMap<Option<CommentId>, Vec<CommentId>> {
    let full = children_index(comments);
    let max_depth = max_depth.max(1);
    let mut capped: HashMap<Option<CommentId>, Vec<CommentId>> = HashMap::new();
    // Walk from the top; `depth` of a node's children is its own depth + 1.
    let mut stack: Vec<(Option<CommentId>, usize)> = vec![(None, 0)];
    while let Some((parent, depth)) = stack.pop() {
        let Some(kids) = full.get(&parent) else {
            continue;
        };
        if depth + 1 < max_depth || parent.is_none() {
            capped.insert(parent, kids.clone());
            stack.extend(kids.iter().map(|k| (Some(*k), depth + 1)));
        } else {
            // Flatten the rest of the subtree under this node, in id (= time) order.
            let mut flat = Vec::new();
            let mut todo: Vec<CommentId> = kids.clone();
            while let Some(id) = todo.pop() {
                flat.push(id);
                if let Some(grand) = full.get(&Some(id)) {
                    todo.extend(grand.iter().copied());
                }
            }
            flat.sort();
            capped.insert(parent, flat);
        }
    }
    capped
}

/// One comment with the replies that answer it, oldest first at every level.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub comment: PublicComment,
    pub replies: Vec<Node>,
}

/// Replies by parent: `None` lists the top-level comments. Siblings keep the input order
/// (oldest first). A reply whose parent is not in the list (hidden by moderation, say)
/// is listed at the top level rather than disappearing.
pub fn children_index(comments: &[PublicComment]) -> HashMap<Option<CommentId>, Vec<CommentId>> {
    let present: HashSet<CommentId> = comments.iter().map(|c| c.id).collect();
    let mut children: HashMap<Option<CommentId>, Vec<CommentId>> = HashMap::new();
    for c in comments {
        let parent = c.parent_id.filter(|p| present.contains(p) && *p != c.id);
        children.entry(parent).or_default().push(c.id);
    }
    children
}

/// Drop deleted comments that no visible reply hangs under: "[deleted]" is only worth
/// showing to keep a conversation's shape. Works bottom-up, so a deleted reply to a deleted
/// comment disappears together with it.
pub fn prune_deleted(comments: Vec<PublicComment>) -> Vec<PublicComment> {
    let mut keep: HashSet<CommentId> = comments
        .iter()
        .filter(|c| !c.deleted)
        .map(|c| c.id)
        .collect();
    // Ids grow from parent to reply, so newest-first visits every reply before its parent.
    let mut newest_first: Vec<&PublicComment> = comments.iter().collect();
    newest_first.sort_by_key(|c| std::cmp::Reverse(c.id));
    for c in newest_first {
        if keep.contains(&c.id) {
            if let Some(p) = c.parent_id {
                keep.insert(p);
            }
        }
    }
    comments
        .into_iter()
        .filter(|c| keep.contains(&c.id))
        .collect()
}

/// Arrange `comments` into trees, following [`children_index`].
pub fn build_tree(comments: &[PublicComment]) -> Vec<Node> {
    let by_id: HashMap<CommentId, &PublicComment> = comments.iter().map(|c| (c.id, c)).collect();
    let children = children_index(comments);
    // Recursion depth is bounded by reply depth; a cycle is impossible because a parent
    // must exist before its reply (ids only grow) and self-parenting is filtered above.
    fn attach(
        parent: Option<CommentId>,
        children: &HashMap<Option<CommentId>, Vec<CommentId>>,
        by_id: &HashMap<CommentId, &PublicComment>,
    ) -> Vec<Node> {
        children
            .get(&parent)
            .into_iter()
            .flatten()
            .map(|id| Node {
                comment: by_id[id].clone(),
                replies: attach(Some(*id), children, by_id),
            })
            .collect()
    }
    attach(None, &children, &by_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, parent: Option<i64>) -> PublicComment {
        PublicComment {
            id: CommentId(id),
            parent_id: parent.map(CommentId),
            author: format!("a{id}"),
            website: None,
            body_html: String::new(),
            created_at: String::new(),
            edited_at: None,
            deleted: false,
            avatar: String::new(),
            root_id: None,
            likes: 0,
            descendants: 0,
            owner: false,
            pending: false,
            gravatar: None,
            pinned: false,
        }
    }

    fn gone(id: i64, parent: Option<i64>) -> PublicComment {
        PublicComment {
            deleted: true,
            ..c(id, parent)
        }
    }

    #[test]
    fn deleted_comments_stay_only_while_visible_replies_hang_under_them() {
        let list = vec![
            gone(1, None),
            c(2, Some(1)),
            gone(3, None),
            gone(4, Some(3)),
            c(5, None),
            gone(6, Some(5)),
        ];
        let kept: Vec<i64> = prune_deleted(list).iter().map(|c| c.id.0).collect();
        assert_eq!(kept, vec![1, 2, 5]);
    }

    fn shape(nodes: &[Node]) -> String {
        nodes
            .iter()
            .map(|n| {
                if n.replies.is_empty() {
                    n.comment.id.to_string()
                } else {
                    format!("{}({})", n.comment.id, shape(&n.replies))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn replies_nest_under_their_parents_in_order() {
        let list = [
            c(1, None),
            c(2, Some(1)),
            c(3, None),
            c(4, Some(2)),
            c(5, Some(1)),
        ];
        assert_eq!(shape(&build_tree(&list)), "1(2(4) 5) 3");
    }

    #[test]
    fn nesting_stops_at_the_maximum_depth_and_flattens_the_rest() {
        // 1 > 2 > 3 > 4 > 5, and 6 replies to 3.
        let list = [
            c(1, None),
            c(2, Some(1)),
            c(3, Some(2)),
            c(4, Some(3)),
            c(5, Some(4)),
            c(6, Some(3)),
        ];
        let capped = children_index_capped(&list, 3);
        let ids = |p: Option<i64>| capped.get(&p.map(CommentId)).cloned().unwrap_or_default();
        assert_eq!(ids(None), vec![CommentId(1)]);
        assert_eq!(ids(Some(1)), vec![CommentId(2)]);
        // Level 3 is the last: 3 sits there, and its replies 4, 5, 6 join it on that
        // level in time order instead of nesting deeper.
        assert_eq!(
            ids(Some(2)),
            vec![CommentId(3), CommentId(4), CommentId(5), CommentId(6)]
        );
        assert!(ids(Some(3)).is_empty() && ids(Some(4)).is_empty());
        // A generous maximum changes nothing.
        assert_eq!(children_index_capped(&list, 10), children_index(&list));
    }

    #[test]
    fn cursors_round_trip_and_refuse_another_sort() {
        let pos = CursorPos {
            key: 1_700_000_000_000,
            id: 42,
        };
        let text = pos.encode(Sort::Oldest);
        assert_eq!(text, "o1700000000000.42");
        assert_eq!(CursorPos::decode(&text, Sort::Oldest), Some(pos));
        assert_eq!(CursorPos::decode(&text, Sort::Newest), None);
        assert_eq!(CursorPos::decode("o12", Sort::Oldest), None);
        assert_eq!(CursorPos::decode("lx.1", Sort::Liked), None);
    }

    #[test]
    fn orphans_are_shown_at_the_top_level() {
        let list = [c(1, None), c(7, Some(99))];
        assert_eq!(shape(&build_tree(&list)), "1 7");
    }

    #[test]
    fn a_self_parented_comment_does_not_vanish() {
        assert_eq!(shape(&build_tree(&[c(3, Some(3))])), "3");
    }

    #[test]
    fn an_empty_thread_has_no_nodes() {
        assert!(build_tree(&[]).is_empty());
    }
}
