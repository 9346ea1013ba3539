//! The function library, one module per group of the specification:
//! existence, filtering and subsetting, combining, conversion, strings, math,
//! tree navigation and utilities, and the FHIR-specific extensions.

mod collections;
mod conversion;
mod existence;
mod fhir;
mod html;
mod math;
mod strings;

pub(crate) use collections::descendant_parents;
pub(crate) use strings::regex_matches;

use crate::ast::Expr;
use crate::error::Error;
use crate::eval::{singleton, Env};
use crate::item::Item;
use crate::items::Items;
use crate::value::Value;

/// Name, minimum and maximum number of arguments of every known function.
const FUNCTIONS: &[(&str, usize, usize)] = &[
    ("empty", 0, 0),
    ("exists", 0, 1),
    ("all", 1, 1),
    ("allTrue", 0, 0),
    ("anyTrue", 0, 0),
    ("allFalse", 0, 0),
    ("anyFalse", 0, 0),
    ("subsetOf", 1, 1),
    ("supersetOf", 1, 1),
    ("count", 0, 0),
    ("distinct", 0, 0),
    ("isDistinct", 0, 0),
    ("where", 1, 1),
    ("select", 1, 1),
    ("repeat", 1, 1),
    ("repeatAll", 1, 1),
    ("ofType", 1, 1),
    ("is", 1, 1),
    ("as", 1, 1),
    ("single", 0, 0),
    ("first", 0, 0),
    ("last", 0, 0),
    ("tail", 0, 0),
    ("skip", 1, 1),
    ("take", 1, 1),
    ("intersect", 1, 1),
    ("exclude", 1, 1),
    ("union", 1, 1),
    ("combine", 1, 1),
    ("iif", 2, 3),
    ("toBoolean", 0, 0),
    ("convertsToBoolean", 0, 0),
    ("toInteger", 0, 0),
    ("convertsToInteger", 0, 0),
    ("toLong", 0, 0),
    ("convertsToLong", 0, 0),
    ("toDecimal", 0, 0),
    ("convertsToDecimal", 0, 0),
    ("toString", 0, 0),
    ("convertsToString", 0, 0),
    ("toDate", 0, 0),
    ("convertsToDate", 0, 0),
    ("toDateTime", 0, 0),
    ("convertsToDateTime", 0, 0),
    ("toTime", 0, 0),
    ("convertsToTime", 0, 0),
    ("toQuantity", 0, 1),
    ("convertsToQuantity", 0, 1),
    ("indexOf", 1, 1),
    ("lastIndexOf", 1, 1),
    ("substring", 1, 2),
    ("startsWith", 1, 1),
    ("endsWith", 1, 1),
    ("contains", 1, 1),
    ("upper", 0, 0),
    ("lower", 0, 0),
    ("replace", 2, 2),
    ("matches", 1, 2),
    ("matchesFull", 1, 2),
    ("replaceMatches", 2, 3),
    ("length", 0, 0),
    ("toChars", 0, 0),
    ("encode", 1, 1),
    ("decode", 1, 1),
    ("escape", 1, 1),
    ("unescape", 1, 1),
    ("trim", 0, 0),
    ("split", 1, 1),
    ("join", 0, 1),
    ("abs", 0, 0),
    ("ceiling", 0, 0),
    ("exp", 0, 0),
    ("floor", 0, 0),
    ("ln", 0, 0),
    ("log", 1, 1),
    ("power", 1, 1),
    ("round", 0, 1),
    ("sqrt", 0, 0),
    ("truncate", 0, 0),
    ("children", 0, 0),
    ("descendants", 0, 0),
    ("trace", 1, 2),
    ("now", 0, 0),
    ("today", 0, 0),
    ("timeOfDay", 0, 0),
    ("aggregate", 1, 2),
    ("not", 0, 0),
    ("type", 0, 0),
    ("lowBoundary", 0, 1),
    ("highBoundary", 0, 1),
    ("precision", 0, 0),
    ("comparable", 1, 1),
    ("sort", 0, usize::MAX),
    ("defineVariable", 1, 2),
    ("extension", 1, 1),
    ("hasValue", 0, 0),
    ("getValue", 0, 0),
    ("resolve", 0, 0),
    ("htmlChecks", 0, 0),
    ("memberOf", 1, 1),
    ("conformsTo", 1, 1),
    ("subsumes", 1, 1),
    ("subsumedBy", 1, 1),
    // %terminologies operations: recognised, reported as unsupported.
    ("expand", 1, 2),
    ("lookup", 1, 2),
    ("validateVS", 2, 3),
    ("validateCS", 2, 3),
    ("translate", 2, 3),
];

/// Rejects unknown functions and wrong argument counts at parse time.
pub(crate) fn check_arity(name: &str, n: usize) -> Result<(), Error> {
    match FUNCTIONS.iter().find(|(f, _, _)| *f == name) {
        None => Err(Error::semantic(format!("unknown function {name}()"))),
        Some((_, min, max)) if n < *min || n > *max => Err(Error::semantic(format!(
            "{name}() takes {min} to {max} arguments, not {n}"
        ))),
        Some(_) => Ok(()),
    }
}

