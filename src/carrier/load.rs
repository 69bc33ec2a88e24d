//! Reading profile files: TOML text → validated profiles, with errors that name the file, the
//! line and column, and the field.
//!
//! A file holds `[[carrier]]` tables (built-ins and user files alike). The text is read twice:
//! once into a tree that remembers the byte span of every key and value (so any problem can be
//! pointed at), once through serde into [`Profile`]s.

use super::profile::{path_to_string, FieldProblem, PathSeg, Profile};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// A profile file that cannot be used: where and what.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// File name as given.
        file: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Bad TOML, a field of the wrong shape, or a value that fails validation.
    #[error("{}", render_invalid(file, *line, *column, field.as_deref(), message))]
    Invalid {
        /// File name as given (built-ins: `carriers/jp.toml`).
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// Field path inside the profile, e.g. `methods[0].kind`, when known.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
}

fn render_invalid(
    file: &str,
    line: usize,
    column: usize,
    field: Option<&str>,
    message: &str,
) -> String {
    match field {
        Some(f) => format!("{file}:{line}: field \"{f}\": {message}"),
        None => format!("{file}:{line}:{column}: {message}"),
    }
}

impl ProfileError {
    /// The 1-based line of the problem, when it has one.
    pub fn line(&self) -> Option<usize> {
        match self {
            ProfileError::Invalid { line, .. } => Some(*line),
            ProfileError::Io { .. } => None,
        }
    }

    /// The field path of the problem (`methods[0].kind`), when known.
    pub fn field(&self) -> Option<&str> {
        match self {
            ProfileError::Invalid { field, .. } => field.as_deref(),
            ProfileError::Io { .. } => None,
        }
    }
}

