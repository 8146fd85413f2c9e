//! What can be wrong with a workspace or a model specification.

/// A workspace or model specification that cannot be used, with the place and the problem.
///
/// Paths follow the JSON document, as a user would point at it:
/// `channels[1].samples[0].modifiers[2]`, `measurements[0].config.poi`.
///
/// ```
/// use gradhep_core::histfactory::Workspace;
/// let err = Workspace::from_json(r#"{"channels": [}"#).unwrap_err();
/// assert!(err.to_string().starts_with("invalid JSON at line 1, column 15"));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The text is not JSON at all.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line of the first offending character.
        line: usize,
        /// 1-based column of the first offending character.
        column: usize,
        /// What the JSON parser expected.
        message: String,
    },
    /// The JSON is well formed but is not a valid workspace or model.
    #[error("{path}: {problem}")]
    Invalid {
        /// Where in the document the problem is (`channels[0].samples[1].data[3]`).
        path: String,
        /// What is wrong there.
        problem: String,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's reason.
        message: String,
    },
}

impl Error {
    /// An [`Error::Invalid`] at `path`.
    pub(crate) fn invalid(path: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::Invalid {
            path: path.into(),
            problem: problem.into(),
        }
    }
}
