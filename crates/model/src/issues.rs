//! Input problems reported to users: each names the file, line, column, the
//! value and what to do.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputIssue {
    /// The file (e.g. `pupils.csv`) or document (e.g. `problem.json`).
    pub source: String,
    /// 1-based line in the file, when the input is a CSV file.
    pub line: Option<u64>,
    /// The column (CSV) or field path (JSON, e.g. `pupils[3].school`).
    pub field: Option<String>,
    /// The offending value as written.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl InputIssue {
    /// The issue with its value cut to a short prefix
    /// ([`crate::limits::excerpt`]) and its message and hint to
    /// [`crate::limits::MAX_MESSAGE_CHARS`], so no input can make a message
    /// (or a gRPC status) of unbounded size. Every [`InputErrors`] holds
    /// bounded issues only.
    pub fn bounded(mut self) -> Self {
        use crate::limits::{excerpt, excerpt_to, MAX_MESSAGE_CHARS};
        fn cut(s: &mut String, f: impl Fn(&str) -> std::borrow::Cow<'_, str>) {
            if let std::borrow::Cow::Owned(o) = f(s) {
                *s = o;
            }
        }
        if let Some(v) = &mut self.value {
            cut(v, excerpt);
        }
        cut(&mut self.message, |s| excerpt_to(s, MAX_MESSAGE_CHARS));
        cut(&mut self.hint, |s| excerpt_to(s, MAX_MESSAGE_CHARS));
        cut(&mut self.source, |s| excerpt_to(s, MAX_MESSAGE_CHARS));
        if let Some(f) = &mut self.field {
            cut(f, |s| excerpt_to(s, MAX_MESSAGE_CHARS));
        }
        self
    }
}

impl fmt::Display for InputIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        if let Some(v) = &self.value {
            write!(f, " = {v:?}")?;
        }
        write!(f, ": {}", self.message)?;
        if !self.hint.is_empty() {
            write!(f, " ({})", self.hint)?;
        }
        Ok(())
    }
}

/// Every problem found in an input, reported together. Issues added with
/// [`InputErrors::push`], [`InputErrors::extend`] or `From` are
/// [bounded](InputIssue::bounded).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InputErrors(pub Vec<InputIssue>);

impl InputErrors {
    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The problems.
    pub fn issues(&self) -> &[InputIssue] {
        &self.0
    }

    /// `Ok(value)` when empty, else `Err(self)`.
    pub fn into_result<T>(self, value: T) -> Result<T, InputErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Adds a problem, [bounded](InputIssue::bounded). Past
    /// [`crate::limits::MAX_ISSUES`] problems, one last issue says so and
    /// further ones are dropped, so a broken file of a million rows does
    /// not make a million messages.
    pub fn push(&mut self, issue: InputIssue) {
        use crate::limits::MAX_ISSUES;
        match self.0.len() {
            n if n < MAX_ISSUES => self.0.push(issue.bounded()),
            n if n == MAX_ISSUES => self.0.push(InputIssue {
                source: issue.source,
                line: None,
                field: None,
                value: None,
                message: format!("more than {MAX_ISSUES} problems; only the first {MAX_ISSUES} are listed"),
                hint: "fix these (a wrong delimiter or encoding often breaks every row) and check again".into(),
            }.bounded()),
            _ => {}
        }
    }

    /// Adds problems, each [bounded](InputIssue::bounded).
    pub fn extend(&mut self, issues: impl IntoIterator<Item = InputIssue>) {
        for i in issues {
            self.push(i);
        }
    }
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "{n} problem{} in the input:",
            if n == 1 { "" } else { "s" }
        )?;
        for issue in &self.0 {
            writeln!(f, "  - {issue}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}

impl From<InputIssue> for InputErrors {
    fn from(i: InputIssue) -> Self {
        InputErrors(vec![i.bounded()])
    }
}
