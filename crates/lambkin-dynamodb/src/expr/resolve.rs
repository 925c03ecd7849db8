//! From a syntax tree to a checked expression, with DynamoDB's checks in DynamoDB's order:
//! the whole expression first (`whole_checks.rs`: redundant parentheses, unknown functions,
//! functions in the wrong place, reserved words; then repeated update sections), then each part
//! as it comes (names and values defined, operand counts, operand types known from the values,
//! document paths where one is required, distinct operands), then paths that overlap or
//! conflict (`paths.rs`).

use super::ast::*;
use super::error::{ExprError, ExprKind, Reason};
use super::grammar::{self, RawClause, RawCondition, RawElement, RawOperand, RawPath, RawSetValue};
use super::paths::check_overlaps;
use super::placeholders::Expressions;
use super::syntax_error::syntax_error;
use super::whole_checks::{
    check_calls, check_reserved, condition_calls, condition_paths, operand_calls, operand_paths,
    redundant_in_condition,
};
use crate::value::{AttributeType, AttributeValue};

pub(crate) fn condition(
    ctx: &mut Expressions<'_>,
    kind: ExprKind,
    text: &str,
) -> Result<Condition, ExprError> {
    let raw = parse(kind, text, grammar::condition)?;
    if redundant_in_condition(&raw) {
        return Err(ExprError::invalid(kind, Reason::RedundantParentheses));
    }
    let mut calls = Vec::new();
    condition_calls(&raw, &mut calls);
    check_calls(kind, &calls, &["size"])?;
    let mut paths = Vec::new();
    condition_paths(&raw, &mut paths);
    check_reserved(kind, &paths)?;
    Resolver { ctx, kind }.condition(&raw)
}

pub(crate) fn update(ctx: &mut Expressions<'_>, text: &str) -> Result<Update, ExprError> {
    let kind = ExprKind::Update;
    let raw = parse(kind, text, grammar::update)?;
    let mut calls = Vec::new();
    let mut paths = Vec::new();
    for clause in &raw {
        match clause {
            RawClause::Set(actions) => {
                for (target, value) in actions {
                    paths.push(target);
                    let operands = match value {
                        RawSetValue::Operand(o) => vec![o],
                        RawSetValue::Plus(l, r) | RawSetValue::Minus(l, r) => vec![l, r],
                    };
                    for operand in operands {
                        operand_calls(operand, &mut calls);
                        operand_paths(operand, &mut paths);
                    }
                }
            }
            RawClause::Remove(targets) => paths.extend(targets),
            RawClause::Add(actions) | RawClause::Delete(actions) => {
                paths.extend(actions.iter().map(|(p, _)| p));
            }
        }
    }
    check_calls(kind, &calls, &["if_not_exists", "list_append"])?;
    check_reserved(kind, &paths)?;
    let mut seen = Vec::new();
    for clause in &raw {
        let section = match clause {
            RawClause::Set(_) => "SET",
            RawClause::Remove(_) => "REMOVE",
            RawClause::Add(_) => "ADD",
            RawClause::Delete(_) => "DELETE",
        };
        if seen.contains(&section) {
            return Err(ExprError::invalid(kind, Reason::SectionTwice(section)));
        }
        seen.push(section);
    }
    Resolver { ctx, kind }.update(&raw)
}

pub(crate) fn projection(ctx: &mut Expressions<'_>, text: &str) -> Result<Projection, ExprError> {
    let kind = ExprKind::Projection;
    let raw = parse(kind, text, grammar::projection)?;
    check_reserved(kind, &raw.iter().collect::<Vec<_>>())?;
    let mut resolver = Resolver { ctx, kind };
    let paths = raw
        .iter()
        .map(|p| resolver.path(p))
        .collect::<Result<Vec<_>, _>>()?;
    check_overlaps(kind, &paths.iter().collect::<Vec<_>>())?;
    Ok(Projection(paths))
}

fn parse<T>(
    kind: ExprKind,
    text: &str,
    grammar: fn(&str) -> Result<T, grammar::SyntaxError>,
) -> Result<T, ExprError> {
    if text.trim().is_empty() {
        return Err(ExprError::invalid(kind, Reason::Empty));
    }
    grammar(text).map_err(|offset| ExprError::invalid(kind, syntax_error(text, offset)))
}

