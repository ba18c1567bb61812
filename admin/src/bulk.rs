//! One decision on any number of comments, and its Undo. The server takes at most
//! [`moderate_max`] ids a request (a cost bound), so a big selection goes in parts, with
//! its progress on the status line; what each comment was before is kept so the whole
//! action can be put back from the status line's Undo.

use std::collections::HashMap;

use colloquy_core::domain::words::count_s as plural;
use colloquy_core::wire::console::{moderate_max, Done, Moderate};
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::moderation::Decision;
use colloquy_core::wire::moderation::ListedStatus;
use colloquy_core::CommentId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ConsoleError};
use crate::context::{Ctx, Undo};

/// Send `decision` on `ids` in parts; how many comments changed.
pub async fn moderate_all(
    ctx: Ctx,
    ids: &[CommentId],
    decision: Decision,
) -> Result<u32, ConsoleError> {
    let mut changed = 0;
    let size = moderate_max(decision);
    for (i, part) in ids.chunks(size).enumerate() {
        if ids.len() > size {
            ctx.status
                .set(format!("Working: {} of {} done…", i * size, ids.len()));
        }
        let moderate = Moderate {
            ids: part.to_vec(),
            decision,
        };
        changed += api::post::<_, Done>(AdminOp::Moderate, &moderate)
            .await?
            .changed;
    }
    Ok(changed)
}

/// What a decision did to `n` comments, as the status line says it.
pub fn decided(decision: Decision, n: u32) -> String {
    if n == 0 {
        return "Nothing changed: those comments were already so.".into();
    }
    let comments = plural(n as usize, "comment");
    match decision {
        Decision::Approve => format!("Approved {comments}."),
        Decision::Spam => format!("Marked {comments} as spam."),
        Decision::Hold => format!("Moved {comments} back to the queue."),
        Decision::Trash => format!("Moved {comments} to the Trash."),
        Decision::Restore => format!("Restored {comments} from the Trash."),
        Decision::Delete => format!("Deleted {comments} for good."),
    }
}

/// The decisions that put `ids` back as they were (`was`: their state before, as the
/// lists name it). A deletion for good has none.
pub fn undo_steps(
    decision: Decision,
    ids: &[CommentId],
    was: &HashMap<CommentId, ListedStatus>,
) -> Undo {
    let steps = match decision {
        Decision::Delete => Vec::new(),
        // Only those it moved: one already in the Trash stays there.
        Decision::Trash => vec![(
            Decision::Restore,
            ids.iter()
                .copied()
                .filter(|id| was.get(id) != Some(&ListedStatus::Trash))
                .collect(),
        )],
        Decision::Restore => vec![(
            Decision::Trash,
            ids.iter()
                .copied()
                .filter(|id| was.get(id) == Some(&ListedStatus::Trash))
                .collect(),
        )],
        Decision::Approve | Decision::Spam | Decision::Hold => {
            let mut back: Vec<(Decision, Vec<CommentId>)> = Vec::new();
            for id in ids {
                let to = match was.get(id) {
                    Some(ListedStatus::Approved) => Decision::Approve,
                    Some(ListedStatus::Pending) => Decision::Hold,
                    Some(ListedStatus::Spam) => Decision::Spam,
                    _ => continue,
                };
                if to == decision {
                    continue;
                }
                match back.iter_mut().find(|(d, _)| *d == to) {
                    Some((_, list)) => list.push(*id),
                    None => back.push((to, vec![*id])),
                }
            }
            back
        }
    };
    Undo {
        steps: steps
            .into_iter()
            .filter(|(_, ids)| !ids.is_empty())
            .collect(),
    }
}

/// Put the last moderation back.
pub fn undo(ctx: Ctx, undo: Undo) {
    ctx.undo.set(None);
    spawn_local(async move {
        let mut n = 0;
        for (decision, ids) in &undo.steps {
            match moderate_all(ctx, ids, *decision).await {
                Ok(changed) => n += changed,
                Err(e) => {
                    ctx.fail(e);
                    ctx.comments_changed();
                    return;
                }
            }
        }
        ctx.done(format!(
            "Undone: {} as they were.",
            plural(n as usize, "comment")
        ));
        ctx.comments_changed();
    });
}
