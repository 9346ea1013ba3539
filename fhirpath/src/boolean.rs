//! Evaluation to a boolean: what invariants, the logical operators and the
//! criteria of `where`, `all` and `exists` need from an expression.
//!
//! [`Env::eval_bool`] is `to_bool(eval(e))`, the singleton-boolean rule over
//! the result, but computes the common shapes of invariants without building
//! their collections: `and`/`or`/`xor`/`implies`, `not()`, `exists()` /
//! `empty()` (on a path step they only look for one item), `=`/`!=` with
//! a string literal on the right, and `matches()`, `startsWith()`, `endsWith()`,
//! `contains()` with a literal argument.
//! Every other expression is evaluated as a collection and converted.

use std::ops::ControlFlow;

use crate::ast::{BinOp, Expr};
use crate::compare::equals;
use crate::error::Error;
use crate::eval::{to_bool, Env};
use crate::functions::{self, regex_matches};
use crate::item::Item;
use crate::items::Items;
use crate::value::Value;

impl<'a> Env<'_, 'a> {
    /// `to_bool(eval(e, input))`: empty gives `None`, a single Boolean its
    /// value, any other single item `true`, several items an error.
    pub(crate) fn eval_bool(
        &mut self,
        e: &Expr,
        input: &[Item<'a>],
    ) -> Result<Option<bool>, Error> {
        match e {
            Expr::Binary(op @ (BinOp::Eq | BinOp::Ne), l, r) => {
                let equal = match &**r {
                    Expr::Literal(Value::String(text)) => self.equals_text(l, text, input)?,
                    // Two sides that are always one Boolean each compare
                    // as booleans, without a collection for either.
                    _ if always_one_boolean(l) && always_one_boolean(r) => {
                        let a = self.scoped_bool(l, input)?;
                        let b = self.scoped_bool(r, input)?;
                        a.zip(b).map(|(a, b)| a == b)
                    }
                    _ => return to_bool(&self.eval(e, input)?),
                };
                Ok(if *op == BinOp::Eq {
                    equal
                } else {
                    equal.map(|e| !e)
                })
            }
            Expr::Binary(op, l, r) => match self.logical(*op, l, r, input)? {
                Some(result) => Ok(result),
                None => to_bool(&self.eval(e, input)?),
            },
            Expr::Call(target, name, args)
                if matches!(
                    name.as_str(),
                    "matches" | "matchesFull" | "startsWith" | "endsWith" | "contains"
                ) =>
            {
                match args.as_slice() {
                    [Expr::Literal(Value::String(literal))] => {
                        self.string_test(target.as_deref(), name, literal, args, input)
                    }
                    _ => to_bool(&self.eval(e, input)?),
                }
            }
            Expr::Call(target, name, args) if args.is_empty() => match name.as_str() {
                // Both always give one Boolean.
                "exists" => Ok(Some(self.any(target.as_deref(), input)?)),
                "empty" => Ok(Some(!self.any(target.as_deref(), input)?)),
                // `not()` applies the same singleton rule to its input.
                "not" => Ok(match target {
                    Some(t) => self.eval_bool(t, input)?,
                    None => to_bool(input)?,
                }
                .map(|b| !b)),
                _ => to_bool(&self.eval(e, input)?),
            },
            _ => to_bool(&self.eval(e, input)?),
        }
    }

    /// [`Env::eval_bool`] in its own scope for `defineVariable`, like
    /// [`Env::scoped`].
    pub(crate) fn scoped_bool(
        &mut self,
        e: &Expr,
        input: &[Item<'a>],
    ) -> Result<Option<bool>, Error> {
        let mark = self.defined.len();
        let r = self.eval_bool(e, input);
        self.defined.truncate(mark);
        r
    }

    /// `l = 'text'` (`code = 'Reference'`, `max = '*'`): compared in place,
    /// without a collection for the literal or the result. As `=`: empty
    /// when `l` is, false when it has several items, else [`equals`].
    fn equals_text(
        &mut self,
        l: &Expr,
        text: &str,
        input: &[Item<'a>],
    ) -> Result<Option<bool>, Error> {
        // `$this = '*'` (eld-3) compares the input itself.
        let owned;
        let items = match l {
            Expr::This => input,
            _ => {
                owned = self.scoped(l, input)?;
                owned.as_slice()
            }
        };
        Ok(match items {
            [] => None,
            [one] => match one.string_text() {
                Some(t) => Some(t == text),
                None => equals(one, &Item::string(text)),
            },
            _ => Some(false),
        })
    }

    /// `s.matches('pattern')` (eld-19 and eld-20 on every ElementDefinition's
    /// path), `s.startsWith('text')`, `endsWith`, `contains` (sdf-9's
    /// `path.contains('.')` per element): the string read in place and the
    /// literal borrowed, without the copies of both and the result
    /// collection of the function call. Any input but one string (several
    /// items, an element, a number) goes through the function itself, for
    /// its result or error.
    fn string_test(
        &mut self,
        target: Option<&Expr>,
        name: &str,
        literal: &str,
        args: &[Expr],
        input: &[Item<'a>],
    ) -> Result<Option<bool>, Error> {
        let items = match target {
            Some(t) => self.eval(t, input)?,
            None => Items::from(input),
        };
        match items.as_slice() {
            [] => return Ok(None),
            [one] => {
                if let Some(text) = one.string_text() {
                    return Ok(Some(match name {
                        "startsWith" => text.starts_with(literal),
                        "endsWith" => text.ends_with(literal),
                        "contains" => text.contains(literal),
                        _ => regex_matches(&text, literal, name == "matchesFull")?,
                    }));
                }
            }
            _ => {}
        }
        to_bool(&functions::call(self, name, items, args, input)?)
    }

    /// Whether `target` (the input itself when `None`) gives any item: the
    /// input of `exists()` and `empty()`. A path step only counts its items,
    /// stopping at the first, with the same errors as when it collects them.
    pub(crate) fn any(&mut self, target: Option<&Expr>, input: &[Item<'a>]) -> Result<bool, Error> {
        match target {
            None => Ok(!input.is_empty()),
            Some(Expr::Member(t, name, hint)) => {
                let mut any = false;
                self.member(t.as_deref(), name, hint, input, |_| {
                    any = true;
                    ControlFlow::Break(())
                })?;
                Ok(any)
            }
            Some(t) => Ok(!self.eval(t, input)?.is_empty()),
        }
    }

    /// The logical operators, in three-valued logic (empty = unknown); the
    /// right side is evaluated only when the left does not decide. `None`
    /// when `op` is not a logical operator.
    pub(crate) fn logical(
        &mut self,
        op: BinOp,
        l: &Expr,
        r: &Expr,
        input: &[Item<'a>],
    ) -> Result<Option<Option<bool>>, Error> {
        if !matches!(op, BinOp::And | BinOp::Or | BinOp::Implies | BinOp::Xor) {
            return Ok(None);
        }
        let a = self.scoped_bool(l, input)?;
        let short = match (op, a) {
            (BinOp::And, Some(false)) => Some(false),
            (BinOp::Or, Some(true)) => Some(true),
            (BinOp::Implies, Some(false)) => Some(true),
            _ => None,
        };
        if let Some(s) = short {
            return Ok(Some(Some(s)));
        }
        let b = self.scoped_bool(r, input)?;
        Ok(Some(match op {
            BinOp::And => match (a, b) {
                (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            BinOp::Or => match (a, b) {
                (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            BinOp::Xor => match (a, b) {
                (Some(x), Some(y)) => Some(x != y),
                _ => None,
            },
            _ => match (a, b) {
                (Some(true), b) => b,
                (None, Some(true)) => Some(true),
                _ => None,
            },
        }))
    }
}

/// Whether `e` evaluates to exactly one Boolean whatever its input:
/// `exists()` and `empty()` without criteria.
fn always_one_boolean(e: &Expr) -> bool {
    matches!(e, Expr::Call(_, name, args) if args.is_empty() && matches!(name.as_str(), "exists" | "empty"))
}
