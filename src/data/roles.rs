//! Column roles: what each column of a release or an original is.
//!
//! A [`ColumnRoles`] value is the part of an audit configuration that names
//! columns: direct identifiers, quasi-identifiers, sensitive attributes, free
//! text, the author of a text, a timestamp, and the optional truth key that maps
//! a release row to its original (used only to score experiments). It is a
//! serde struct, so it reads from the JSON/TOML/YAML config as
//!
//! ```json
//! { "quasi_identifiers": ["age", "sex", "zip"], "sensitive": ["disease"],
//!   "identifiers": ["name"], "truth_key": "record_id" }
//! ```
//!
//! As in ARX (`AttributeType`: identifying, quasi-identifying, sensitive,
//! insensitive), each column has at most one role; columns without a role are
//! ignored by the metrics. This module only checks names against a header; it
//! does not read data.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::DataError;

/// The role of one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    /// A direct identifier (name, email, username): removed or pseudonymized in a release.
    Identifier,
    /// A quasi-identifier: identifying in combination (age, ZIP code, sex).
    QuasiIdentifier,
    /// A sensitive attribute the adversary wants to learn (diagnosis, salary).
    Sensitive,
    /// Free text (ticket description, comment body).
    Text,
    /// The author of a text column (for stylometry).
    Author,
    /// A timestamp (for traces and unicity).
    Timestamp,
    /// The key linking a release row to its original, used only to score experiments.
    TruthKey,
}

impl ColumnRole {
    /// Every role, in declaration order.
    pub const ALL: [ColumnRole; 7] = [
        ColumnRole::Identifier,
        ColumnRole::QuasiIdentifier,
        ColumnRole::Sensitive,
        ColumnRole::Text,
        ColumnRole::Author,
        ColumnRole::Timestamp,
        ColumnRole::TruthKey,
    ];

    /// The snake_case name used in configs and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnRole::Identifier => "identifier",
            ColumnRole::QuasiIdentifier => "quasi_identifier",
            ColumnRole::Sensitive => "sensitive",
            ColumnRole::Text => "text",
            ColumnRole::Author => "author",
            ColumnRole::Timestamp => "timestamp",
            ColumnRole::TruthKey => "truth_key",
        }
    }
}

impl fmt::Display for ColumnRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which columns play which role. Lists keep the user's order (the order of
/// quasi-identifiers is the order of columns in reports).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColumnRoles {
    /// Direct identifiers.
    pub identifiers: Vec<String>,
    /// Quasi-identifiers.
    pub quasi_identifiers: Vec<String>,
    /// Sensitive attributes.
    pub sensitive: Vec<String>,
    /// Free-text columns.
    pub text: Vec<String>,
    /// The author column, if any.
    pub author: Option<String>,
    /// The timestamp column, if any.
    pub timestamp: Option<String>,
    /// The truth-key column, if any.
    pub truth_key: Option<String>,
}

impl ColumnRoles {
    /// Builds roles from `(column, role)` pairs, in order. Single-valued roles
    /// (author, timestamp, truth key) keep the last column given.
    pub fn from_pairs<S: AsRef<str>>(pairs: &[(S, ColumnRole)]) -> Self {
        let mut roles = ColumnRoles::default();
        for (column, role) in pairs {
            let column = column.as_ref().to_string();
            match role {
                ColumnRole::Identifier => roles.identifiers.push(column),
                ColumnRole::QuasiIdentifier => roles.quasi_identifiers.push(column),
                ColumnRole::Sensitive => roles.sensitive.push(column),
                ColumnRole::Text => roles.text.push(column),
                ColumnRole::Author => roles.author = Some(column),
                ColumnRole::Timestamp => roles.timestamp = Some(column),
                ColumnRole::TruthKey => roles.truth_key = Some(column),
            }
        }
        roles
    }

    /// Every `(column, role)` pair, roles in [`ColumnRole::ALL`] order.
    pub fn pairs(&self) -> Vec<(&str, ColumnRole)> {
        let mut out = Vec::new();
        let lists = [
            (&self.identifiers, ColumnRole::Identifier),
            (&self.quasi_identifiers, ColumnRole::QuasiIdentifier),
            (&self.sensitive, ColumnRole::Sensitive),
            (&self.text, ColumnRole::Text),
        ];
        for (list, role) in lists {
            out.extend(list.iter().map(|c| (c.as_str(), role)));
        }
        let singles = [
            (&self.author, ColumnRole::Author),
            (&self.timestamp, ColumnRole::Timestamp),
            (&self.truth_key, ColumnRole::TruthKey),
        ];
        for (single, role) in singles {
            out.extend(single.iter().map(|c| (c.as_str(), role)));
        }
        out
    }

