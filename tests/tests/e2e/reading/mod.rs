//! A reader reading a thread: its pages through the API and the server-rendered views, the
//! first paint before (and without) the wasm, and the widget in Chromium.

mod first_paint;
mod threads;
mod views;
mod widget;
