//! A reader writing: posting and replying, the mistakes a form can hold, drafts that
//! survive, their own comments during the edit window, and retried posts.

mod drafts;
mod mistakes;
mod own_comments;
mod posting;
mod retries;
