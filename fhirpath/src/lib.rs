//! A FHIRPath engine (normative N1 / 2.0.0 plus FHIR's extensions) over
//! fhir-model's reflective element model.
//!
//! An expression is parsed once into an [`Expression`] (`Send + Sync +
//! Clone`, so a validator can cache compiled invariants) and evaluated
//! against any FHIR data through the generic `dyn Element` view: the engine
//! knows no resource by name, every path step is looked up in the generated
//! `TypeInfo` tables.
//!
//! ```
//! use fhirpath::{Context, Expression, Item};
//!
//! let json = r#"{"resourceType": "Patient", "active": true,
//!                "name": [{"family": "Chalmers", "given": ["Peter", "James"]}]}"#;
//! let patient: fhir_model::r4::Resource = fhir_model::json::from_str(json).unwrap();
//! let root = Item::resource(fhir_model::rt::ResourceEnum::as_element(&patient));
//! let ctx = Context::for_resource(root.clone());
//!
//! let expr = Expression::parse("Patient.name.given.first()").unwrap();
//! let result = expr.evaluate(&ctx, root.clone()).unwrap();
//! assert_eq!(result.len(), 1);
//! assert_eq!(result[0].to_json()["value"], "Peter");
//!
//! // Invariants: the singleton-boolean rule, `None` when the result is empty.
//! let inv = Expression::parse("name.exists() and active").unwrap();
//! assert_eq!(inv.evaluate_boolean(&ctx, root).unwrap(), Some(true));
//! ```
//!
//! # Evaluating an invariant at an element
//!
//! A validator walking a resource through `fhir_model::rt::Element` builds the
//! focus from what a slot holds and the field's FHIR type code
//! ([`fhir_model::rt::FieldInfo::types`], the chosen variant's for a choice):
//! `Item::from_ref(item_ref, info.types[variant])`, and evaluates with
//! [`Expression::evaluate_boolean`] in a [`Context::for_resource`] of the
//! resource (plus [`Context::with_root_resource`] for the containing Bundle or
//! resource). `Ok(None)` is an empty result: not `true`, the caller decides
//! what it means for the invariant. R4's core invariants need
//! [`Context::as_function_filters`] (dom-3 applies `as()` to a collection).
//!
//! # Limits
//!
//! - Terminology (`memberOf`, `%terminologies`) and profiles (`conformsTo`
//!   other than a core type's definition) report [`ErrorKind::Unsupported`].
//! - UCUM: metric prefixes, the base and common derived units, products and
//!   quotients of them; other units compare only with the same unit text.
//! - `htmlChecks()` checks the elements and the absence of active content
//!   lexically; well-formedness is the XML reader's job.
//! - Nesting is limited to [`MAX_DEPTH`] levels (a syntax error beyond).
//! - Unknown element names are semantic errors only on plain typed paths
//!   (`name.given1`); inside `where`/`select` and after `descendants()` the
//!   items' types are mixed and such a name gives empty.

mod ast;
mod boolean;
mod compare;
mod datetime;
mod decimal;
mod error;
mod eval;
mod field_hint;
mod focus_fields;
mod functions;
mod item;
mod items;
mod lexer;
mod parser;
mod quantity;
mod share;
mod types;
mod ucum;
mod value;

pub use error::{Error, ErrorKind};
pub use eval::Context;
pub use focus_fields::Guard;
pub use item::Item;
pub use parser::MAX_DEPTH;

/// A parsed FHIRPath expression.
#[derive(Clone, Debug)]
pub struct Expression {
    source: String,
    ast: ast::Expr,
    focus_fields: Option<Vec<String>>,
    guards: Vec<Guard>,
    reads_only_presence: bool,
    reads_only_values: bool,
    reads_focus_only_as_value: bool,
}

impl Expression {
    /// Parses `text`; syntax errors and unknown functions or wrong argument
    /// counts are reported here, before any data is seen.
    pub fn parse(text: &str) -> Result<Expression, Error> {
        let ast = share::share(parser::parse(text)?);
        Ok(Expression {
            source: text.to_owned(),
            focus_fields: focus_fields::focus_fields(&ast),
            guards: focus_fields::guards(&ast),
            reads_only_presence: focus_fields::reads_only_presence(&ast),
            reads_only_values: focus_fields::reads_only_values(&ast),
            reads_focus_only_as_value: focus_fields::reads_focus_only_as_value(&ast),
            ast,
        })
    }

