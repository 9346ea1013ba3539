//! The parsed form of an expression. It owns all its data (no borrowed
//! text) so a compiled expression is `Send + Sync + Clone` and can be cached.

use crate::field_hint::FieldHint;
use crate::value::Value;

/// A type named in `is`, `as`, `ofType`: optional namespace (`FHIR`,
/// `System`) and name.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeSpec {
    pub namespace: Option<String>,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Mul,
    Div,
    IntDiv,
    Mod,
    Add,
    Sub,
    Concat,
    Union,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Equiv,
    Ne,
    NotEquiv,
    In,
    Contains,
    And,
    Or,
    Xor,
    Implies,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `{}`
    Empty,
    Literal(Value),
    /// A path step: `name` on the input (or, with no target, on `$this`),
    /// with the field index it found last time.
    Member(Option<Box<Expr>>, String, FieldHint),
    /// A function call: `target.name(args)` or `name(args)` on `$this`.
    Call(Option<Box<Expr>>, String, Vec<Expr>),
    This,
    Index,
    Total,
    /// `%name`
    Var(String),
    /// `expr[index]`
    Indexer(Box<Expr>, Box<Expr>),
    /// Unary minus (unary plus is dropped by the parser).
    Negate(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Is(Box<Expr>, TypeSpec),
    As(Box<Expr>, TypeSpec),
    /// A sub-expression whose result is the same wherever it is evaluated
    /// within one evaluation, computed once into slot `.0` (see `share`).
    Shared(usize, Box<Expr>),
}

impl Expr {
    /// The type an argument names (`ofType(FHIR.Patient)`), if it is a
    /// plain or qualified identifier.
    pub fn as_type_spec(&self) -> Option<TypeSpec> {
        match self {
            Expr::Member(None, name, _) => Some(TypeSpec {
                namespace: None,
                name: name.clone(),
            }),
            Expr::Member(Some(ns), name, _) => match &**ns {
                Expr::Member(None, ns, _) => Some(TypeSpec {
                    namespace: Some(ns.clone()),
                    name: name.clone(),
                }),
                _ => None,
            },
            _ => None,
        }
    }
}
