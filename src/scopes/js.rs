//! Collecting function scopes from JavaScript/TypeScript with the oxc parser.
//!
//! A function's name is its own (`function f`), else the one it is bound to, as
//! debuggers infer it: `const f = () => …` → `f`, `obj.m = function …` → `obj.m`,
//! `X.prototype.m = …` → `X.m`, object literal members → `object.member`, class members
//! → `Class.member` (`Class.get x` for accessors, `Class` for the constructor), an
//! anonymous default export → `default`. Functions with none of these (callbacks) are
//! anonymous.

use std::collections::HashMap;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    ArrowFunctionExpression, AssignmentExpression, CallExpression, Class, ExportDefaultDeclaration,
    ExportDefaultDeclarationKind, Expression, Function, MethodDefinition, MethodDefinitionKind,
    NewExpression, ObjectExpression, ObjectProperty, PropertyDefinition, PropertyKind,
    VariableDeclarator,
};
use oxc_ast_visit::{walk, Visit};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType, Span};
use oxc_syntax::scope::ScopeFlags;

use super::nesting::{nesting_bound, MAX_SOURCE_NESTING};
use crate::url::strip_query;

/// A function-like node by byte offsets, as collected (converted to positions by the
/// caller).
#[derive(Clone, Debug)]
pub(super) struct RawScope {
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) parent: Option<u32>,
    pub(super) name: Option<String>,
    pub(super) name_start: Option<u32>,
    /// For an anonymous function: the binding its expression flows into, as
    /// SpiderMonkey names such functions (`var sortBy = wrap(function …)` → `sortBy`).
    pub(super) context: Option<String>,
    /// For an anonymous function: the name V8 infers for it (see `v8_names`).
    pub(super) v8_name: Option<String>,
}

/// A call (or `new`) whose callee has a name, by byte offset.
#[derive(Clone, Debug)]
pub(super) struct RawCall {
    /// Where V8 and SpiderMonkey report a frame stopped at this call: the callee's
    /// identifier (`f` in `f()`), its property (`m` in `o.m()`), or `new`.
    pub(super) at: u32,
    /// The callee's last identifier: `f`, `m`, the class of `new C()`.
    pub(super) callee: String,
    /// The innermost function containing the call (`None` at top level).
    pub(super) scope: Option<u32>,
    /// The whole call expression, arguments included.
    pub(super) span: Span,
}

/// What [`collect`] finds: function scopes in pre-order, and (when asked) the named
/// calls in source order.
#[derive(Default)]
pub(super) struct Collected {
    pub(super) scopes: Vec<RawScope>,
    pub(super) calls: Vec<RawCall>,
}

/// The stack a source is parsed on: far more than [`MAX_SOURCE_NESTING`] levels take
/// in a debug build (about 5 KiB a level for nested functions), so that no source
/// the nesting bound lets through can overflow it. Only the pages a parse touches are
/// ever committed.
const PARSE_STACK_BYTES: usize = 64 << 20;

/// Parses `text` and returns its function scopes, and its calls when
/// `with_calls`. A source that nests deeper than [`MAX_SOURCE_NESTING`] (see
/// `nesting.rs`) has none: its parse could overflow the stack, which would end the
/// process. The parse runs on a thread of its own with a stack of
/// [`PARSE_STACK_BYTES`], whatever the caller's thread has. If that thread cannot be
/// started (out of threads or memory), a source nesting at most
/// [`SHALLOW_ENOUGH_FOR_ANY_THREAD`] levels is parsed on the caller's thread, and a
/// deeper one has no scopes; so does one the parser panics on.
pub(super) fn collect(text: &str, file_name: Option<&str>, with_calls: bool) -> Collected {
    let nesting = nesting_bound(text, MAX_SOURCE_NESTING);
    if nesting > MAX_SOURCE_NESTING {
        return Collected::default();
    }
    std::thread::scope(|scope| {
        let parse = std::thread::Builder::new()
            .name("mapback-parse".to_owned())
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, || {
                collect_on_this_thread(text, file_name, with_calls)
            });
        match parse {
            Ok(parse) => parse.join().ok(),
            Err(_) if nesting <= SHALLOW_ENOUGH_FOR_ANY_THREAD => {
                Some(collect_on_this_thread(text, file_name, with_calls))
            }
            Err(_) => None,
        }
    })
    .unwrap_or_default()
}

/// A nesting bound whose parse fits in any thread's stack of 1 MiB or more (about 5 KiB
/// a level in a debug build, less in a release build).
const SHALLOW_ENOUGH_FOR_ANY_THREAD: usize = 100;

fn collect_on_this_thread(text: &str, file_name: Option<&str>, with_calls: bool) -> Collected {
    let guessed = file_name
        .and_then(|name| SourceType::from_path(strip_query(name)).ok())
        .unwrap_or_else(|| SourceType::mjs().with_jsx(true));
    // Files are often misnamed (TypeScript in .js, JSX in .js): when the guess does
    // not parse, try the other dialect, both with JSX.
    let other = if guessed.is_typescript() {
        SourceType::mjs().with_jsx(true)
    } else {
        SourceType::tsx()
    };
    for source_type in [guessed, other] {
        let allocator = Allocator::default();
        let parsed = Parser::new(&allocator, text, source_type).parse();
        if !parsed.panicked {
            return collect_program(text, &parsed.program, with_calls);
        }
    }
    Collected::default()
}

