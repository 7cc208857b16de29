//! The names V8 gives anonymous functions, inferred from the code around them.
//!
//! An anonymous function has no name of its own, yet V8 prints one in a stack trace:
//! while parsing, it collects the identifiers and property names of the expression
//! being parsed, and names the function literals it has met with the dotted list of
//! them when an assignment, a declaration or an object literal's property completes
//! (`a.b.c = function () {}` → `a.b.c`; `var t = [() => …]` → `t`). The list is kept
//! per assignment expression, but the functions waiting for a name are not: one that
//! nothing named yet (an arrow in an array literal) takes the name of the *next*
//! completion, even one in a later element's object literal
//! (`[[…, () => f()], […, () => s.submit({ id: … })]]` names the first arrow
//! `s.submit.id`). Symbolicating a V8 trace of minified code should print what V8 would
//! have printed for the original, so this module replays that inference on the
//! original source.
//!
//! The replay follows where V8's parser opens and closes a name-collection state (each
//! assignment expression: arguments, array elements, initialisers, property values,
//! statements' expressions), what it pushes (identifiers read; property names, except
//! `prototype`; capitalised names of enclosing constructors), when it names the
//! waiting functions (after `=`, `||=`, `&&=`, `??=` and declarations whose value is
//! not a call, and after every object-literal property) and when it drops the last one
//! (after a call). `function` bodies are compiled lazily by V8, later and on their own,
//! so they are replayed apart from the code around them; arrow functions' bodies are
//! parsed with it. Checked against Node's V8 on the cases of the unit tests.

use std::collections::HashMap;

use oxc_ast::ast::{
    Argument, ArrayExpressionElement, ArrowFunctionExpression, AssignmentExpression,
    AssignmentOperator, CallExpression, Class, ClassElement, ComputedMemberExpression,
    ConditionalExpression, DoWhileStatement, ExportDefaultDeclaration, Expression,
    ExpressionStatement, ForInStatement, ForOfStatement, ForStatement, ForStatementInit,
    FormalParameters, Function, IfStatement, MethodDefinitionKind, NewExpression, ObjectExpression,
    ObjectPropertyKind, ParenthesizedExpression, PrivateFieldExpression, Program, PropertyKey,
    ReturnStatement, SequenceExpression, SpreadElement, StaticMemberExpression, SwitchCase,
    SwitchStatement, TemplateLiteral, ThrowStatement, VariableDeclarator, WhileStatement,
    YieldExpression,
};
use oxc_ast_visit::{walk, Visit};
use oxc_span::GetSpan;
use oxc_syntax::scope::ScopeFlags;

/// Anonymous functions' V8-inferred names, by the byte offset where each function
/// starts (its span's start, as the scope collector records it). Functions V8 leaves
/// unnamed are absent.
pub(super) fn infer(program: &Program<'_>) -> HashMap<u32, String> {
    let mut inferrer = Inferrer::default();
    inferrer.visit_program(program);
    inferrer.inferred
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A capitalised function's own name, pushed when its body is parsed.
    EnclosingConstructor,
    /// A property name: `b` in `a.b`, a key in an object literal.
    Literal,
    /// An identifier read as a value, or a declared variable.
    Variable,
}

#[derive(Default)]
struct Inferrer {
    names: Vec<(String, Kind)>,
    /// Functions met and not named yet, by start offset.
    waiting: Vec<u32>,
    /// How many name-collection states are open: names and functions are collected
    /// only inside one.
    depth: u32,
    inferred: HashMap<u32, String>,
    /// The name the next function literal is declared with (a method's key, a class's
    /// name for its constructor): such functions are not waiting for a name, and a
    /// capitalised one names what their body assigns.
    declared_name: Option<(u32, String)>,
    /// The variable a function or class expression is bound to (`var Foo = class {}`),
    /// by the expression's start: V8 compiles its body under that name.
    bound_name: Option<(u32, String)>,
    /// The start of a function expression written in parentheses, which V8 compiles
    /// at once (it is probably called right away) instead of lazily.
    parenthesized_function: Option<u32>,
}

impl Inferrer {
    /// Runs `walk` in a name-collection state: names pushed inside are dropped after.
    fn state(&mut self, walk: impl FnOnce(&mut Self)) {
        let top = self.names.len();
        self.depth += 1;
        walk(self);
        self.names.truncate(top);
        self.depth -= 1;
    }

