//! The site owner at the console (`/admin`): who may use it, its settings, and its screens.
//! What moderating does to what readers see is in `moderation`.

mod screens;
mod sessions;
mod settings;