    /// The fields of the focus the expression reads, when it reads nothing
    /// else that could differ between two foci of the same type (no `$this`,
    /// no `%resource`, no clock). At an element whose listed fields are all
    /// empty the result is then the same at every element of that type, so
    /// a validator can evaluate it once per type. `None` when the expression
    /// may depend on more.
    pub fn focus_fields(&self) -> Option<&[String]> {
        self.focus_fields.as_deref()
    }

    /// Whether the expression reads its focus only through whether the
    /// fields [`Expression::focus_fields`] are empty (`extension.exists() !=
    /// value.exists()`): its result is then the same at every element of a
    /// type with the same of those fields empty, so a validator can
    /// evaluate it once per type and pattern of empty fields.
    pub fn reads_only_presence(&self) -> bool {
        self.reads_only_presence
    }

    /// Whether the expression reads its focus only through the values of
    /// the fields [`Expression::focus_fields`] (`min <= max.toInteger()`,
    /// `path.matches('...')`): the items of those fields are only compared,
    /// converted, tested or counted, never navigated or handed to a function
    /// that could look into them. Where those fields hold at most one
    /// primitive each, its result is then the same at every element of a
    /// type with the same values (and presence) in them, so a validator can
    /// keep one verdict per type and tuple of values (eld-2's `min` and
    /// `max` take a few pairs over thousands of ElementDefinitions).
    pub fn reads_only_values(&self) -> bool {
        self.reads_only_values
    }

    /// Whether the expression reads its focus only as a value (`empty() or
    /// ($this = '*') or (toInteger() >= 0)`): compared, converted, tested or
    /// counted, never navigated (`extension`, `id`) or handed on, and reads
    /// nothing else that could differ between evaluations. At a primitive
    /// focus its result is then the same at every focus of the same type
    /// and value, so a validator can keep one verdict per type and value.
    pub fn reads_focus_only_as_value(&self) -> bool {
        self.reads_focus_only_as_value
    }

    /// The expression's guards: parts of it that alone can make it true
    /// (`binding.empty()` in `binding.empty() or ...`, `a.exists()` in
    /// `a.exists() implies b`, `targetProfile.empty()` in `(code =
    /// 'Reference' or code = 'canonical') or targetProfile.empty()`), each
    /// reading only fields of the focus, as for [`Expression::focus_fields`].
    /// At elements whose guard fields ([`Guard::fields`]) are all empty, and
    /// whose type has the fields of [`Guard::requires`], [`Guard::decides`]
    /// gives the same answer at every element of the type, so a validator
    /// can ask it once per type and skip the evaluation where it says the
    /// expression is true.
    pub fn guards(&self) -> &[Guard] {
        &self.guards
    }

    /// The text the expression was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates with `focus` as the input (`$this`, `%context`).
    pub fn evaluate<'a>(&self, ctx: &Context<'a>, focus: Item<'a>) -> Result<Vec<Item<'a>>, Error> {
        self.evaluate_collection(ctx, vec![focus])
    }

    /// Evaluates with a whole collection as the input.
    pub fn evaluate_collection<'a>(
        &self,
        ctx: &Context<'a>,
        input: Vec<Item<'a>>,
    ) -> Result<Vec<Item<'a>>, Error> {
        let mut env = eval::Env::new(ctx, &input);
        env.eval(&self.ast, &input).map(items::Items::into_vec)
    }

    /// Evaluates and applies the singleton-boolean rule of the
    /// specification: empty gives `None`, a single Boolean its value, any
    /// other single item `true`, several items an error.
    pub fn evaluate_boolean<'a>(
        &self,
        ctx: &Context<'a>,
        focus: Item<'a>,
    ) -> Result<Option<bool>, Error> {
        self.evaluate_boolean_at(ctx, &focus)
    }

    /// [`Expression::evaluate_boolean`] with a borrowed focus: a validator
    /// evaluating many invariants at one element need not copy the focus
    /// (an `Item` is large) for each.
    pub fn evaluate_boolean_at<'a>(
        &self,
        ctx: &Context<'a>,
        focus: &Item<'a>,
    ) -> Result<Option<bool>, Error> {
        let input = std::slice::from_ref(focus);
        eval::Env::new(ctx, input).eval_bool(&self.ast, input)
    }
}
