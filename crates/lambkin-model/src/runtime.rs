//! The managed runtimes lambkin can run, and how each is started.

use std::fmt;

use crate::ModelError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Runtime {
    Provided,
    ProvidedAl2,
    ProvidedAl2023,
    Nodejs18,
    Nodejs20,
    Nodejs22,
    Python39,
    Python310,
    Python311,
    Python312,
    Python313,
}

/// How an environment of a runtime is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeFamily {
    /// Executes `bootstrap` from the code root.
    Provided,
    /// lambkin's Node.js bootstrap loads `file.export`.
    Node,
    /// lambkin's Python bootstrap (or `awslambdaric`) loads `module.function`.
    Python,
}

const ALL: &[(Runtime, &str)] = &[
    (Runtime::Provided, "provided"),
    (Runtime::ProvidedAl2, "provided.al2"),
    (Runtime::ProvidedAl2023, "provided.al2023"),
    (Runtime::Nodejs18, "nodejs18.x"),
    (Runtime::Nodejs20, "nodejs20.x"),
    (Runtime::Nodejs22, "nodejs22.x"),
    (Runtime::Python39, "python3.9"),
    (Runtime::Python310, "python3.10"),
    (Runtime::Python311, "python3.11"),
    (Runtime::Python312, "python3.12"),
    (Runtime::Python313, "python3.13"),
];

impl Runtime {
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        ALL.iter()
            .find(|(_, name)| *name == s)
            .map(|(r, _)| *r)
            .ok_or_else(|| ModelError::UnsupportedRuntime(s.to_string()))
    }

    pub fn as_str(self) -> &'static str {
        ALL.iter()
            .find(|(r, _)| *r == self)
            .map(|(_, name)| *name)
            .unwrap_or("provided")
    }

    /// Names accepted by `parse`, for AWS's "Member must satisfy enum value set" message.
    pub fn names() -> impl Iterator<Item = &'static str> {
        ALL.iter().map(|(_, name)| *name)
    }

    pub fn family(self) -> RuntimeFamily {
        match self {
            Runtime::Provided | Runtime::ProvidedAl2 | Runtime::ProvidedAl2023 => {
                RuntimeFamily::Provided
            }
            Runtime::Nodejs18 | Runtime::Nodejs20 | Runtime::Nodejs22 => RuntimeFamily::Node,
            _ => RuntimeFamily::Python,
        }
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for name in Runtime::names() {
            let r = Runtime::parse(name).expect("listed names parse");
            assert_eq!(r.as_str(), name);
        }
        assert!(Runtime::parse("java21").is_err());
        assert_eq!(
            Runtime::parse("nodejs20.x").map(Runtime::family),
            Ok(RuntimeFamily::Node)
        );
        assert_eq!(
            Runtime::parse("python3.12").map(Runtime::family),
            Ok(RuntimeFamily::Python)
        );
        assert_eq!(
            Runtime::parse("provided.al2023").map(Runtime::family),
            Ok(RuntimeFamily::Provided)
        );
    }
}
