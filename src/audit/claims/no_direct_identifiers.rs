//! "No direct identifiers remain": the identifier leak scan and the hash
//! dictionary attack on corpora ([`crate::attacks::text::audit_text`]) and the
//! identifier-column scan on tables
//! ([`crate::privacy::direct_identifiers::scan_file`]). A claim over no
//! dataset scanned nothing and is never a PASS.

use serde::{Deserialize, Serialize};

use super::{require_corpus, require_table, verdict, Claim, DatasetFacts};
use crate::audit::declarations::Declared;
use crate::audit::AuditError;
use crate::eval;
use crate::report::ClaimVerdict;

/// `kind = "no_direct_identifiers"`: optional `corpora` and `tables`; with
/// both empty, every corpus and every table of the config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoDirectIdentifiers {
    /// Corpora checked. With `tables` also empty: every corpus and every table.
    #[serde(default)]
    pub corpora: Vec<String>,
    /// Tables whose release is scanned for identifier columns (e-mails,
    /// phones, names, logins, account ids, near-unique free text). With
    /// `corpora` also empty: every table and every corpus.
    #[serde(default)]
    pub tables: Vec<String>,
}

impl Claim for NoDirectIdentifiers {
    fn statement(&self) -> String {
        if self.corpora.is_empty() && self.tables.is_empty() {
            return "no direct identifiers remain in the release".to_string();
        }
        let list = |kind: &str, names: &[String]| {
            (!names.is_empty()).then(|| {
                format!(
                    "{kind} {}",
                    names
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        };
        let parts: Vec<String> = [list("corpora", &self.corpora), list("tables", &self.tables)]
            .into_iter()
            .flatten()
            .collect();
        format!("no direct identifiers remain in {}", parts.join(" and "))
    }

    fn check(&self, config: &Declared, at: &str) -> Result<(), String> {
        for c in &self.corpora {
            require_corpus(config, at, c)?;
        }
        for t in &self.tables {
            require_table(config, at, t)?;
        }
        if config.corpora.is_empty() && config.tables.is_empty() {
            return Err(format!(
                "{at}: declare at least one [[corpus]] or [[table]] to scan"
            ));
        }
        Ok(())
    }

    fn decide(&self, facts: &DatasetFacts, _level: f64) -> Result<ClaimVerdict, AuditError> {
        let everything = self.corpora.is_empty() && self.tables.is_empty();
        let selected: Vec<_> = facts
            .corpora()
            .filter(|c| everything || self.corpora.contains(&c.name))
            .collect();
        let selected_tables: Vec<_> = facts
            .tables()
            .filter(|t| everything || self.tables.contains(&t.name))
            .collect();
        let surviving: usize = selected.iter().map(|c| c.text.leak_scan.n_surviving).sum();
        let reversed: usize = selected.iter().map(|c| c.text.hash_attack.recovered).sum();
        let columns: usize = selected_tables
            .iter()
            .map(|t| t.direct_identifiers.as_ref().map_or(0, |d| d.flagged.len()))
            .sum();
        let docs: usize = selected
            .iter()
            .map(|c| c.text.leak_scan.documents_with_leaks)
            .sum();
        let ambiguous: usize = selected
            .iter()
            .map(|c| c.text.leak_scan.ambiguous_not_counted)
            .sum();
        let mut per_dataset: Vec<String> = selected
            .iter()
            .map(|c| {
                format!(
                    "corpus `{}`: {} identifiers, {} hashes",
                    c.name, c.text.leak_scan.n_surviving, c.text.hash_attack.recovered
                )
            })
            .collect();
        per_dataset.extend(selected_tables.iter().map(|t| {
            let Some(d) = &t.direct_identifiers else {
                return format!("table `{}`: not scanned", t.name);
            };
            if d.flagged.is_empty() {
                format!("table `{}`: no identifier column", t.name)
            } else {
                format!(
                    "table `{}`: identifier columns {}",
                    t.name,
                    d.columns
                        .iter()
                        .filter(|c| c.flagged)
                        .map(|c| format!(
                            "`{}` ({})",
                            c.column,
                            c.category.map_or("-", |k| k.label())
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }));
        let found = (surviving + reversed + columns) as f64;
        // A claim over no dataset scanned nothing: never a PASS.
        let scanned = (selected.len() + selected_tables.len()) as u64;
        let (v, mut warnings) = eval::guard(
            eval::at_most(found, 0.0),
            &[eval::CoverageCheck {
                what: "corpora and tables scanned for identifiers".into(),
                covered: scanned,
                total: scanned,
                required_share: 1.0,
                cause: "No [[corpus]] or [[table]] is named by the claim or declared in the config."
                    .into(),
            }],
        );
        if ambiguous > 0 {
            warnings.push(format!(
                "{ambiguous} occurrence(s) of known identifiers that are also ordinary words or code tokens (e.g. a login `link`) were found outside identifier context and not counted; the corpus sections list them by reason."
            ));
        }
        Ok(verdict(
            self,
            v,
            "direct identifiers found (surviving + hashes reversed + identifier columns)",
            Some(found),
            None,
            "identifier leak scan, hash dictionary attack and table column scan",
            format!(
                "{surviving} distinct identifiers of the originals survive in {docs} release documents, {reversed} pseudonyms/hashes are reversed by hashing known identifiers, and {columns} release table column(s) hold direct identifiers ({}).",
                per_dataset.join("; ")
            ),
            warnings,
        ))
    }
}