/// One function invocation: the environment, the input collection, the
/// unevaluated arguments and the focus they are evaluated against.
pub(crate) struct Call<'e, 'c, 'a> {
    pub env: &'e mut Env<'c, 'a>,
    pub name: &'e str,
    pub input: Items<'a>,
    pub args: &'e [Expr],
    pub outer: &'e [Item<'a>],
}

impl<'e, 'a> Call<'e, '_, 'a> {
    /// Argument `i` evaluated against the enclosing focus.
    pub fn arg(&mut self, i: usize) -> Result<Items<'a>, Error> {
        let e = self
            .args
            .get(i)
            .ok_or_else(|| Error::semantic(format!("{}: missing argument", self.name)))?;
        let outer = self.outer;
        self.env.scoped(e, outer)
    }

    /// Argument `i` as an optional single system value.
    pub fn arg_value(&mut self, i: usize) -> Result<Option<Value>, Error> {
        // A literal (`'http:'` in `startsWith('http:')`, a pattern) is its
        // own value: no collection to build.
        if let Some(Expr::Literal(v)) = self.args.get(i) {
            return Ok(Some(v.clone()));
        }
        let v = self.arg(i)?;
        Ok(singleton(&v)?.and_then(Item::system_value))
    }

    pub fn arg_string(&mut self, i: usize) -> Result<Option<String>, Error> {
        match self.arg_value(i)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(Error::execution(format!(
                "{}: expected a string, found {}",
                self.name,
                v.type_name()
            ))),
        }
    }

    pub fn arg_integer(&mut self, i: usize) -> Result<Option<i64>, Error> {
        match self.arg_value(i)? {
            None => Ok(None),
            Some(Value::Integer(n) | Value::Long(n)) => Ok(Some(n)),
            Some(v) => Err(Error::execution(format!(
                "{}: expected an integer, found {}",
                self.name,
                v.type_name()
            ))),
        }
    }

    /// Evaluates `e` once per input item with `$this`, `$index` set.
    pub fn each(
        &mut self,
        e: &Expr,
        item: &Item<'a>,
        index: usize,
    ) -> Result<Items<'a>, Error> {
        self.in_lambda(item, index, |env, this| env.scoped(e, this))
    }

    /// [`Call::each`] as a boolean, by the singleton rule (criteria of
    /// `where`, `all`, `exists`).
    pub fn each_bool(
        &mut self,
        e: &Expr,
        item: &Item<'a>,
        index: usize,
    ) -> Result<Option<bool>, Error> {
        self.in_lambda(item, index, |env, this| env.scoped_bool(e, this))
    }

    /// Runs `f` with `item` as `$this` and `index` as `$index`.
    fn in_lambda<T>(
        &mut self,
        item: &Item<'a>,
        index: usize,
        f: impl FnOnce(&mut Env<'_, 'a>, &[Item<'a>]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let saved = self
            .env
            .index
            .replace(i64::try_from(index).unwrap_or(i64::MAX));
        self.env.lambda_depth += 1;
        let r = f(self.env, std::slice::from_ref(item));
        self.env.lambda_depth -= 1;
        self.env.index = saved;
        r
    }

    /// The input as an optional single system value.
    pub fn input_value(&self) -> Result<Option<Value>, Error> {
        Ok(singleton(&self.input)?.and_then(Item::system_value))
    }

    /// The input as an optional single string.
    pub fn input_string(&self) -> Result<Option<String>, Error> {
        if let Some(e) = singleton(&self.input)?.and_then(Item::as_element) {
            return Err(Error::semantic(format!(
                "{}: expects a string, not {}",
                self.name,
                e.type_info().name
            )));
        }
        match self.input_value()? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(Error::execution(format!(
                "{}: expected a string input, found {}",
                self.name,
                v.type_name()
            ))),
        }
    }

    pub fn lambda(&self, i: usize) -> Result<&'e Expr, Error> {
        let args: &'e [Expr] = self.args;
        args.get(i)
            .ok_or_else(|| Error::semantic(format!("{}: missing argument", self.name)))
    }
}

pub(crate) fn one<'a>(v: Value) -> Result<Items<'a>, Error> {
    Ok(Items::one(Item::value(v)))
}

pub(crate) fn opt<'a>(v: Option<Value>) -> Result<Items<'a>, Error> {
    Ok(v.map(Item::value).into_iter().collect())
}

pub(crate) fn call<'a>(
    env: &mut Env<'_, 'a>,
    name: &str,
    input: Items<'a>,
    args: &[Expr],
    outer: &[Item<'a>],
) -> Result<Items<'a>, Error> {
    let mut c = Call {
        env,
        name,
        input,
        args,
        outer,
    };
    if let Some(r) = existence::call(&mut c)? {
        return Ok(r);
    }
    if let Some(r) = collections::call(&mut c)? {
        return Ok(r);
    }
    if let Some(r) = conversion::call(&mut c)? {
        return Ok(r);
    }
    if let Some(r) = strings::call(&mut c)? {
        return Ok(r);
    }
    if let Some(r) = math::call(&mut c)? {
        return Ok(r);
    }
    if let Some(r) = fhir::call(&mut c)? {
        return Ok(r);
    }
    Err(Error::semantic(format!("unknown function {name}()")))
}