    fn push(&mut self, name: &str, kind: Kind) {
        if self.depth > 0 && !(kind == Kind::Literal && name == "prototype") {
            self.names.push((name.to_owned(), kind));
        }
    }

    fn wait_for_name(&mut self, start: u32) {
        if self.depth > 0 {
            self.waiting.push(start);
        }
    }

    fn drop_last_waiting(&mut self) {
        if self.depth > 0 {
            self.waiting.pop();
        }
    }

    /// Names every waiting function after the names collected so far.
    fn name_waiting(&mut self) {
        if self.waiting.is_empty() {
            return;
        }
        let mut name = String::new();
        for (i, (part, kind)) in self.names.iter().enumerate() {
            // Of consecutive variables only the last counts (`var a = b = …`).
            let next_is_variable = self
                .names
                .get(i + 1)
                .is_some_and(|(_, next)| *next == Kind::Variable);
            if *kind == Kind::Variable && next_is_variable {
                continue;
            }
            if !name.is_empty() {
                name.push('.');
            }
            name.push_str(part);
        }
        for start in self.waiting.drain(..) {
            if !name.is_empty() {
                self.inferred.insert(start, name.clone());
            }
        }
    }

    /// Replays a lazily compiled function body: alone, with the function's own name
    /// as the enclosing constructor's when it is capitalised.
    fn apart(&mut self, own_name: Option<&str>, walk: impl FnOnce(&mut Self)) {
        let names = std::mem::take(&mut self.names);
        let waiting = std::mem::take(&mut self.waiting);
        let depth = std::mem::replace(&mut self.depth, 0);
        if let Some(name) = own_name.filter(|name| name.starts_with(char::is_uppercase)) {
            self.names
                .push((name.to_owned(), Kind::EnclosingConstructor));
        }
        walk(self);
        self.names = names;
        self.waiting = waiting;
        self.depth = depth;
    }

    fn expression_in_state(&mut self, expression: &Expression<'_>) {
        self.state(|this| this.visit_expression(expression));
    }

    /// After `=` (and `||=`, `&&=`, `??=`) or a declaration's initialiser: names the
    /// waiting functions, unless the value is a call (`a = function () {}()` names
    /// nothing, and drops the function).
    fn complete_binding(&mut self, value: &Expression<'_>) {
        match value.get_inner_expression() {
            Expression::CallExpression(_) | Expression::NewExpression(_) => {
                self.drop_last_waiting()
            }
            _ => self.name_waiting(),
        }
    }

    /// Remembers that `value`, a function or class expression, is bound to `name`.
    fn bind(&mut self, value: &Expression<'_>, name: &str) {
        let start = match value.get_inner_expression() {
            Expression::FunctionExpression(function) => function.span.start,
            Expression::ClassExpression(class) => class.span.start,
            _ => return,
        };
        self.bound_name = Some((start, name.to_owned()));
    }

    fn property_key(&mut self, key: &PropertyKey<'_>, computed: bool) {
        if computed {
            if let Some(expression) = key.as_expression() {
                self.expression_in_state(expression);
            }
        } else if let Some(name) = key.static_name() {
            self.push(&name, Kind::Literal);
        }
    }
}

impl<'a> Visit<'a> for Inferrer {
    fn visit_identifier_reference(&mut self, it: &oxc_ast::ast::IdentifierReference<'a>) {
        self.push(&it.name, Kind::Variable);
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        self.visit_expression(&it.object);
        self.push(&it.property.name, Kind::Literal);
    }

    fn visit_private_field_expression(&mut self, it: &PrivateFieldExpression<'a>) {
        self.visit_expression(&it.object);
        self.push(&format!("#{}", it.field.name), Kind::Literal);
    }

    fn visit_computed_member_expression(&mut self, it: &ComputedMemberExpression<'a>) {
        self.visit_expression(&it.object);
        self.expression_in_state(&it.expression);
        match it.expression.get_inner_expression() {
            Expression::StringLiteral(key) => self.push(&key.value, Kind::Literal),
            _ => self.push("<computed>", Kind::Literal),
        }
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        self.visit_expression(&it.callee);
        for argument in &it.arguments {
            self.visit_argument(argument);
        }
        self.drop_last_waiting();
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        self.visit_expression(&it.callee);
        for argument in &it.arguments {
            self.visit_argument(argument);
        }
    }

