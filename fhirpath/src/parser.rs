//! Precedence-climbing parser from tokens to [`Expr`].
//!
//! Precedence, loosest first, as in the FHIRPath grammar: `implies`;
//! `or xor`; `and`; `in contains`; `= ~ != !~`; `< > <= >=`; `|`; `is as`;
//! `+ - &`; `* / div mod`; unary `+ -`; `.` and `[]`.
//! The depth of the tree is limited so evaluation (which recurses over it)
//! cannot overflow the stack on hostile input.

use crate::ast::{BinOp, Expr, TypeSpec};
use crate::datetime::Temporal;
use crate::decimal::Dec;
use crate::error::Error;
use crate::field_hint::FieldHint;
use crate::functions;
use crate::lexer::{tokenize, Tok, Token};
use crate::quantity::Quantity;
use crate::value::Value;

/// Deepest expression tree accepted.
pub const MAX_DEPTH: usize = 100;

const UNARY_BP: u8 = 11;

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// Current recursion depth of `expr`, bounded by [`MAX_DEPTH`] so the
    /// parser itself cannot overflow the stack either.
    level: usize,
}

/// A parsed node with the depth of its tree.
type Node = (Expr, usize);

pub(crate) fn parse(src: &str) -> Result<Expr, Error> {
    let mut p = Parser {
        tokens: tokenize(src)?,
        pos: 0,
        level: 0,
    };
    let (e, _) = p.expr(0)?;
    match p.peek() {
        Tok::Eof => Ok(e),
        t => Err(Error::syntax(format!(
            "unexpected {} at {}",
            describe(t),
            p.here()
        ))),
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) | Tok::Delimited(s) => format!("identifier '{s}'"),
        Tok::Str(s) => format!("string '{s}'"),
        Tok::Number(s) | Tok::Long(s) => format!("number {s}"),
        Tok::DateTime(s) => format!("@{s}"),
        Tok::Var(s) => format!("%{s}"),
        Tok::Special(s) => format!("${s}"),
        Tok::Op(o) => format!("'{o}'"),
        Tok::Eof => "end of expression".into(),
    }
}

fn infix(t: &Tok) -> Option<(u8, Option<BinOp>)> {
    let word = |w: &str| -> Option<(u8, Option<BinOp>)> {
        Some(match w {
            "implies" => (1, Some(BinOp::Implies)),
            "or" => (2, Some(BinOp::Or)),
            "xor" => (2, Some(BinOp::Xor)),
            "and" => (3, Some(BinOp::And)),
            "in" => (4, Some(BinOp::In)),
            "contains" => (4, Some(BinOp::Contains)),
            "is" | "as" => (8, None),
            "div" => (10, Some(BinOp::IntDiv)),
            "mod" => (10, Some(BinOp::Mod)),
            _ => return None,
        })
    };
    match t {
        Tok::Ident(w) => word(w),
        Tok::Op(o) => Some(match *o {
            "=" => (5, Some(BinOp::Eq)),
            "~" => (5, Some(BinOp::Equiv)),
            "!=" => (5, Some(BinOp::Ne)),
            "!~" => (5, Some(BinOp::NotEquiv)),
            "<" => (6, Some(BinOp::Lt)),
            ">" => (6, Some(BinOp::Gt)),
            "<=" => (6, Some(BinOp::Le)),
            ">=" => (6, Some(BinOp::Ge)),
            "|" => (7, Some(BinOp::Union)),
            "+" => (9, Some(BinOp::Add)),
            "-" => (9, Some(BinOp::Sub)),
            "&" => (9, Some(BinOp::Concat)),
            "*" => (10, Some(BinOp::Mul)),
            "/" => (10, Some(BinOp::Div)),
            _ => return None,
        }),
        _ => None,
    }
}

