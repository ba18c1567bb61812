//! Safety: hostile input, rate limits, bots, who may write, and what is published and
//! stored about people.

mod bots;
mod guards;
mod hostile_input;
mod limits;
mod privacy;