    fn visit_argument(&mut self, it: &Argument<'a>) {
        self.state(|this| walk::walk_argument(this, it));
    }

    fn visit_array_expression_element(&mut self, it: &ArrayExpressionElement<'a>) {
        self.state(|this| walk::walk_array_expression_element(this, it));
    }

    fn visit_spread_element(&mut self, it: &SpreadElement<'a>) {
        self.expression_in_state(&it.argument);
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        for property in &it.properties {
            self.state(|this| {
                match property {
                    ObjectPropertyKind::ObjectProperty(property) => {
                        this.property_key(&property.key, property.computed);
                        let declared =
                            property.method || property.kind != oxc_ast::ast::PropertyKind::Init;
                        if declared {
                            if let Expression::FunctionExpression(function) = &property.value {
                                let name = property.key.static_name().map(|n| n.to_string());
                                this.declared_name =
                                    Some((function.span.start, name.unwrap_or_default()));
                            }
                            this.visit_expression(&property.value);
                        } else if property.shorthand {
                            this.visit_expression(&property.value);
                        } else {
                            this.expression_in_state(&property.value);
                        }
                    }
                    ObjectPropertyKind::SpreadProperty(spread) => {
                        this.expression_in_state(&spread.argument)
                    }
                }
                this.name_waiting();
            });
        }
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        self.visit_assignment_target(&it.left);
        if let Some(name) = it.left.get_identifier_name() {
            self.bind(&it.right, name);
        }
        self.expression_in_state(&it.right);
        match it.operator {
            AssignmentOperator::Assign
            | AssignmentOperator::LogicalOr
            | AssignmentOperator::LogicalAnd
            | AssignmentOperator::LogicalNullish => self.complete_binding(&it.right),
            _ => self.drop_last_waiting(),
        }
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        self.state(|this| {
            let name = it.id.get_identifier_name();
            let Some(init) = &it.init else {
                return;
            };
            if let Some(name) = &name {
                this.push(name, Kind::Variable);
                this.bind(init, name);
            }
            this.expression_in_state(init);
            if name.is_some() {
                this.complete_binding(init);
            }
        });
    }

    fn visit_conditional_expression(&mut self, it: &ConditionalExpression<'a>) {
        self.visit_expression(&it.test);
        self.expression_in_state(&it.consequent);
        self.expression_in_state(&it.alternate);
    }

    fn visit_sequence_expression(&mut self, it: &SequenceExpression<'a>) {
        for expression in &it.expressions {
            self.expression_in_state(expression);
        }
    }

    fn visit_parenthesized_expression(&mut self, it: &ParenthesizedExpression<'a>) {
        if let Expression::FunctionExpression(function) = &it.expression {
            self.parenthesized_function = Some(function.span.start);
        }
        self.expression_in_state(&it.expression);
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        for expression in &it.expressions {
            self.expression_in_state(expression);
        }
    }

    fn visit_yield_expression(&mut self, it: &YieldExpression<'a>) {
        if let Some(argument) = &it.argument {
            self.expression_in_state(argument);
        }
    }