fn collect_program(text: &str, program: &oxc_ast::ast::Program<'_>, with_calls: bool) -> Collected {
    let mut collector = Collector {
        text,
        with_calls,
        calls: Vec::new(),
        scopes: Vec::new(),
        open: Vec::new(),
        function_names: HashMap::new(),
        object_names: HashMap::new(),
        class_names: HashMap::new(),
        objects: Vec::new(),
        classes: Vec::new(),
        contexts: Vec::new(),
    };
    collector.visit_program(program);
    let mut v8_names = super::v8_names::infer(program);
    for scope in &mut collector.scopes {
        if scope.name.is_none() {
            scope.v8_name = v8_names.remove(&scope.start);
        }
    }
    Collected {
        scopes: collector.scopes,
        calls: collector.calls,
    }
}

struct Collector<'t> {
    text: &'t str,
    with_calls: bool,
    calls: Vec<RawCall>,
    scopes: Vec<RawScope>,
    /// Indices of the scopes enclosing the current node.
    open: Vec<u32>,
    /// Names bound to the function, object or class that starts at a span start, with
    /// the offset of the identifier the name comes from.
    function_names: HashMap<u32, (String, u32)>,
    object_names: HashMap<u32, String>,
    class_names: HashMap<u32, String>,
    /// Names of the object literals and classes being walked (None when unnamed).
    objects: Vec<Option<String>>,
    classes: Vec<Option<String>>,
    /// The bindings whose value is being walked, innermost last; `None` marks a
    /// function body, which SpiderMonkey's naming does not look past.
    contexts: Vec<Option<String>>,
}

impl Collector<'_> {
    /// Records that the value `expression` is bound to `name`, written at `name_start`.
    fn bind(&mut self, expression: &Expression<'_>, name: String, name_start: u32) {
        match expression.get_inner_expression() {
            Expression::FunctionExpression(function) => {
                self.function_names
                    .insert(function.span.start, (name, name_start));
            }
            Expression::ArrowFunctionExpression(arrow) => {
                self.function_names
                    .insert(arrow.span.start, (name, name_start));
            }
            Expression::ClassExpression(class) => {
                self.class_names.insert(class.span.start, name);
            }
            Expression::ObjectExpression(object) => {
                self.object_names.insert(object.span.start, name);
            }
            _ => {}
        }
    }

    fn enter(&mut self, span: Span, name: Option<(String, u32)>) {
        let parent = self.open.last().copied();
        let (name, name_start, context) = match name {
            Some((name, start)) => (Some(name), Some(start), None),
            None => (None, None, self.contexts.last().cloned().flatten()),
        };
        self.scopes.push(RawScope {
            start: span.start,
            end: span.end,
            parent,
            name,
            name_start,
            context,
            v8_name: None,
        });
        self.open.push((self.scopes.len() - 1) as u32);
        // Inside the function, bindings around it no longer name anonymous functions.
        self.contexts.push(None);
    }

    fn leave(&mut self) {
        self.open.pop();
        self.contexts.pop();
    }

    /// Walks a binding's value with `name` as the context for anonymous functions.
    fn with_context(&mut self, name: Option<String>, walk: impl FnOnce(&mut Self)) {
        self.contexts.push(name);
        walk(self);
        self.contexts.pop();
    }

    /// The source text of an assignment target as a name: `obj.m`, `X.prototype.m` →
    /// `X.m`, whitespace removed. Long or multi-line targets keep their last part.
    fn target_name(&self, span: Span) -> Option<String> {
        let text = self.text.get(span.start as usize..span.end as usize)?;
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let name = compact.replace(".prototype.", ".");
        if name.is_empty() || name.len() > 120 {
            return name.rsplit('.').next().map(str::to_owned);
        }
        Some(name)
    }

    fn record_call(&mut self, callee: Option<(String, u32)>, span: Span) {
        if let (true, Some((callee, at))) = (self.with_calls, callee) {
            let scope = self.open.last().copied();
            self.calls.push(RawCall {
                at,
                callee,
                scope,
                span,
            });
        }
    }

    fn qualified(prefix: Option<&String>, name: &str) -> String {
        match prefix {
            Some(prefix) => format!("{prefix}.{name}"),
            None => name.to_owned(),
        }
    }
}

/// The name a call's callee has and where it is written, for callees that have one:
/// `f`, `o.m`, `o.#m` (optionally parenthesised or TypeScript-asserted).
fn callee_name(callee: &Expression<'_>) -> Option<(String, u32)> {
    match callee.get_inner_expression() {
        Expression::Identifier(id) => Some((id.name.to_string(), id.span.start)),
        Expression::StaticMemberExpression(member) => {
            Some((member.property.name.to_string(), member.property.span.start))
        }
        Expression::PrivateFieldExpression(member) => {
            Some((member.field.name.to_string(), member.field.span.start))
        }
        _ => None,
    }
}

