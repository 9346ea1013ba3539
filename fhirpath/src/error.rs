//! Errors of parsing and evaluation, classified the way the FHIRPath test
//! suite classifies invalid expressions (syntax / semantic / execution), so a
//! caller can tell a broken invariant text from a data problem.

use std::fmt;

/// Which stage rejected the expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text is not a FHIRPath expression (lexer or parser).
    Syntax,
    /// The expression is well formed but meaningless: an unknown function,
    /// a wrong number of arguments, a path that no type has.
    Semantic,
    /// Evaluation failed on this data: a collection where a single item is
    /// required, operands of incompatible types, ...
    Execution,
    /// A feature this engine does not implement (terminology services,
    /// profiles).
    Unsupported,
}

/// A FHIRPath error with its kind and a human-readable message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub(crate) fn syntax(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Syntax,
            message: message.into(),
        }
    }
    pub(crate) fn semantic(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Semantic,
            message: message.into(),
        }
    }
    pub(crate) fn execution(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Execution,
            message: message.into(),
        }
    }
    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Unsupported,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ErrorKind::Syntax => "syntax error",
            ErrorKind::Semantic => "semantic error",
            ErrorKind::Execution => "evaluation error",
            ErrorKind::Unsupported => "unsupported",
        };
        write!(f, "{kind}: {}", self.message)
    }
}

impl std::error::Error for Error {}