/// A TOML value with the byte span of every nested key and value.
#[derive(Debug)]
pub(crate) enum Tree {
    Table(Vec<(Spanned<String>, Spanned<Tree>)>),
    Array(Vec<Spanned<Tree>>),
    Leaf,
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Tree;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any TOML value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_str<E>(self, _: &str) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Tree, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element::<Spanned<Tree>>()? {
                    v.push(x);
                }
                Ok(Tree::Array(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Tree, A::Error> {
                let mut v = Vec::new();
                while let Some(k) = a.next_key::<Spanned<String>>()? {
                    // Datetimes arrive as a one-key map whose value is a string; any shape works.
                    let val = a.next_value::<Spanned<Tree>>()?;
                    v.push((k, val));
                }
                Ok(Tree::Table(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl Tree {
    fn child(&self, seg: &PathSeg) -> Option<(Range<usize>, &Spanned<Tree>)> {
        match (self, seg) {
            (Tree::Table(entries), PathSeg::Key(k)) => entries
                .iter()
                .find(|(key, _)| key.get_ref() == k)
                .map(|(key, v)| (key.span(), v)),
            (Tree::Array(items), PathSeg::Index(i)) => items.get(*i).map(|v| (v.span(), v)),
            _ => None,
        }
    }

    fn node(&self, path: &[PathSeg]) -> Option<&Tree> {
        let mut node = self;
        for seg in path {
            node = node.child(seg)?.1.get_ref();
        }
        Some(node)
    }

    /// For a table: the key whose value text holds the value serde complained about
    /// (`invalid value: string "maybe"` → the key written `= "maybe"`).
    fn key_holding(&self, text: &str, message: &str) -> Option<String> {
        let Tree::Table(entries) = self else {
            return None;
        };
        let token = message
            .split_once("string \"")
            .and_then(|(_, rest)| rest.split('"').next())
            .map(|v| format!("\"{v}\""))
            .or_else(|| {
                let (_, rest) = message.split_once(['`'])?;
                rest.split('`').next().map(str::to_string)
            })?;
        entries
            .iter()
            .find(|(_, v)| {
                matches!(v.get_ref(), Tree::Leaf)
                    && text
                        .get(v.span())
                        .is_some_and(|t| t.contains(token.as_str()))
            })
            .map(|(k, _)| k.get_ref().clone())
    }

    /// The span of the deepest node along `path` (the key's line for table entries).
    fn span_of(&self, root_span: Range<usize>, path: &[PathSeg]) -> Range<usize> {
        let mut best = root_span;
        let mut node = self;
        for seg in path {
            match node.child(seg) {
                Some((span, next)) => {
                    best = span;
                    node = next.get_ref();
                }
                None => break,
            }
        }
        best
    }

    /// The path to the deepest node whose span contains `pos`. Spans of array-of-tables
    /// entries do not cover their sub-tables (`[[carrier.methods]]` comes after the
    /// `[[carrier]]` body), so every branch is searched, not only the enclosing one.
    fn path_at(&self, pos: usize) -> Vec<PathSeg> {
        let mut path = Vec::new();
        self.find(pos, &mut path);
        path
    }

    fn find(&self, pos: usize, path: &mut Vec<PathSeg>) -> bool {
        let children: Vec<(PathSeg, Range<usize>, &Spanned<Tree>)> = match self {
            Tree::Table(entries) => entries
                .iter()
                .map(|(k, v)| (PathSeg::Key(k.get_ref().clone()), k.span(), v))
                .collect(),
            Tree::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (PathSeg::Index(i), v.span(), v))
                .collect(),
            Tree::Leaf => return false,
        };
        for (seg, key_span, child) in children {
            path.push(seg);
            if child.get_ref().find(pos, path) {
                return true;
            }
            if child.span().contains(&pos) || key_span.contains(&pos) {
                return true;
            }
            path.pop();
        }
        false
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    #[serde(default)]
    carrier: Vec<Profile>,
}

/// One profile read from a file, with where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub profile: Profile,
    pub file: String,
    /// Line of the `[[carrier]]` table.
    pub line: usize,
    /// Line of the `parent` key, if any (to point at unknown parents later).
    pub parent_line: Option<usize>,
}

/// Parses and validates one file's text. `file` names it in errors.
pub(crate) fn parse_file(file: &str, text: &str) -> Result<Vec<Loaded>, ProfileError> {
    let invalid = |span: Range<usize>, field: Option<String>, message: String| {
        let (line, column) = line_col(text, span.start);
        ProfileError::Invalid {
            file: file.to_string(),
            line,
            column,
            field,
            message,
        }
    };
    // Pass 1: syntax, and the span tree.
    let tree: Tree = toml::from_str(text).map_err(|e| {
        invalid(
            e.span().unwrap_or(0..0),
            None,
            format!("TOML syntax: {}", e.message().trim()),
        )
    })?;
    let whole = 0..text.len();
    // Pass 2: shape, through serde.
    let shape: FileShape = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            let mut path = match e.span() {
                Some(span) => tree.path_at(span.start),
                // Internally tagged enums (methods) lose the span; find the table by hand.
                None => locate_without_span(text),
            };
            // Spans inside internally tagged enums are coarse: trust the value-based search
            // for which method failed.
            if matches!(path.as_slice(), [_, _, PathSeg::Key(m), ..] if m == "methods") {
                let refined = locate_without_span(text);
                if refined.len() >= 4 {
                    path = refined;
                }
            }
            let (message, mut extra) = explain_serde(e.message());
            if extra.is_empty() {
                if let Some(k) = tree
                    .node(&path)
                    .and_then(|n| n.key_holding(text, e.message()))
                {
                    extra.push(PathSeg::Key(k));
                }
            }
            // The span may already point at the named field; do not name it twice.
            if path.last() != extra.first() {
                path.extend(extra);
            }
            let span = tree.span_of(whole.clone(), &path);
            return Err(invalid(span, relative_field(&path), message));
        }
    };
    let mut out = Vec::with_capacity(shape.carrier.len());
    for (i, profile) in shape.carrier.into_iter().enumerate() {
        let base = vec![PathSeg::Key("carrier".into()), PathSeg::Index(i)];
        let table_span = tree.span_of(whole.clone(), &base);
        if let Err(FieldProblem { path, message }) = profile.validate() {
            let full: Vec<PathSeg> = base.iter().cloned().chain(path).collect();
            return Err(invalid(
                tree.span_of(whole.clone(), &full),
                relative_field(&full),
                message,
            ));
        }
        if let Some(prev) = out.iter().find(|l: &&Loaded| l.profile.id == profile.id) {
            let full: Vec<PathSeg> = base
                .iter()
                .cloned()
                .chain([PathSeg::Key("id".into())])
                .collect();
            return Err(invalid(
                tree.span_of(whole.clone(), &full),
                Some("id".into()),
                format!(
                    "duplicate id \"{}\" (first defined at line {})",
                    profile.id, prev.line
                ),
            ));
        }
        let parent_line = profile.parent.as_ref().map(|_| {
            let full: Vec<PathSeg> = base
                .iter()
                .cloned()
                .chain([PathSeg::Key("parent".into())])
                .collect();
            line_col(text, tree.span_of(whole.clone(), &full).start).0
        });
        out.push(Loaded {
            profile,
            file: file.to_string(),
            line: line_col(text, table_span.start).0,
            parent_line,
        });
    }
    Ok(out)
}

/// Finds the first carrier (and method inside it) that serde rejects, for errors that come
/// without a span.
fn locate_without_span(text: &str) -> Vec<PathSeg> {
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return Vec::new();
    };
    let Some(toml::Value::Array(carriers)) = table.get("carrier") else {
        return Vec::new();
    };
    for (i, c) in carriers.iter().enumerate() {
        if Profile::deserialize(c.clone()).is_ok() {
            continue;
        }
        let mut path = vec![PathSeg::Key("carrier".into()), PathSeg::Index(i)];
        if let Some(toml::Value::Array(methods)) = c.get("methods") {
            if let Some(j) = methods
                .iter()
                .position(|m| super::profile::Method::deserialize(m.clone()).is_err())
            {
                path.extend([PathSeg::Key("methods".into()), PathSeg::Index(j)]);
            }
        }
        return path;
    }
    Vec::new()
}

/// `carrier[2].methods[0].kind` → `methods[0].kind`; file-level paths stay as they are.
fn relative_field(path: &[PathSeg]) -> Option<String> {
    match path {
        [] => None,
        [PathSeg::Key(c), PathSeg::Index(_)] if c == "carrier" => None,
        [PathSeg::Key(c), PathSeg::Index(_), rest @ ..] if c == "carrier" => {
            Some(path_to_string(rest))
        }
        other => Some(path_to_string(other)),
    }
}

/// Rewrites serde's messages for people, and returns a field the message names that the span
/// does not reach (a missing field is reported at its table; an unknown enum tag at the table
/// of the method).
fn explain_serde(msg: &str) -> (String, Vec<PathSeg>) {
    let msg = msg.trim();
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let name = rest.split('`').next().unwrap_or("");
        return (
            format!("unknown kind \"{name}\" (expected ussd, sms, inbox, none)"),
            vec![PathSeg::Key("kind".into())],
        );
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        let text = if name == "kind" {
            "missing field \"kind\" (expected ussd, sms, inbox, none)".to_string()
        } else {
            format!("missing field \"{name}\"")
        };
        return (text, vec![PathSeg::Key(name.to_string())]);
    }
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        let expected = rest
            .split_once(", expected ")
            .map(|(_, e)| e.replace('`', ""))
            .unwrap_or_default();
        let text = if expected.is_empty() {
            format!("unknown field \"{name}\"")
        } else {
            format!("unknown field \"{name}\" (expected {expected})")
        };
        return (text, vec![PathSeg::Key(name.to_string())]);
    }
    (msg.to_string(), Vec::new())
}