    fn visit_formal_parameters(&mut self, it: &FormalParameters<'a>) {
        self.state(|this| walk::walk_formal_parameters(this, it));
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        // `x => …` reads its parameter as an identifier before the arrow is seen; in
        // `(x) => …` the parentheses' own state drops it.
        if let [parameter] = it.params.items.as_slice() {
            let span = parameter.span();
            if span.start == it.span.start {
                if let Some(name) = parameter.pattern.get_identifier_name() {
                    self.push(&name, Kind::Variable);
                }
            }
        }
        // Arrow bodies are parsed with the code around them.
        walk::walk_arrow_function_expression(self, it);
        self.wait_for_name(it.span.start);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        let declared = self
            .declared_name
            .take_if(|(start, _)| *start == it.span.start)
            .map(|(_, name)| name);
        let bound = self
            .bound_name
            .take_if(|(start, _)| *start == it.span.start)
            .map(|(_, name)| name);
        let own_name = (it.id.as_ref().map(|id| id.name.to_string()))
            .or(declared.clone())
            .or(bound);
        let eager = self.parenthesized_function == Some(it.span.start);
        if eager {
            self.parenthesized_function = None;
            walk::walk_function(self, it, flags);
        } else {
            self.apart(own_name.as_deref(), |this| {
                walk::walk_function(this, it, flags)
            });
        }
        if it.id.is_none() && declared.is_none() && it.is_expression() {
            self.wait_for_name(it.span.start);
        }
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        let bound = self
            .bound_name
            .take_if(|(start, _)| *start == it.span.start)
            .map(|(_, name)| name);
        let class_name = it.id.as_ref().map(|id| id.name.to_string()).or(bound);
        if let Some(heritage) = &it.heritage {
            self.expression_in_state(&heritage.expression);
        }
        for element in &it.body.body {
            self.state(|this| match element {
                ClassElement::MethodDefinition(method) => {
                    let name = match method.kind {
                        MethodDefinitionKind::Constructor => class_name.clone(),
                        _ => method.key.static_name().map(|n| n.to_string()),
                    };
                    if method.computed {
                        this.property_key(&method.key, true);
                    }
                    this.declared_name = Some((method.value.span.start, name.unwrap_or_default()));
                    this.visit_function(&method.value, ScopeFlags::Function);
                }
                ClassElement::PropertyDefinition(property) => {
                    this.property_key(&property.key, property.computed);
                    if let Some(value) = &property.value {
                        this.expression_in_state(value);
                    }
                    this.name_waiting();
                }
                ClassElement::StaticBlock(block) => {
                    this.apart(None, |this| walk::walk_static_block(this, block))
                }
                other => walk::walk_class_element(this, other),
            });
        }
    }

    fn visit_export_default_declaration(&mut self, it: &ExportDefaultDeclaration<'a>) {
        self.state(|this| walk::walk_export_default_declaration(this, it));
    }

    fn visit_expression_statement(&mut self, it: &ExpressionStatement<'a>) {
        self.expression_in_state(&it.expression);
    }

    fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
        if let Some(argument) = &it.argument {
            self.expression_in_state(argument);
        }
    }

    fn visit_throw_statement(&mut self, it: &ThrowStatement<'a>) {
        self.expression_in_state(&it.argument);
    }

    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        self.expression_in_state(&it.test);
        self.visit_statement(&it.consequent);
        if let Some(alternate) = &it.alternate {
            self.visit_statement(alternate);
        }
    }

    fn visit_while_statement(&mut self, it: &WhileStatement<'a>) {
        self.expression_in_state(&it.test);
        self.visit_statement(&it.body);
    }

    fn visit_do_while_statement(&mut self, it: &DoWhileStatement<'a>) {
        self.visit_statement(&it.body);
        self.expression_in_state(&it.test);
    }

    fn visit_for_statement(&mut self, it: &ForStatement<'a>) {
        if let Some(init) = &it.init {
            match init {
                ForStatementInit::VariableDeclaration(declaration) => {
                    self.visit_variable_declaration(declaration)
                }
                other => {
                    if let Some(expression) = other.as_expression() {
                        self.expression_in_state(expression);
                    }
                }
            }
        }
        if let Some(test) = &it.test {
            self.expression_in_state(test);
        }
        if let Some(update) = &it.update {
            self.expression_in_state(update);
        }
        self.visit_statement(&it.body);
    }

    fn visit_for_in_statement(&mut self, it: &ForInStatement<'a>) {
        self.expression_in_state(&it.right);
        self.visit_statement(&it.body);
    }

    fn visit_for_of_statement(&mut self, it: &ForOfStatement<'a>) {
        self.expression_in_state(&it.right);
        self.visit_statement(&it.body);
    }

    fn visit_switch_statement(&mut self, it: &SwitchStatement<'a>) {
        self.expression_in_state(&it.discriminant);
        for case in &it.cases {
            self.visit_switch_case(case);
        }
    }

    fn visit_switch_case(&mut self, it: &SwitchCase<'a>) {
        if let Some(test) = &it.test {
            self.expression_in_state(test);
        }
        for statement in &it.consequent {
            self.visit_statement(statement);
        }
    }
}

#[cfg(test)]
mod tests {
    use oxc_allocator::Allocator;
    use oxc_parser::Parser;
    use oxc_span::SourceType;