    /// The columns with role `role`, in order.
    pub fn columns_with(&self, role: ColumnRole) -> Vec<&str> {
        self.pairs()
            .into_iter()
            .filter(|&(_, r)| r == role)
            .map(|(c, _)| c)
            .collect()
    }

    /// The role of `column`, if it has one.
    pub fn role_of(&self, column: &str) -> Option<ColumnRole> {
        self.pairs()
            .into_iter()
            .find(|&(c, _)| c == column)
            .map(|(_, r)| r)
    }

    /// Every column that has a role, without repeats, in [`pairs`](Self::pairs) order:
    /// the projection to read from a file.
    pub fn columns(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for (c, _) in self.pairs() {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// Checks the roles against a file's header: every named column must be
    /// in `header` ([`DataError::RoleColumnMissing`] lists the available
    /// columns) and no column may have two roles or be listed twice
    /// ([`DataError::RoleConflict`]).
    pub fn validate<S: AsRef<str>>(&self, header: &[S]) -> Result<(), DataError> {
        let pairs = self.pairs();
        for (i, &(column, role)) in pairs.iter().enumerate() {
            if !header.iter().any(|h| h.as_ref() == column) {
                return Err(DataError::RoleColumnMissing {
                    role,
                    column: column.to_string(),
                    available: header.iter().map(|h| h.as_ref().to_string()).collect(),
                });
            }
            if let Some(&(_, first)) = pairs[..i].iter().find(|&&(c, _)| c == column) {
                return Err(DataError::RoleConflict {
                    column: column.to_string(),
                    first,
                    second: role,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_config_and_lists_columns_by_role() {
        let json = r#"{"quasi_identifiers": ["age", "sex"], "sensitive": ["disease"],
                       "identifiers": ["name"], "truth_key": "id"}"#;
        let roles: ColumnRoles = serde_json::from_str(json).unwrap();
        assert_eq!(roles.quasi_identifiers, vec!["age", "sex"]);
        assert_eq!(roles.role_of("disease"), Some(ColumnRole::Sensitive));
        assert_eq!(roles.role_of("id"), Some(ColumnRole::TruthKey));
        assert_eq!(roles.role_of("zip"), None);
        assert_eq!(
            roles.columns_with(ColumnRole::QuasiIdentifier),
            vec!["age", "sex"]
        );
        assert_eq!(roles.columns(), vec!["name", "age", "sex", "disease", "id"]);
        roles
            .validate(&["id", "name", "age", "sex", "disease", "zip"])
            .unwrap();
        let back: ColumnRoles =
            serde_json::from_str(&serde_json::to_string(&roles).unwrap()).unwrap();
        assert_eq!(back, roles);
    }

    #[test]
    fn from_pairs_matches_the_struct() {
        let roles = ColumnRoles::from_pairs(&[
            ("age", ColumnRole::QuasiIdentifier),
            ("body", ColumnRole::Text),
            ("who", ColumnRole::Author),
            ("when", ColumnRole::Timestamp),
        ]);
        assert_eq!(roles.quasi_identifiers, vec!["age"]);
        assert_eq!(roles.text, vec!["body"]);
        assert_eq!(roles.author.as_deref(), Some("who"));
        assert_eq!(roles.timestamp.as_deref(), Some("when"));
        assert_eq!(roles.pairs().len(), 4);
    }

    #[test]
    fn a_missing_column_is_named_with_the_available_ones() {
        let roles = ColumnRoles::from_pairs(&[("agee", ColumnRole::QuasiIdentifier)]);
        let msg = roles.validate(&["age", "sex"]).unwrap_err().to_string();
        assert!(msg.contains("quasi_identifier column `agee`"), "{msg}");
        assert!(msg.contains("age, sex"), "{msg}");
    }

    #[test]
    fn a_column_with_two_roles_is_rejected() {
        let roles = ColumnRoles::from_pairs(&[
            ("age", ColumnRole::QuasiIdentifier),
            ("age", ColumnRole::Sensitive),
        ]);
        let msg = roles.validate(&["age"]).unwrap_err().to_string();
        assert!(
            msg.contains("`age`") && msg.contains("quasi_identifier and sensitive"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_config_keys_are_rejected() {
        let err = serde_json::from_str::<ColumnRoles>(r#"{"quasi_identifier": ["age"]}"#);
        assert!(err.is_err());
    }
}
