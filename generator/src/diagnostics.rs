//! Content errors that name the file, the line and what to fix.
//!
//! `storefront check` reports every problem at once, so loading and
//! validation push into a `Diagnostics` list instead of stopping at the first.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based; None when the problem is the file as a whole.
    pub line: Option<usize>,
    pub message: String,
    /// A price below cost, as data: the back office says it in the
    /// reseller's language (`message` is `storefront check`'s English).
    pub loss: Option<Box<storefront_core::pricing::Loss>>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file.display(), l, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, file: &Path, line: Option<usize>, message: impl Into<String>) {
        self.0.push(Diagnostic {
            file: file.to_path_buf(),
            line,
            message: message.into(),
            loss: None,
        });
    }

    /// A pricing error, with its loss when it is one.
    pub fn push_pricing(
        &mut self,
        file: &Path,
        line: Option<usize>,
        e: storefront_core::pricing::PricingError,
    ) {
        self.0.push(Diagnostic {
            file: file.to_path_buf(),
            line,
            message: e.message,
            loss: e.loss,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Sorted by file and line so that reports are stable between runs.
    pub fn sorted(mut self) -> Self {
        self.0
            .sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
        self.0.dedup();
        self
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let n = self.0.len();
        write!(f, "{n} problem{} found", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

/// 1-based line of a byte offset.
pub fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A step in a TOML key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Name(String),
    Index(usize),
}

impl From<&str> for Key {
    fn from(s: &str) -> Self {
        Key::Name(s.to_string())
    }
}

impl From<String> for Key {
    fn from(s: String) -> Self {
        Key::Name(s)
    }
}

impl From<usize> for Key {
    fn from(i: usize) -> Self {
        Key::Index(i)
    }
}

/// The line of the deepest key of `path` found in a TOML document: a
/// semantic error found after deserialising still points at the right line.
pub fn locate(src: &str, path: &[Key]) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(src).ok()?;
    let mut best = None;
    let table = doc.into_inner();
    let mut current: Option<&toml::Spanned<DeValue<'_>>> = None;
    for (i, key) in path.iter().enumerate() {
        let next = match (i, key) {
            (0, Key::Name(n)) => table
                .iter()
                .find(|(k, _)| k.get_ref().as_ref() == n.as_str())
                .map(|(k, v)| {
                    best = Some(k.span().start);
                    v
                }),
            (0, Key::Index(_)) => None,
            (_, Key::Name(n)) => current.and_then(|v| v.get_ref().get(n.as_str())),
            (_, Key::Index(ix)) => current.and_then(|v| v.get_ref().get(*ix)),
        };
        match next {
            Some(v) => {
                if i > 0 {
                    best = Some(v.span().start);
                }
                current = Some(v);
            }
            None => break,
        }
    }
    best.map(|o| line_of(src, o))
}

/// Key paths written tersely: `path!["groups", 0, "extensions"]`.
#[macro_export]
macro_rules! path {
    ($($k:expr),* $(,)?) => { [$($crate::diagnostics::Key::from($k)),*] };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_keys_and_array_items() {
        let src = "name = \"x\"\n\n[colours]\nprimary = \"red\"\n\n[[groups]]\nid = \"a\"\nextensions = [\n  \"com\",\n  \"nope\",\n]\n";
        assert_eq!(locate(src, &path!["name"]), Some(1));
        assert_eq!(locate(src, &path!["colours", "primary"]), Some(4));
        assert_eq!(locate(src, &path!["groups", 0, "extensions", 1]), Some(10));
        // A missing leaf falls back to its deepest known parent.
        assert_eq!(locate(src, &path!["colours", "accent"]), Some(3));
    }
}
