//! Error handling for xtask: errors are plain, human-readable messages.
//!
//! xtask is a developer tool whose errors end up on a terminal, so a `String`
//! that says what was being done (and with which file or package) is more useful
//! than an error type hierarchy. [`Context`] adds that "what was being done" part.

use std::fmt::Display;

/// The result type of every fallible xtask function.
pub type Result<T, E = String> = std::result::Result<T, E>;

/// Prefixes an error with a description of the operation that failed.
pub trait Context<T> {
    /// `what` is only evaluated on error, so it may format paths freely.
    fn context<S: Display>(self, what: impl FnOnce() -> S) -> Result<T>;
}

impl<T, E: Display> Context<T> for std::result::Result<T, E> {
    fn context<S: Display>(self, what: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|e| format!("{}: {e}", what()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_prefixes_the_error() {
        let r: std::result::Result<(), &str> = Err("boom");
        assert_eq!(
            r.context(|| "reading x"),
            Err("reading x: boom".to_string())
        );
    }
}