/// Turns a checked syntax tree into an expression, resolving placeholders through the
/// request's names and values.
struct Resolver<'c, 'a> {
    ctx: &'c mut Expressions<'a>,
    kind: ExprKind,
}

impl<'a> Resolver<'_, 'a> {
    fn err(&self, reason: Reason) -> ExprError {
        ExprError::invalid(self.kind, reason)
    }

    fn path(&mut self, raw: &RawPath) -> Result<Path, ExprError> {
        raw.0
            .iter()
            .map(|element| match element {
                RawElement::Index(i) => Ok(PathElement::Index(*i)),
                RawElement::Name(name) if name.starts_with('#') => {
                    Ok(PathElement::Attribute(self.ctx.name(self.kind, name)?))
                }
                RawElement::Name(name) => Ok(PathElement::Attribute(name.clone())),
            })
            .collect::<Result<_, _>>()
            .map(Path)
    }

    fn value(&mut self, placeholder: &str) -> Result<&'a AttributeValue, ExprError> {
        self.ctx.value(self.kind, placeholder)
    }

    /// The type an operand is known to have before any item is read: a value's, or a
    /// Number for `size`.
    fn known_type(&mut self, operand: &Operand) -> Result<Option<AttributeType>, ExprError> {
        Ok(match operand {
            Operand::Value(v) => Some(self.value(v)?.attribute_type()),
            Operand::Size(_) => Some(AttributeType::N),
            Operand::Path(_) => None,
        })
    }

    fn operand(&mut self, raw: &RawOperand) -> Result<Operand, ExprError> {
        match raw {
            RawOperand::Path(p) => Ok(Operand::Path(self.path(p)?)),
            RawOperand::Value(v) => {
                self.value(v)?;
                Ok(Operand::Value(v.clone()))
            }
            RawOperand::Parens(inner) => self.operand(inner),
            // Only `size` is left here: `check_calls` refused the rest.
            RawOperand::Call(name, args) => {
                let mut args = self.operands(args)?;
                self.count(name, &args, 1)?;
                let arg = args.remove(0);
                if let Some(ty @ (AttributeType::N | AttributeType::Bool | AttributeType::Null)) =
                    self.known_type(&arg)?
                {
                    return Err(self.err(Reason::OperandType {
                        function: name.clone(),
                        operand_type: ty.code(),
                    }));
                }
                Ok(Operand::Size(Box::new(arg)))
            }
        }
    }

    fn operands(&mut self, raw: &[RawOperand]) -> Result<Vec<Operand>, ExprError> {
        raw.iter().map(|o| self.operand(o)).collect()
    }

    fn count<T>(&self, function: &str, args: &[T], wanted: usize) -> Result<(), ExprError> {
        if args.len() == wanted {
            Ok(())
        } else {
            Err(self.err(Reason::OperandCount {
                function: function.to_owned(),
                count: args.len(),
            }))
        }
    }

    /// The first operand of a comparison or function must not be repeated among the others.
    fn distinct(
        &self,
        operator: &str,
        first: &Operand,
        rest: &[&Operand],
    ) -> Result<(), ExprError> {
        match first {
            Operand::Path(p) if rest.contains(&first) => Err(self.err(Reason::NotDistinct {
                operator: operator.to_owned(),
                operand: p.to_string(),
            })),
            _ => Ok(()),
        }
    }

    fn condition(&mut self, raw: &RawCondition) -> Result<Condition, ExprError> {
        Ok(match raw {
            RawCondition::Parens(inner) => self.condition(inner)?,
            RawCondition::Not(inner) => Condition::Not(Box::new(self.condition(inner)?)),
            RawCondition::And(l, r) => {
                Condition::And(Box::new(self.condition(l)?), Box::new(self.condition(r)?))
            }
            RawCondition::Or(l, r) => {
                Condition::Or(Box::new(self.condition(l)?), Box::new(self.condition(r)?))
            }
            RawCondition::Compare(l, c, r) => {
                let (l, r) = (self.operand(l)?, self.operand(r)?);
                self.distinct(c.symbol(), &l, &[&r])?;
                Condition::Compare(l, *c, r)
            }
            RawCondition::Between(a, low, high) => {
                let (a, low, high) = (self.operand(a)?, self.operand(low)?, self.operand(high)?);
                self.distinct("BETWEEN", &a, &[&low, &high])?;
                self.bounds(&low, &high)?;
                Condition::Between(a, low, high)
            }
            RawCondition::In(a, list) => {
                let a = self.operand(a)?;
                let list = self.operands(list)?;
                self.distinct("IN", &a, &list.iter().collect::<Vec<_>>())?;
                Condition::In(a, list)
            }
            RawCondition::Call(name, args) => self.function(name, args)?,
        })
    }

    /// BETWEEN's bounds, when both are values: of one type, low not above high.
    fn bounds(&mut self, low: &Operand, high: &Operand) -> Result<(), ExprError> {
        let (Operand::Value(l), Operand::Value(h)) = (low, high) else {
            return Ok(());
        };
        let (l, h) = (self.value(l)?.clone(), self.value(h)?.clone());
        let shown = |v: &AttributeValue| match v {
            AttributeValue::S(s) => format!("{{S:{s}}}"),
            AttributeValue::N(n) => format!("{{N:{n}}}"),
            other => format!("{{{}:…}}", other.attribute_type().code()),
        };
        if l.attribute_type() != h.attribute_type() {
            return Err(self.err(Reason::BetweenTypes {
                low: shown(&l),
                high: shown(&h),
            }));
        }
        if l.compare(&h) == Some(std::cmp::Ordering::Greater) {
            return Err(self.err(Reason::BetweenOrder {
                low: shown(&l),
                high: shown(&h),
            }));
        }
        Ok(())
    }

    fn function(&mut self, name: &str, args: &[RawOperand]) -> Result<Condition, ExprError> {
        let args = self.operands(args)?;
        let path_arg = |this: &Self, arg: &Operand| match arg {
            Operand::Path(p) => Ok(p.clone()),
            _ => Err(this.err(Reason::RequiresPath(name.to_owned()))),
        };
        match name {
            "attribute_exists" | "attribute_not_exists" => {
                self.count(name, &args, 1)?;
                let path = path_arg(self, &args[0])?;
                Ok(if name == "attribute_exists" {
                    Condition::AttributeExists(path)
                } else {
                    Condition::AttributeNotExists(path)
                })
            }
            "attribute_type" => {
                self.count(name, &args, 2)?;
                let path = path_arg(self, &args[0])?;
                match (&args[1], self.known_type(&args[1])?) {
                    (Operand::Value(v), Some(AttributeType::S)) => {
                        if let AttributeValue::S(code) = self.value(v)?
                            && AttributeType::from_code(code).is_none()
                        {
                            return Err(self.err(Reason::InvalidTypeName(code.clone())));
                        }
                    }
                    (_, Some(ty)) => {
                        return Err(self.err(Reason::OperandType {
                            function: name.to_owned(),
                            operand_type: ty.code(),
                        }));
                    }
                    (_, None) => {}
                }
                self.distinct(name, &args[0], &[&args[1]])?;
                Ok(Condition::AttributeType(path, args[1].clone()))
            }
            "begins_with" | "contains" => {
                self.count(name, &args, 2)?;
                if name == "begins_with" {
                    for arg in &args {
                        if let Some(ty) = self.known_type(arg)?
                            && !matches!(ty, AttributeType::S | AttributeType::B)
                        {
                            return Err(self.err(Reason::OperandType {
                                function: name.to_owned(),
                                operand_type: ty.code(),
                            }));
                        }
                    }
                }
                self.distinct(name, &args[0], &[&args[1]])?;
                let (a, b) = (args[0].clone(), args[1].clone());
                Ok(if name == "begins_with" {
                    Condition::BeginsWith(a, b)
                } else {
                    Condition::Contains(a, b)
                })
            }
            // `check_calls` let no other function through as a condition.
            other => Err(self.err(Reason::FunctionMisused(other.to_owned()))),
        }
    }

    fn update(&mut self, raw: &[RawClause]) -> Result<Update, ExprError> {
        // DynamoDB checks ADD and DELETE values before the SET clause's functions.
        for clause in raw {
            let (operator, actions) = match clause {
                RawClause::Add(actions) => ("ADD", actions),
                RawClause::Delete(actions) => ("DELETE", actions),
                _ => continue,
            };
            for (_, value) in actions {
                let ty = self.value(value)?.attribute_type();
                let allowed = ty.is_set() || (operator == "ADD" && ty == AttributeType::N);
                if !allowed {
                    return Err(self.err(Reason::ActionOperandType {
                        operator,
                        operand_type: ty.long_name(),
                    }));
                }
            }
        }
        // Then the paths written, which must be independent, before what is written to them.
        let mut targets = Vec::new();
        for clause in raw {
            match clause {
                RawClause::Set(actions) => {
                    for (target, _) in actions {
                        targets.push(self.path(target)?);
                    }
                }
                RawClause::Remove(paths) => {
                    for target in paths {
                        targets.push(self.path(target)?);
                    }
                }
                RawClause::Add(actions) | RawClause::Delete(actions) => {
                    for (target, _) in actions {
                        targets.push(self.path(target)?);
                    }
                }
            }
        }
        check_overlaps(self.kind, &targets.iter().collect::<Vec<_>>())?;
        let mut targets = targets.into_iter();
        let mut next_target = || targets.next().expect("one resolved path per action");
        let mut update = Update::default();
        for clause in raw {
            match clause {
                RawClause::Set(actions) => {
                    for (_, value) in actions {
                        let path = next_target();
                        let value = self.set_value(value)?;
                        update.set.push(SetAction { path, value });
                    }
                }
                RawClause::Remove(paths) => {
                    update.remove.extend(paths.iter().map(|_| next_target()));
                }
                RawClause::Add(actions) => update
                    .add
                    .extend(actions.iter().map(|(_, v)| (next_target(), v.clone()))),
                RawClause::Delete(actions) => update
                    .delete
                    .extend(actions.iter().map(|(_, v)| (next_target(), v.clone()))),
            }
        }
        Ok(update)
    }

    fn set_value(&mut self, raw: &RawSetValue) -> Result<SetValue, ExprError> {
        let arithmetic = |this: &mut Self, symbol: &str, l: &RawOperand, r: &RawOperand| {
            let (l, r) = (this.set_operand(l)?, this.set_operand(r)?);
            for operand in [&l, &r] {
                this.expect_type(symbol, operand, AttributeType::N)?;
            }
            Ok::<_, ExprError>((l, r))
        };
        Ok(match raw {
            RawSetValue::Operand(o) => SetValue::Operand(self.set_operand(o)?),
            RawSetValue::Plus(l, r) => {
                let (l, r) = arithmetic(self, "+", l, r)?;
                SetValue::Plus(l, r)
            }
            RawSetValue::Minus(l, r) => {
                let (l, r) = arithmetic(self, "-", l, r)?;
                SetValue::Minus(l, r)
            }
        })
    }

    /// A value operand of `+`, `-` or `list_append` must already have the type it needs.
    fn expect_type(
        &mut self,
        function: &str,
        operand: &SetOperand,
        wanted: AttributeType,
    ) -> Result<(), ExprError> {
        if let SetOperand::Value(v) = operand {
            let ty = self.value(v)?.attribute_type();
            if ty != wanted {
                return Err(self.err(Reason::OperandType {
                    function: function.to_owned(),
                    operand_type: ty.code(),
                }));
            }
        }
        Ok(())
    }

    fn set_operand(&mut self, raw: &RawOperand) -> Result<SetOperand, ExprError> {
        Ok(match raw {
            RawOperand::Path(p) => SetOperand::Path(self.path(p)?),
            RawOperand::Value(v) => {
                self.value(v)?;
                SetOperand::Value(v.clone())
            }
            RawOperand::Parens(inner) => self.set_operand(inner)?,
            RawOperand::Call(name, args) => {
                let args = args
                    .iter()
                    .map(|a| self.set_operand(a))
                    .collect::<Result<Vec<_>, _>>()?;
                let [a, b]: [SetOperand; 2] = args.try_into().map_err(|args: Vec<_>| {
                    self.err(Reason::OperandCount {
                        function: name.clone(),
                        count: args.len(),
                    })
                })?;
                if name == "if_not_exists" {
                    let SetOperand::Path(path) = a else {
                        return Err(self.err(Reason::RequiresPath(name.clone())));
                    };
                    SetOperand::IfNotExists(path, Box::new(b))
                } else {
                    self.expect_type(name, &a, AttributeType::L)?;
                    self.expect_type(name, &b, AttributeType::L)?;
                    SetOperand::ListAppend(Box::new(a), Box::new(b))
                }
            }
        })
    }
}