fn check_depth(depth: usize) -> Result<usize, Error> {
    if depth > MAX_DEPTH {
        Err(Error::syntax(format!(
            "expression nested deeper than {MAX_DEPTH} levels"
        )))
    } else {
        Ok(depth)
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.pos).map_or(&Tok::Eof, |t| &t.kind)
    }
    fn peek_at(&self, ahead: usize) -> &Tok {
        self.tokens
            .get(self.pos + ahead)
            .map_or(&Tok::Eof, |t| &t.kind)
    }
    fn here(&self) -> usize {
        self.tokens.get(self.pos).map_or(0, |t| t.pos)
    }
    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        self.pos += 1;
        t
    }
    fn expect(&mut self, op: &str) -> Result<(), Error> {
        match self.peek() {
            Tok::Op(o) if *o == op => {
                self.pos += 1;
                Ok(())
            }
            t => Err(Error::syntax(format!(
                "expected '{op}', found {} at {}",
                describe(t),
                self.here()
            ))),
        }
    }

    fn expr(&mut self, min_bp: u8) -> Result<Node, Error> {
        self.level += 1;
        check_depth(self.level)?;
        let r = self.expr_inner(min_bp);
        self.level -= 1;
        r
    }

    fn expr_inner(&mut self, min_bp: u8) -> Result<Node, Error> {
        let mut lhs = self.prefix()?;
        loop {
            let t = self.peek().clone();
            let Some((bp, op)) = infix(&t) else { break };
            if bp <= min_bp {
                break;
            }
            self.pos += 1;
            match op {
                Some(op) => {
                    let rhs = self.expr(bp)?;
                    let depth = check_depth(lhs.1.max(rhs.1) + 1)?;
                    lhs = (Expr::Binary(op, Box::new(lhs.0), Box::new(rhs.0)), depth);
                }
                None => {
                    let spec = self.type_spec()?;
                    let depth = check_depth(lhs.1 + 1)?;
                    let inner = Box::new(lhs.0);
                    lhs = (
                        if t == Tok::Ident("is".into()) {
                            Expr::Is(inner, spec)
                        } else {
                            Expr::As(inner, spec)
                        },
                        depth,
                    );
                }
            }
        }
        Ok(lhs)
    }

    fn type_spec(&mut self) -> Result<TypeSpec, Error> {
        let first = self.identifier()?;
        if matches!(self.peek(), Tok::Op("."))
            && matches!(self.peek_at(1), Tok::Ident(_) | Tok::Delimited(_))
        {
            self.pos += 1;
            let name = self.identifier()?;
            return Ok(TypeSpec {
                namespace: Some(first),
                name,
            });
        }
        Ok(TypeSpec {
            namespace: None,
            name: first,
        })
    }

    fn identifier(&mut self) -> Result<String, Error> {
        match self.next() {
            Tok::Ident(s) | Tok::Delimited(s) => Ok(s),
            t => Err(Error::syntax(format!(
                "expected an identifier, found {}",
                describe(&t)
            ))),
        }
    }

    fn prefix(&mut self) -> Result<Node, Error> {
        match self.peek() {
            Tok::Op("-") => {
                self.pos += 1;
                let (e, d) = self.expr(UNARY_BP)?;
                let d = check_depth(d + 1)?;
                Ok(match e {
                    Expr::Literal(Value::Integer(i)) => {
                        (Expr::Literal(Value::Integer(i.saturating_neg())), d)
                    }
                    Expr::Literal(Value::Long(i)) => {
                        (Expr::Literal(Value::Long(i.saturating_neg())), d)
                    }
                    Expr::Literal(Value::Decimal(x)) => (Expr::Literal(Value::Decimal(x.neg())), d),
                    Expr::Literal(Value::Quantity(q)) => (
                        Expr::Literal(Value::quantity(Quantity::new(q.value.neg(), q.unit))),
                        d,
                    ),
                    e => (Expr::Negate(Box::new(e)), d),
                })
            }
            Tok::Op("+") => {
                self.pos += 1;
                self.expr(UNARY_BP)
            }
            _ => {
                let term = self.term()?;
                self.postfix(term)
            }
        }
    }

    fn postfix(&mut self, mut node: Node) -> Result<Node, Error> {
        loop {
            match self.peek() {
                Tok::Op(".") => {
                    self.pos += 1;
                    let name = self.identifier()?;
                    let depth = check_depth(node.1 + 1)?;
                    let target = Some(Box::new(node.0));
                    if matches!(self.peek(), Tok::Op("(")) {
                        let (args, d) = self.args(&name)?;
                        node = (
                            Expr::Call(target, name, args),
                            check_depth(depth.max(d + 1))?,
                        );
                    } else {
                        node = (Expr::Member(target, name, FieldHint::default()), depth);
                    }
                }
                Tok::Op("[") => {
                    self.pos += 1;
                    let (index, d) = self.expr(0)?;
                    self.expect("]")?;
                    let depth = check_depth(node.1.max(d) + 1)?;
                    node = (Expr::Indexer(Box::new(node.0), Box::new(index)), depth);
                }
                _ => return Ok(node),
            }
        }
    }

    fn args(&mut self, name: &str) -> Result<(Vec<Expr>, usize), Error> {
        self.expect("(")?;
        let mut args = Vec::new();
        let mut depth = 0;
        if !matches!(self.peek(), Tok::Op(")")) {
            loop {
                let (e, d) = self.expr(0)?;
                depth = depth.max(d);
                args.push(e);
                if matches!(self.peek(), Tok::Op(",")) {
                    self.pos += 1;
                } else {
                    break;
                }
            }
        }
        self.expect(")")?;
        functions::check_arity(name, args.len())?;
        Ok((args, depth))
    }

    fn term(&mut self) -> Result<Node, Error> {
        let at = self.here();
        match self.next() {
            Tok::Number(n) => {
                let value = if n.contains('.') {
                    Value::Decimal(
                        Dec::parse(&n)
                            .ok_or_else(|| Error::syntax(format!("invalid number {n}")))?,
                    )
                } else {
                    match n.parse::<i32>() {
                        Ok(i) => Value::Integer(i64::from(i)),
                        Err(_) => Value::Decimal(
                            Dec::parse(&n)
                                .ok_or_else(|| Error::syntax(format!("invalid number {n}")))?,
                        ),
                    }
                };
                // A number followed by a unit is a quantity.
                let unit = match self.peek() {
                    Tok::Str(u) => Some(u.clone()),
                    Tok::Ident(w) if crate::datetime::is_calendar_keyword(w) => Some(w.clone()),
                    _ => None,
                };
                if let Some(unit) = unit {
                    self.pos += 1;
                    let v = match value {
                        Value::Integer(i) => Dec::from_int(i),
                        Value::Decimal(d) => d,
                        _ => Dec::from_int(0),
                    };
                    return Ok((Expr::Literal(Value::quantity(Quantity::new(v, unit))), 1));
                }
                Ok((Expr::Literal(value), 1))
            }
            Tok::Long(n) => {
                let v = n
                    .parse::<i64>()
                    .map_err(|_| Error::syntax(format!("invalid long {n}L")))?;
                Ok((Expr::Literal(Value::Long(v)), 1))
            }
            Tok::Str(s) => Ok((Expr::Literal(Value::String(s)), 1)),
            Tok::DateTime(s) => Ok((Expr::Literal(Value::temporal(temporal_literal(&s)?)), 1)),
            Tok::Var(v) => Ok((Expr::Var(v), 1)),
            Tok::Special(s) => Ok((
                match s.as_str() {
                    "this" => Expr::This,
                    "index" => Expr::Index,
                    _ => Expr::Total,
                },
                1,
            )),
            Tok::Op("(") => {
                let (e, d) = self.expr(0)?;
                self.expect(")")?;
                Ok((e, d))
            }
            Tok::Op("{") => {
                self.expect("}")?;
                Ok((Expr::Empty, 1))
            }
            Tok::Ident(w) if (w == "true" || w == "false") => {
                Ok((Expr::Literal(Value::Boolean(w == "true")), 1))
            }
            Tok::Ident(name) | Tok::Delimited(name) => {
                if matches!(self.peek(), Tok::Op("(")) {
                    let (args, d) = self.args(&name)?;
                    Ok((Expr::Call(None, name, args), check_depth(d + 1)?))
                } else {
                    Ok((Expr::Member(None, name, FieldHint::default()), 1))
                }
            }
            t => Err(Error::syntax(format!(
                "unexpected {} at {at}",
                describe(&t)
            ))),
        }
    }
}

/// Reads the text after `@`: `T...` is a time, text with `T` a date-time,
/// otherwise a date.
fn temporal_literal(s: &str) -> Result<Temporal, Error> {
    let t = if let Some(time) = s.strip_prefix('T') {
        Temporal::parse_time(time)
    } else if s.contains('T') {
        Temporal::parse_datetime(s)
    } else if s.len() > 10 {
        // A date with a time zone but no 'T' is not valid.
        None
    } else {
        Temporal::parse_date(s)
    };
    t.ok_or_else(|| Error::syntax(format!("invalid date/time literal @{s}")))
}