    /// The inferred name of each function that follows a `/*N*/` marker, in marker
    /// order (`""` for none). The expectations are what Node 20's V8 reports
    /// (`%FunctionGetInferredName`) for the same code.
    fn names(source: &str) -> Vec<String> {
        let allocator = Allocator::default();
        let parsed = Parser::new(&allocator, source, SourceType::mjs()).parse();
        assert!(!parsed.panicked);
        let inferred = super::infer(&parsed.program);
        let mut out = Vec::new();
        let mut rest = source;
        while let Some(at) = rest.find("/*") {
            let end = at + rest[at..].find("*/").unwrap() + 2;
            let start = (source.len() - rest.len() + end) as u32;
            out.push(inferred.get(&start).cloned().unwrap_or_default());
            rest = &rest[end..];
        }
        out
    }

    #[test]
    fn assignments_declarations_and_properties_name_what_they_hold() {
        assert_eq!(
            names("var a = {b: {}}; a.b.c = /*1*/function () {};"),
            ["a.b.c"]
        );
        assert_eq!(
            names("var t = [/*1*/() => 1, /*2*/function () {}];"),
            ["t", "t"]
        );
        assert_eq!(
            names("function X() {} X.prototype.m = /*1*/function () {};"),
            ["X.m"]
        );
        assert_eq!(names("var o = { k: { j: /*1*/() => 1 } };"), ["o.k.j"]);
        assert_eq!(names("var a = {}; a.x ||= /*1*/function () {};"), ["a.x"]);
        assert_eq!(names("var v = { arr: [/*1*/function () {}] };"), ["v.arr"]);
        assert_eq!(
            names(
                r#"var o2 = { ["c" + 1]: /*1*/function () {}, "str key": /*2*/function () {} };"#
            ),
            ["o2", "o2.str key"]
        );
    }

    #[test]
    fn calls_drop_the_function_and_compound_assignments_name_nothing() {
        assert_eq!(names("function g(x) {} g([/*1*/() => 1, 2]);"), [""]);
        assert_eq!(
            names("var obj = {}; obj.h = wrap(/*1*/function () {});"),
            [""]
        );
        assert_eq!(names("var b = {}; b.y += /*1*/function () {};"), [""]);
    }

    #[test]
    fn a_function_waits_for_the_next_completion_even_in_a_later_element() {
        let source = r#"runCases("zod", [
  ["a", /*1*/() => importUsers([{ name: "ada", age: 36 }])],
  ["b", /*2*/() => new OrderService().submit({ id: "big order", total: "1.50" })],
  ["c", /*3*/() => { new OrderService().submit({ id: "x" }); }],
]);"#;
        assert_eq!(
            names(source),
            ["OrderService.submit.id", "OrderService.submit.id", ""]
        );
    }

    #[test]
    fn arrow_bodies_are_parsed_with_their_surroundings_and_function_bodies_apart() {
        // The second arrow's body names the first; a `function` body is compiled later.
        assert_eq!(
            names("function o() { return [/*1*/() => { h(); }, /*2*/() => { g({ k2: 1 }); }]; }"),
            ["g.k2", ""]
        );
        assert_eq!(
            names("var t7 = [/*1*/() => 1, /*2*/() => { function Inner() { g({ k7: 1 }); } }];"),
            ["t7", "t7"]
        );
        assert_eq!(
            names("var t8 = [/*1*/() => 1, () => { var Zed = () => { g({ k8: 1 }); }; }];"),
            ["g.k8"]
        );
        assert_eq!(
            names("function outer3() { return [/*1*/function () { h(); }, function () { g({ k: 1 }); }]; }"),
            [""]
        );
    }

    #[test]
    fn constructors_name_what_their_bodies_assign() {
        assert_eq!(
            names("function Foo() { this.bar = /*1*/function () {}; }"),
            ["Foo.bar"]
        );
        assert_eq!(
            names("var s = { m() { return [/*1*/() => 1]; } }; var Cls = class { constructor() { this.p = /*2*/() => 1; } };"),
            ["", "Cls.p"]
        );
        assert_eq!(
            names("var q = (function () { return { z: /*1*/function () {} }; })();"),
            ["q.z"]
        );
    }
}