/// The byte offset of a call's `(` after its callee, which ends at `callee_end`:
/// after blanks and an optional chain's `?.`; `None` when anything else comes first
/// (a comment, TypeScript type arguments), which is left unrecorded.
fn opening_paren(text: &str, callee_end: u32) -> Option<u32> {
    let rest = text.get(callee_end as usize..)?;
    let trimmed = rest.trim_start();
    let trimmed = match trimmed.strip_prefix("?.") {
        Some(after) => after.trim_start(),
        None => trimmed,
    };
    trimmed
        .starts_with('(')
        .then(|| callee_end + (rest.len() - trimmed.len()) as u32)
}

impl<'a> Visit<'a> for Collector<'_> {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        // A callee without a name (`o[k](…)`, `f()(…)`, `(0, f)(…)`): engines report
        // the call at its `(`, recorded as a call of no name.
        let callee = callee_name(&it.callee).or_else(|| {
            opening_paren(self.text, it.callee.span().end).map(|at| (String::new(), at))
        });
        self.record_call(callee, it.span);
        walk::walk_call_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        // Engines report a `new` frame's caller at the `new` keyword.
        let callee = callee_name(&it.callee).map(|(name, _)| (name, it.span.start));
        self.record_call(callee, it.span);
        walk::walk_new_expression(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        let bound = self.function_names.remove(&it.span.start);
        let own = it
            .id
            .as_ref()
            .map(|id| (id.name.to_string(), id.span.start));
        self.enter(it.span, own.or(bound));
        walk::walk_function(self, it, flags);
        self.leave();
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        let bound = self.function_names.remove(&it.span.start);
        self.enter(it.span, bound);
        walk::walk_arrow_function_expression(self, it);
        self.leave();
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        let name = it.id.get_identifier_name().map(|name| name.to_string());
        if let (Some(name), Some(init)) = (&name, &it.init) {
            self.bind(init, name.clone(), it.id.span().start);
        }
        self.with_context(name, |this| walk::walk_variable_declarator(this, it));
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        let target = it.left.span();
        let name = self.target_name(target);
        if let Some(name) = &name {
            // The last identifier of `a.b.c` is the one a minifier maps to the name.
            let last = self.text[target.start as usize..target.end as usize]
                .rfind('.')
                .map_or(target.start, |dot| target.start + dot as u32 + 1);
            self.bind(&it.right, name.clone(), last);
        }
        self.with_context(name, |this| walk::walk_assignment_expression(this, it));
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        let name = self.object_names.remove(&it.span.start);
        self.objects.push(name);
        walk::walk_object_expression(self, it);
        self.objects.pop();
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        let mut context = None;
        if let Some(key) = it.key.static_name() {
            context = Some(key.to_string());
            let key = match it.kind {
                PropertyKind::Get => format!("get {key}"),
                PropertyKind::Set => format!("set {key}"),
                PropertyKind::Init => key.to_string(),
            };
            let prefix = self.objects.last().and_then(Option::as_ref);
            let name = Self::qualified(prefix, &key);
            self.bind(&it.value, name, it.key.span().start);
        }
        self.with_context(context, |this| walk::walk_object_property(this, it));
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        let bound = self.class_names.remove(&it.span.start);
        let own = it.id.as_ref().map(|id| id.name.to_string());
        self.classes.push(own.or(bound));
        walk::walk_class(self, it);
        self.classes.pop();
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        let class = self.classes.last().cloned().flatten();
        let name = match it.kind {
            MethodDefinitionKind::Constructor => class,
            kind => it.key.static_name().map(|key| {
                let key = match kind {
                    MethodDefinitionKind::Get => format!("get {key}"),
                    MethodDefinitionKind::Set => format!("set {key}"),
                    _ => key.to_string(),
                };
                Self::qualified(class.as_ref(), &key)
            }),
        };
        if let Some(name) = name {
            self.function_names
                .insert(it.value.span.start, (name, it.key.span().start));
        }
        walk::walk_method_definition(self, it);
    }

    fn visit_property_definition(&mut self, it: &PropertyDefinition<'a>) {
        if let (Some(key), Some(value)) = (it.key.static_name(), &it.value) {
            let class = self.classes.last().cloned().flatten();
            let name = Self::qualified(class.as_ref(), &key);
            self.bind(value, name, it.key.span().start);
        }
        walk::walk_property_definition(self, it);
    }

    fn visit_export_default_declaration(&mut self, it: &ExportDefaultDeclaration<'a>) {
        match &it.declaration {
            ExportDefaultDeclarationKind::FunctionDeclaration(function)
                if function.id.is_none() =>
            {
                self.function_names
                    .insert(function.span.start, ("default".to_owned(), it.span.start));
            }
            ExportDefaultDeclarationKind::ClassDeclaration(class) if class.id.is_none() => {
                self.class_names
                    .insert(class.span.start, "default".to_owned());
            }
            other => {
                if let Some(expression) = other.as_expression() {
                    self.bind(expression, "default".to_owned(), it.span.start);
                }
            }
        }
        walk::walk_export_default_declaration(self, it);
    }
}
