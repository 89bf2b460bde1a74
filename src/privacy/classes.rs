//! Equivalence classes: one group-by over the quasi-identifier (QI) codes.
//!
//! [`EquivalenceClasses::build`] groups the rows of an [`EncodedTable`] by the
//! tuple of their QI codes and records, in the same pass, for every sensitive
//! attribute the per-class value counts (sparse, CSR layout: the distinct codes
//! of a class with their counts) and the overall distribution. Every metric in
//! this module reads these counts; none goes back to the rows.
//!
//! How the group-by works: each QI code tuple becomes one `u64` key by mixed
//! radix (`key = c_1 + n_1 (c_2 + n_2 (c_3 + ...))`, `n_i` the number of distinct
//! values of QI `i`) when the product of the cardinalities fits in 64 bits;
//! otherwise the tuple is hashed to 64 bits and ties on the hash are broken by
//! comparing the tuples, so hash collisions never merge classes. Mixed-radix
//! keys are grouped by a counting sort (blocks of rows number their distinct
//! keys, the distinct keys alone are sorted, every row is placed in its
//! class's bucket: one hash lookup per row); hashed tuples by a parallel sort
//! of `(hash, row)` pairs. Per-class sensitive counts come from a dense
//! classes x values grid when it is small next to the rows, else from
//! `class << 32 | code` words laid out in class order, each class's run
//! sorted in parallel, and a run-length pass. No allocation happens per
//! row; beyond the code columns, memory is about 8 bytes per row (each row's
//! class and the rows in class order) plus the sensitive counts.
//!
//! Value policies (documented once here, used by every metric):
//!
//! * **Missing values** (the [`MissingPolicy`](crate::data::MissingPolicy)
//!   code, `?` by default) are a value like any other: all rows missing a QI
//!   share that value and may form a class together. pyCANON, which groups with
//!   pandas `groupby(dropna=True)`, silently drops rows with a NaN QI instead;
//!   on data read as text (as here and in pyCANON's own CSV reader, where `?`
//!   stays a string) the two agree.
//! * **Partially suppressed rows** (some QIs `*`): `*` is the root of that QI's
//!   hierarchy, an ordinary generalized value. All suppression tokens of one
//!   column (`*`, `*****`) are the same value.
//! * **Fully suppressed rows** (every QI `*`): see [`SuppressedRows`].
//!
//! Classes are numbered in increasing key order, so for a given table the
//! numbering is deterministic; reordering rows can renumber classes but never
//! changes their sizes or contents (tested).
//!
//! **Several records per person.** With a subject column
//! ([`ClassOptions::subject`]) the builder also counts, per class, the
//! distinct subjects (persons) among its records, and
//! [`EquivalenceClasses::unit_sizes`] returns those counts: k,
//! records below a target k and the risk models then count persons, not
//! records. This is the "longitudinal" k of El Emam (*Guide to the
//! De-Identification of Personal Health Information*, CRC Press 2013, and
//! El Emam & Arbuckle, *Anonymizing Health Data*, O'Reilly 2013, ch. 7-8:
//! with several records per patient an equivalence class must hold at least
//! k distinct patients). A person whose records fall into several classes
//! counts once in each of them (the adversary is assumed to know one of the
//! person's records); [`SubjectProfiles`] adds the stricter figure for an
//! adversary who knows all of them: persons are grouped by the multiset of
//! their quasi-identifier tuples, as Google Cloud DLP's k-anonymity does with
//! an `entity_id` ("we consider the entire collection of tuples as the
//! composite quasi-identifier ... a multiset"). Records whose subject is
//! missing are one subject together (the most cautious reading: they may all
//! be one person).
//!
//! Limits: at most `u32::MAX - 1` rows.
//!
//! Why this file is long: about 120 of its lines are tests; the grouping
//! kernel and the per-class sensitive counts it fills in one pass belong together.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::PrivacyError;
use crate::data::{CategoricalColumn, EncodedTable};

/// What to do with rows whose quasi-identifiers are *all* suppressed (`*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressedRows {
    /// Fully suppressed rows are treated as removed from the release: they are
    /// excluded from the classes and from the sensitive-value distributions
    /// that t-closeness, beta-likeness and delta-disclosure compare against, and
    /// reported as `n_suppressed_rows`. This is the default: an anonymizer that
    /// suppresses a record means "this record is not published", and counting
    /// the suppressed rows as one large class would let them raise k.
    #[default]
    Exclude,
    /// ARX's behaviour: fully suppressed rows form one equivalence class
    /// (they all share the QI tuple `(*, ..., *)`). On data that is already
    /// anonymized this understates risk: the suppressed rows usually form the
    /// largest class, which inflates average class size (and the share of
    /// records in large classes) although those rows carry no QI information,
    /// and it mixes the sensitive values of unrelated records into a class that
    /// looks diverse. Kept for comparison with ARX.
    OneClass,
}

/// Marks a row that belongs to no class (fully suppressed and excluded).
pub const NO_CLASS: u32 = u32::MAX;

/// Options of [`EquivalenceClasses::build_with`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ClassOptions<'a> {
    /// Policy for fully suppressed rows.
    pub suppressed_rows: SuppressedRows,
    /// Column naming the subject (person) of each record; with it,
    /// [`EquivalenceClasses::unit_sizes`] counts distinct subjects per class.
    pub subject: Option<&'a str>,
    /// Columns whose suppression (`*` in all of them) makes a row "fully
    /// suppressed"; `None` means the quasi-identifiers. Used to group by extra
    /// columns while keeping the rows the declared quasi-identifiers exclude
    /// out (hidden quasi-identifier detection).
    pub suppression_columns: Option<&'a [&'a str]>,
}

/// Distinct subjects (persons) per class, when a subject column is given.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectCounts {
    /// The subject column.
    pub column: String,
    /// Records per (class, subject), in the layout of [`SensitiveCounts`]:
    /// class `c`'s subjects are `per_class.codes[offsets[c]..offsets[c + 1]]`
    /// and `per_class.counts` their records in the class.
    pub per_class: SensitiveCounts,
    /// Distinct subjects in each class.
    pub class_subjects: Vec<u64>,
    /// Distinct subjects over all classes.
    pub n_subjects: u64,
}

/// How the subjects' records spread over the classes, and k for an adversary
/// who knows every record of the target (Google Cloud DLP's `entity_id`
/// semantics: a person's quasi-identifier is the multiset of the
/// quasi-identifier tuples of their records).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectProfiles {
    /// Distinct subjects in the classes.
    pub n_subjects: u64,
    /// Subjects with records in more than one class.
    pub n_subjects_in_several_classes: u64,
    /// Most records of one subject (in classes).
    pub max_records_per_subject: u64,
    /// Distinct profiles (multisets of classes) among the subjects.
    pub n_profiles: u64,
    /// Subjects whose profile no other subject shares.
    pub n_unique_profiles: u64,
    /// Smallest number of subjects sharing one profile: the k of an
    /// adversary who knows all of a person's records, with their counts.
    pub profile_k: u64,
}

/// Per-class value counts of one sensitive attribute (CSR layout).
#[derive(Debug, Clone, PartialEq)]
pub struct SensitiveCounts {
    /// Column name.
    pub attribute: String,
    /// The column's dictionary: `values[code]`.
    pub values: Vec<String>,
    /// Class `c`'s entries are `codes[offsets[c]..offsets[c + 1]]`.
    pub offsets: Vec<usize>,
    /// Distinct value codes per class, ascending within a class.
    pub codes: Vec<u32>,
    /// `counts[i]` rows of the class hold `codes[i]`.
    pub counts: Vec<u64>,
    /// Rows (in classes) holding each code, indexed by code; 0 for codes that
    /// occur only in excluded rows.
    pub overall: Vec<u64>,
    /// For each code, the first row (0-based, in classes) holding it, or
    /// `u64::MAX` if none; used to name a row in error messages.
    pub first_row: Vec<u64>,
    /// With a subject column: per class, distinct l counted over persons
    /// (see [`distinct_l_diversity`](super::distinct_l_diversity)): the
    /// number of distinct sets of values the class's subjects hold in it,
    /// at most the number of distinct values, or 1 when one value is held by
    /// every subject of the class. `None` without a subject column.
    pub subject_distinct_l: Option<Vec<u64>>,
}

impl SensitiveCounts {
    /// The distinct codes of class `class` and their counts.
    pub fn class(&self, class: usize) -> (&[u32], &[u64]) {
        let range = self.offsets[class]..self.offsets[class + 1];
        (&self.codes[range.clone()], &self.counts[range])
    }

    /// Number of values that occur in the classes (the domain of the overall
    /// distribution; pyCANON's `np.unique(data[sa])`).
    pub fn n_domain_values(&self) -> usize {
        self.overall.iter().filter(|&&c| c > 0).count()
    }
}

/// The equivalence classes of a table over a set of quasi-identifiers, with
/// per-class sensitive-value counts.
#[derive(Debug, Clone, PartialEq)]
pub struct EquivalenceClasses {
    /// File or label of the table, for messages.
    pub source: String,
    /// Quasi-identifier columns, in the order given.
    pub quasi_identifiers: Vec<String>,
    /// Policy used for fully suppressed rows.
    pub suppressed_rows: SuppressedRows,
    /// Rows of the table.
    pub n_rows: usize,
    /// Rows whose QIs are all suppressed (whatever the policy).
    pub n_suppressed_rows: usize,
    /// Rows that belong to a class (`n_rows - n_suppressed_rows` under
    /// [`SuppressedRows::Exclude`], `n_rows` under [`SuppressedRows::OneClass`]).
    pub n_rows_in_classes: usize,
    class_sizes: Vec<u64>,
    row_class: Vec<u32>,
    sensitive: Vec<SensitiveCounts>,
    subject: Option<SubjectCounts>,
    /// Classes built from weighted groups ([`from_groups`](Self::from_groups))
    /// have no per-row class map; the rows of the classes smaller than a
    /// target k come with them instead (see [`ListedRows`]).
    listed_rows: Option<ListedRows>,
}

/// The rows of the classes smaller than `target_k`, for classes built from
/// mergeable partials (which keep no per-row class map).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRows {
    /// The target k the rows were collected for.
    pub target_k: u64,
    /// 0-based row ids of every row in a class smaller than `target_k`, ascending.
    pub rows: Vec<u64>,
}

impl EquivalenceClasses {
    /// Groups `table` by `quasi_identifiers` and counts the values of each of
    /// `sensitive` per class.
    ///
    /// Errors: no QI, an empty table, a column not in the table, a column named
    /// twice or in both roles, more than `u32::MAX - 1` rows, and (under
    /// [`SuppressedRows::Exclude`]) a table whose rows are all fully suppressed.
    pub fn build(
        table: &EncodedTable,
        quasi_identifiers: &[&str],
        sensitive: &[&str],
        suppressed_rows: SuppressedRows,
    ) -> Result<Self, PrivacyError> {
        Self::build_with(
            table,
            quasi_identifiers,
            sensitive,
            &ClassOptions {
                suppressed_rows,
                ..ClassOptions::default()
            },
        )
    }

    /// [`build`](Self::build) with a subject column and the columns that
    /// decide full suppression (see [`ClassOptions`]).
    ///
    /// Errors: those of [`build`](Self::build), a subject or suppression
    /// column not in the table, and a subject column that is also a
    /// quasi-identifier or sensitive attribute.
    pub fn build_with(
        table: &EncodedTable,
        quasi_identifiers: &[&str],
        sensitive: &[&str],
        options: &ClassOptions<'_>,
    ) -> Result<Self, PrivacyError> {
        let suppressed_rows = options.suppressed_rows;
        let source = table.source.clone();
        if quasi_identifiers.is_empty() {
            return Err(PrivacyError::NoQuasiIdentifiers {
                source_name: source,
            });
        }
        if table.n_rows == 0 || table.columns.is_empty() {
            return Err(PrivacyError::EmptyTable {
                source_name: source,
            });
        }
        if table.n_rows >= NO_CLASS as usize {
            return Err(PrivacyError::Invalid(format!(
                "{source}: {} rows; equivalence classes support at most {} rows, split the table",
                table.n_rows,
                NO_CLASS - 1
            )));
        }
        check_distinct(&source, quasi_identifiers, sensitive)?;
        let qi_cols = resolve(table, quasi_identifiers, "quasi-identifier")?;
        let sa_cols = resolve(table, sensitive, "sensitive")?;
        let subject_col = match options.subject {
            Some(subject) => {
                if quasi_identifiers.contains(&subject) || sensitive.contains(&subject) {
                    return Err(PrivacyError::DuplicateColumn {
                        source_name: source,
                        column: subject.to_string(),
                        message:
                            "as the subject column and as a quasi-identifier or sensitive attribute"
                                .to_string(),
                    });
                }
                Some(resolve(table, &[subject], "subject")?[0])
            }
            None => None,
        };
        let suppression_cols = match options.suppression_columns {
            Some(columns) if !columns.is_empty() => resolve(table, columns, "quasi-identifier")?,
            _ => qi_cols.clone(),
        };
        let n = table.n_rows;

        // Canonical code per QI value: every suppression token of a column
        // maps to the first one, so `*` and `*****` are one value.
        let canonical: Vec<Vec<u32>> = qi_cols.iter().map(|c| canonical_codes(c)).collect();
        // A row can be fully suppressed only if every suppression column has
        // a suppression token among its values; most tables have none, and
        // then no row needs the test.
        let suppression_possible = suppression_cols
            .iter()
            .all(|c| c.suppressed.iter().any(|&s| s));
        let fully_suppressed = |row: usize| {
            suppression_possible
                && suppression_cols
                    .iter()
                    .all(|c| c.suppressed[c.codes[row] as usize])
        };
        let n_suppressed_rows = if suppression_possible {
            (0..n)
                .into_par_iter()
                .filter(|&r| fully_suppressed(r))
                .count()
        } else {
            0
        };
        let exclude = suppressed_rows == SuppressedRows::Exclude;
        if exclude && n_suppressed_rows == n {
            return Err(PrivacyError::AllRowsSuppressed {
                source_name: source,
                n_rows: n,
            });
        }
        let included = |row: usize| !(exclude && fully_suppressed(row));

        let Grouping {
            rows,
            offsets: class_offsets,
            row_class,
        } = match mixed_radix(&qi_cols) {
            Some(multipliers) => group_by_radix(n, &qi_cols, &canonical, &multipliers, &included),
            None => group_by_hash(n, &qi_cols, &canonical, &included),
        };
        let n_classes = class_offsets.len() - 1;
        let class_sizes: Vec<u64> = class_offsets
            .windows(2)
            .map(|w| (w[1] - w[0]) as u64)
            .collect();

        let sensitive = sa_cols
            .iter()
            .map(|col| {
                let mut counts = count_sensitive(col, &rows, &row_class, n_classes);
                if let Some(subject) = subject_col {
                    counts.subject_distinct_l =
                        Some(subject_distinct_l(&rows, &class_offsets, subject, col));
                }
                counts
            })
            .collect();
        let subject = subject_col.map(|col| {
            let per_class = count_sensitive(col, &rows, &row_class, n_classes);
            let class_subjects = per_class
                .offsets
                .windows(2)
                .map(|w| (w[1] - w[0]) as u64)
                .collect();
            SubjectCounts {
                column: col.name.clone(),
                n_subjects: per_class.n_domain_values() as u64,
                class_subjects,
                per_class,
            }
        });

        Ok(EquivalenceClasses {
            source,
            quasi_identifiers: quasi_identifiers.iter().map(|s| s.to_string()).collect(),
            suppressed_rows,
            n_rows: n,
            n_suppressed_rows,
            n_rows_in_classes: rows.len(),
            class_sizes,
            row_class,
            sensitive,
            subject,
            listed_rows: None,
        })
    }

    /// Equivalence classes from weighted groups instead of rows: `groups`
    /// holds one row per group of input rows that share every
    /// quasi-identifier and sensitive value, `weights[g]` is the number of
    /// input rows of group `g` and `first_rows[g]` the first of them (0-based,
    /// in the whole input). This is how mergeable partials
    /// (`engine::ClassPartial`) become classes.
    ///
    /// When the columns of `groups` number their values in order of first
    /// appearance in the whole input (as the readers do), the result equals
    /// [`build`](Self::build) on that input: the same class numbering, sizes,
    /// per-class counts, overall distributions and first rows; only the
    /// per-row class map is absent ([`row_classes`](Self::row_classes) is
    /// empty). Also returns the class of every group.
    ///
    /// Errors: those of [`build`](Self::build) (except the row limit), and
    /// `weights` or `first_rows` not one per group or a zero weight.
    pub fn from_groups(
        groups: &EncodedTable,
        quasi_identifiers: &[&str],
        sensitive: &[&str],
        suppressed_rows: SuppressedRows,
        weights: &[u64],
        first_rows: &[u64],
    ) -> Result<(Self, Vec<u32>), PrivacyError> {
        let source = groups.source.clone();
        if quasi_identifiers.is_empty() {
            return Err(PrivacyError::NoQuasiIdentifiers {
                source_name: source,
            });
        }
        let n_groups = groups.n_rows;
        if weights.len() != n_groups || first_rows.len() != n_groups {
            return Err(PrivacyError::Invalid(format!(
                "{source}: {n_groups} groups but {} weights and {} first rows",
                weights.len(),
                first_rows.len()
            )));
        }
        if weights.contains(&0) {
            return Err(PrivacyError::Invalid(format!(
                "{source}: a group of zero rows"
            )));
        }
        let n_rows: u64 = weights.iter().sum();
        if n_groups == 0 || groups.columns.is_empty() || n_rows == 0 {
            return Err(PrivacyError::EmptyTable {
                source_name: source,
            });
        }
        if n_groups >= NO_CLASS as usize {
            return Err(PrivacyError::Invalid(format!(
                "{source}: {n_groups} groups; at most {} are supported",
                NO_CLASS - 1
            )));
        }
        check_distinct(&source, quasi_identifiers, sensitive)?;
        let qi_cols = resolve(groups, quasi_identifiers, "quasi-identifier")?;
        let sa_cols = resolve(groups, sensitive, "sensitive")?;
        let canonical: Vec<Vec<u32>> = qi_cols.iter().map(|c| canonical_codes(c)).collect();
        let fully_suppressed = |g: usize| qi_cols.iter().all(|c| c.suppressed[c.codes[g] as usize]);
        let n_suppressed_rows: u64 = (0..n_groups)
            .filter(|&g| fully_suppressed(g))
            .map(|g| weights[g])
            .sum();
        let exclude = suppressed_rows == SuppressedRows::Exclude;
        if exclude && n_suppressed_rows == n_rows {
            return Err(PrivacyError::AllRowsSuppressed {
                source_name: source,
                n_rows: n_rows as usize,
            });
        }
        let included = |g: usize| !(exclude && fully_suppressed(g));
        // The sort keys depend on the codes only, so groups of one class are
        // adjacent and classes come in the order `build` gives them.
        let Grouping {
            rows: members,
            offsets: class_offsets,
            row_class: group_class,
        } = match mixed_radix(&qi_cols) {
            Some(multipliers) => {
                group_by_radix(n_groups, &qi_cols, &canonical, &multipliers, &included)
            }
            None => group_by_hash(n_groups, &qi_cols, &canonical, &included),
        };
        let class_sizes: Vec<u64> = class_offsets
            .windows(2)
            .map(|w| {
                members[w[0]..w[1]]
                    .iter()
                    .map(|&g| weights[g as usize])
                    .sum()
            })
            .collect();
        let n_classes = class_sizes.len();
        let n_rows_in_classes: u64 = class_sizes.iter().sum();
        let sensitive = sa_cols
            .iter()
            .map(|col| {
                count_sensitive_weighted(
                    col,
                    &members,
                    &group_class,
                    weights,
                    first_rows,
                    n_classes,
                )
            })
            .collect();
        Ok((
            EquivalenceClasses {
                source,
                quasi_identifiers: quasi_identifiers.iter().map(|s| s.to_string()).collect(),
                suppressed_rows,
                n_rows: n_rows as usize,
                n_suppressed_rows: n_suppressed_rows as usize,
                n_rows_in_classes: n_rows_in_classes as usize,
                class_sizes,
                row_class: Vec::new(),
                sensitive,
                subject: None,
                listed_rows: None,
            },
            group_class,
        ))
    }

    /// Attaches the rows of the classes smaller than `rows.target_k` to
    /// classes built by [`from_groups`](Self::from_groups), for
    /// [`records_below_k`](super::records_below_k).
    pub fn set_listed_rows(&mut self, rows: ListedRows) {
        self.listed_rows = Some(rows);
    }

    /// The rows attached by [`set_listed_rows`](Self::set_listed_rows).
    pub fn listed_rows(&self) -> Option<&ListedRows> {
        self.listed_rows.as_ref()
    }

    /// Class sizes in the unit of protection: distinct subjects per class
    /// when the classes were built with a subject column, records otherwise.
    /// k, the records below a target k and the risk models read these.
    pub fn unit_sizes(&self) -> &[u64] {
        match &self.subject {
            Some(s) => &s.class_subjects,
            None => &self.class_sizes,
        }
    }

    /// The subject counts, when the classes were built with a subject column.
    pub fn subject(&self) -> Option<&SubjectCounts> {
        self.subject.as_ref()
    }

    /// How the subjects' records spread over the classes and the k of an
    /// adversary who knows all of a person's records (see [`SubjectProfiles`]);
    /// `None` without a subject column. One sort of the (class, subject)
    /// pairs, so linear-logarithmic in the number of such pairs.
    pub fn subject_profiles(&self) -> Option<SubjectProfiles> {
        let subject = self.subject.as_ref()?;
        let pc = &subject.per_class;
        // (subject, class, records) for every (class, subject) pair.
        let mut entries: Vec<(u32, u32, u64)> = Vec::with_capacity(pc.codes.len());
        for class in 0..self.n_classes() {
            let (codes, counts) = pc.class(class);
            for (&s, &n) in codes.iter().zip(counts) {
                entries.push((s, class as u32, n));
            }
        }
        entries.par_sort_unstable();
        let mut profiles: HashMap<Vec<(u32, u64)>, u64> = HashMap::new();
        let mut several = 0u64;
        let mut max_records = 0u64;
        for run in entries.chunk_by(|a, b| a.0 == b.0) {
            if run.len() > 1 {
                several += 1;
            }
            max_records = max_records.max(run.iter().map(|e| e.2).sum());
            let profile: Vec<(u32, u64)> = run.iter().map(|e| (e.1, e.2)).collect();
            *profiles.entry(profile).or_insert(0) += 1;
        }
        Some(SubjectProfiles {
            n_subjects: subject.n_subjects,
            n_subjects_in_several_classes: several,
            max_records_per_subject: max_records,
            n_profiles: profiles.len() as u64,
            n_unique_profiles: profiles.values().filter(|&&c| c == 1).count() as u64,
            profile_k: profiles.values().copied().min().unwrap_or(0),
        })
    }

    /// Number of equivalence classes.
    pub fn n_classes(&self) -> usize {
        self.class_sizes.len()
    }

    /// Size of every class (the input of the risk and population models).
    pub fn class_sizes(&self) -> &[u64] {
        &self.class_sizes
    }

    /// The class of `row`, or `None` when the row is excluded (fully suppressed).
    pub fn class_of_row(&self, row: usize) -> Option<usize> {
        match self.row_class.get(row) {
            Some(&c) if c != NO_CLASS => Some(c as usize),
            _ => None,
        }
    }

    /// Class of every row ([`NO_CLASS`] for excluded rows).
    pub fn row_classes(&self) -> &[u32] {
        &self.row_class
    }

    /// All sensitive attributes' counts, in the order given to [`build`](Self::build).
    pub fn sensitive_attributes(&self) -> &[SensitiveCounts] {
        &self.sensitive
    }

    /// The counts of sensitive attribute `attribute`.
    pub fn sensitive(&self, attribute: &str) -> Result<&SensitiveCounts, PrivacyError> {
        self.sensitive
            .iter()
            .find(|s| s.attribute == attribute)
            .ok_or_else(|| PrivacyError::UnknownSensitive {
                attribute: attribute.to_string(),
                available: self.sensitive.iter().map(|s| s.attribute.clone()).collect(),
            })
    }

    /// Replaces the overall distribution of sensitive attribute `attribute`
    /// (rows in classes per value code, and each code's first such row) by
    /// one counted over a larger input: classes built by
    /// [`from_groups`](Self::from_groups) over one hash partition of the
    /// groups compare their classes with the whole input's distribution,
    /// so t-closeness, beta-likeness and delta-disclosure per class are
    /// those of the whole input. Errors when the attribute is unknown or
    /// the vectors are not one per value code.
    pub fn set_overall(
        &mut self,
        attribute: &str,
        overall: Vec<u64>,
        first_row: Vec<u64>,
    ) -> Result<(), PrivacyError> {
        let available: Vec<String> = self.sensitive.iter().map(|s| s.attribute.clone()).collect();
        let sa = self
            .sensitive
            .iter_mut()
            .find(|s| s.attribute == attribute)
            .ok_or_else(|| PrivacyError::UnknownSensitive {
                attribute: attribute.to_string(),
                available,
            })?;
        if overall.len() != sa.values.len() || first_row.len() != sa.values.len() {
            return Err(PrivacyError::Invalid(format!(
                "`{attribute}`: {} overall counts and {} first rows for {} values",
                overall.len(),
                first_row.len(),
                sa.values.len()
            )));
        }
        sa.overall = overall;
        sa.first_row = first_row;
        Ok(())
    }
}

/// The sort key of every class of `groups` (classes as
/// [`EquivalenceClasses::from_groups`] numbered them, `group_class` the
/// class of every group): the mixed-radix key of the class's canonical
/// quasi-identifier codes, by which [`EquivalenceClasses::build`] orders
/// its classes. Classes built from several hash partitions of one input's
/// groups (with the input's dictionaries) are numbered in the whole input
/// by these keys: a class's number is the count of classes with a smaller
/// key. `None` when the product of the cardinalities does not fit in 64
/// bits (the classes are then ordered by a hash).
pub fn class_keys(
    groups: &EncodedTable,
    quasi_identifiers: &[&str],
    group_class: &[u32],
    n_classes: usize,
) -> Result<Option<Vec<u64>>, PrivacyError> {
    let qi_cols = resolve(groups, quasi_identifiers, "quasi-identifier")?;
    let Some(multipliers) = mixed_radix(&qi_cols) else {
        return Ok(None);
    };
    let canonical: Vec<Vec<u32>> = qi_cols.iter().map(|c| canonical_codes(c)).collect();
    let mut keys = vec![0u64; n_classes];
    for (g, &class) in group_class.iter().enumerate() {
        if class == NO_CLASS {
            continue;
        }
        keys[class as usize] = qi_cols
            .iter()
            .zip(&canonical)
            .zip(&multipliers)
            .map(|((col, canon), m)| canon[col.codes[g] as usize] as u64 * m)
            .sum::<u64>();
    }
    Ok(Some(keys))
}

fn check_distinct(source: &str, qis: &[&str], sensitive: &[&str]) -> Result<(), PrivacyError> {
    let dup = |column: &str, message: &str| PrivacyError::DuplicateColumn {
        source_name: source.to_string(),
        column: column.to_string(),
        message: message.to_string(),
    };
    let mut seen = HashSet::new();
    for q in qis {
        if !seen.insert(*q) {
            return Err(dup(q, "twice as a quasi-identifier"));
        }
    }
    let mut seen_sa = HashSet::new();
    for s in sensitive {
        if seen.contains(s) {
            return Err(dup(s, "as both quasi-identifier and sensitive attribute"));
        }
        if !seen_sa.insert(*s) {
            return Err(dup(s, "twice as a sensitive attribute"));
        }
    }
    Ok(())
}

fn resolve<'a>(
    table: &'a EncodedTable,
    names: &[&str],
    role: &'static str,
) -> Result<Vec<&'a CategoricalColumn>, PrivacyError> {
    names
        .iter()
        .map(|name| {
            table
                .column(name)
                .ok_or_else(|| PrivacyError::MissingColumn {
                    source_name: table.source.clone(),
                    role,
                    column: name.to_string(),
                    available: table.column_names().iter().map(|s| s.to_string()).collect(),
                })
        })
        .collect()
}

/// Maps every code to itself, except suppression tokens, which all map to the
/// first suppression code of the column.
pub(crate) fn canonical_codes(col: &CategoricalColumn) -> Vec<u32> {
    let first_suppressed = col.suppressed.iter().position(|&s| s).map(|c| c as u32);
    (0..col.n_values())
        .map(|c| match first_suppressed {
            Some(s) if col.suppressed[c] => s,
            _ => c as u32,
        })
        .collect()
}

/// Mixed-radix multipliers when the product of the QI cardinalities fits in a u64.
fn mixed_radix(cols: &[&CategoricalColumn]) -> Option<Vec<u64>> {
    let mut multipliers = Vec::with_capacity(cols.len());
    let mut product: u64 = 1;
    for col in cols {
        multipliers.push(product);
        product = product.checked_mul(col.n_values().max(1) as u64)?;
    }
    Some(multipliers)
}

/// Run boundaries of a sorted sequence: `offsets[c]..offsets[c + 1]` is run `c`.
fn run_offsets<T>(items: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<usize> {
    let mut offsets = Vec::new();
    if items.is_empty() {
        offsets.push(0);
        return offsets;
    }
    offsets.push(0);
    for i in 1..items.len() {
        if !same(&items[i - 1], &items[i]) {
            offsets.push(i);
        }
    }
    offsets.push(items.len());
    offsets
}

/// The classes of a group-by: `rows[offsets[c]..offsets[c + 1]]` are the
/// rows of class `c` in ascending order, and `row_class[r]` is the class of
/// row `r` (`NO_CLASS` for an excluded row).
struct Grouping {
    rows: Vec<u32>,
    offsets: Vec<usize>,
    row_class: Vec<u32>,
}

impl Grouping {
    /// Lays out `row_class` (classes numbered `0..n_classes`) class by class:
    /// a counting sort, so the rows of each class stay in ascending order.
    fn from_row_class(row_class: Vec<u32>, n_classes: usize) -> Self {
        let mut offsets = vec![0usize; n_classes + 1];
        for &c in &row_class {
            if c != NO_CLASS {
                offsets[c as usize + 1] += 1;
            }
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut next = offsets.clone();
        let mut rows = vec![0u32; offsets[n_classes]];
        for (r, &c) in row_class.iter().enumerate() {
            if c != NO_CLASS {
                let slot = &mut next[c as usize];
                rows[*slot] = r as u32;
                *slot += 1;
            }
        }
        Grouping {
            rows,
            offsets,
            row_class,
        }
    }

    /// The class map of rows already laid out class by class.
    fn from_rows(n: usize, rows: Vec<u32>, offsets: Vec<usize>) -> Self {
        let mut row_class = vec![NO_CLASS; n];
        for (class, w) in offsets.windows(2).enumerate() {
            for &row in &rows[w[0]..w[1]] {
                row_class[row as usize] = class as u32;
            }
        }
        Grouping {
            rows,
            offsets,
            row_class,
        }
    }
}

/// Rows per block of [`group_by_radix`]'s first pass: each block numbers its
/// own distinct keys in a hash table small enough to stay in cache.
const RADIX_BLOCK_ROWS: usize = 1 << 16;

/// Groups the included rows by their mixed-radix key: the classes in
/// ascending key order, the rows of each class in ascending row order (the
/// order a sort of `(key, row)` pairs gives, so class numbers do not depend
/// on how the grouping is done).
///
/// A counting sort rather than a comparison sort, with one hash lookup per
/// row: each block of rows numbers its distinct keys in order of first sight
/// (the local number goes straight into the row's slot of `row_class`); the
/// blocks' distinct keys (usually few: 12,458 over 10M Adult rows) alone are
/// sorted and ranked; each block's local numbers are then replaced by the
/// ranks through a small per-block table, and a bucket pass places every row
/// in its class. Linear in the rows. A parallel sort of the 10M `(key, row)`
/// pairs was the largest cost of `reident metrics` (about a quarter of its
/// CPU time, measured with `perf`), and a second hash lookup per row (a set
/// of distinct keys, then a rank map) was the next one (benches §12d).
fn group_by_radix(
    n: usize,
    cols: &[&CategoricalColumn],
    canonical: &[Vec<u32>],
    multipliers: &[u64],
    included: &(impl Fn(usize) -> bool + Sync),
) -> Grouping {
    let key = |r: usize| {
        cols.iter()
            .zip(canonical)
            .zip(multipliers)
            .map(|((col, canon), m)| canon[col.codes[r] as usize] as u64 * m)
            .sum::<u64>()
    };
    let mut row_class = vec![NO_CLASS; n];
    let block_keys: Vec<Vec<u64>> = row_class
        .par_chunks_mut(RADIX_BLOCK_ROWS)
        .enumerate()
        .map(|(block, slots)| {
            let start = block * RADIX_BLOCK_ROWS;
            let mut local: HashMap<u64, u32, KeyHasher> = HashMap::default();
            let mut keys = Vec::new();
            for (i, slot) in slots.iter_mut().enumerate() {
                let r = start + i;
                if !included(r) {
                    continue;
                }
                let k = key(r);
                let next = keys.len() as u32;
                *slot = *local.entry(k).or_insert_with(|| {
                    keys.push(k);
                    next
                });
            }
            keys
        })
        .collect();
    let mut sorted: Vec<u64> = block_keys.iter().flatten().copied().collect();
    sorted.par_sort_unstable();
    sorted.dedup();
    let mut rank: HashMap<u64, u32, KeyHasher> =
        HashMap::with_capacity_and_hasher(sorted.len(), KeyHasher::default());
    for (i, &k) in sorted.iter().enumerate() {
        rank.insert(k, i as u32);
    }
    row_class
        .par_chunks_mut(RADIX_BLOCK_ROWS)
        .zip(&block_keys)
        .for_each(|(slots, keys)| {
            let to_rank: Vec<u32> = keys
                .iter()
                .map(|k| rank.get(k).copied().unwrap_or(NO_CLASS))
                .collect();
            for slot in slots.iter_mut() {
                if *slot != NO_CLASS {
                    *slot = to_rank[*slot as usize];
                }
            }
        });
    drop(block_keys);
    Grouping::from_row_class(row_class, sorted.len())
}

/// Hashes a `u64` key with [`splitmix64`]: the keys of the counting group-by
/// are already well spread integers, so SipHash's cost buys nothing here.
type KeyHasher = std::hash::BuildHasherDefault<SplitMixHasher>;

/// The [`std::hash::Hasher`] behind [`KeyHasher`].
#[derive(Default)]
struct SplitMixHasher(u64);

impl std::hash::Hasher for SplitMixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = splitmix64(self.0 ^ b as u64);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = splitmix64(self.0 ^ x);
    }
}

fn group_by_hash(
    n: usize,
    cols: &[&CategoricalColumn],
    canonical: &[Vec<u32>],
    included: &(impl Fn(usize) -> bool + Sync),
) -> Grouping {
    let code = |col: usize, row: u32| canonical[col][cols[col].codes[row as usize] as usize];
    let tuple_cmp = |a: u32, b: u32| {
        (0..cols.len())
            .map(|c| code(c, a).cmp(&code(c, b)))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    };
    let mut pairs: Vec<(u64, u32)> = (0..n)
        .into_par_iter()
        .filter(|&r| included(r))
        .map(|r| {
            let mut h: u64 = 0x243F_6A88_85A3_08D3;
            for c in 0..cols.len() {
                h = splitmix64(h ^ code(c, r as u32) as u64);
            }
            (h, r as u32)
        })
        .collect();
    pairs.par_sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| tuple_cmp(a.1, b.1))
            .then_with(|| a.1.cmp(&b.1))
    });
    let offsets = run_offsets(&pairs, |a, b| {
        a.0 == b.0 && tuple_cmp(a.1, b.1) == Ordering::Equal
    });
    Grouping::from_rows(n, pairs.into_iter().map(|(_, r)| r).collect(), offsets)
}

/// SplitMix64 finalizer (Steele, Lea & Flood 2014): a fast 64-bit mixer.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Per-class counts of one column's codes (CSR: each class's distinct codes
/// ascending, with their counts), the overall distribution and each value's
/// first included row.
///
/// Two ways to the same result: when the grid of classes x values is small
/// next to the rows (Adult's 12,458 classes x 14 occupations: 174k cells for
/// 10M rows) every row adds one to its cell of a dense grid, read out class by
/// class; otherwise (a subject column, whose values are persons) the rows'
/// `class << 32 | code` words are sorted within each class. Both give codes in
/// ascending order per class (tested against each other).
fn count_sensitive(
    col: &CategoricalColumn,
    rows: &[u32],
    row_class: &[u32],
    n_classes: usize,
) -> SensitiveCounts {
    let n_values = col.n_values();
    let cells = n_classes.saturating_mul(n_values.max(1));
    let (offsets, codes, counts, overall) = if cells <= dense_grid_limit(rows.len()) {
        count_dense(col, row_class, n_classes)
    } else {
        count_sorted(col, rows, row_class, n_classes)
    };
    let mut first_row = vec![u64::MAX; n_values];
    for (r, &code) in col.codes.iter().enumerate() {
        let slot = &mut first_row[code as usize];
        if *slot == u64::MAX && row_class[r] != NO_CLASS {
            *slot = r as u64;
        }
    }
    SensitiveCounts {
        attribute: col.name.clone(),
        values: col.values.clone(),
        offsets,
        codes,
        counts,
        overall,
        first_row,
        subject_distinct_l: None,
    }
}

/// The largest classes x values grid [`count_sensitive`] counts densely for
/// `rows` included rows: reading the grid out costs one step per cell, so it
/// pays while the cells are not many more than the rows (and stay under 64M
/// cells, 256 MB of `u32` counts).
fn dense_grid_limit(rows: usize) -> usize {
    (2 * rows + (1 << 16)).min(1 << 26)
}

/// CSR offsets, codes and counts per class, and the overall counts.
type ClassCounts = (Vec<usize>, Vec<u32>, Vec<u64>, Vec<u64>);

/// [`count_sensitive`] on a dense grid: one pass over the rows in row order.
/// Counts fit in `u32`: a table has fewer than `NO_CLASS` rows.
fn count_dense(col: &CategoricalColumn, row_class: &[u32], n_classes: usize) -> ClassCounts {
    let n_values = col.n_values();
    let mut grid = vec![0u32; n_classes * n_values];
    let mut overall = vec![0u64; n_values];
    for (&class, &code) in row_class.iter().zip(&col.codes) {
        if class != NO_CLASS {
            grid[class as usize * n_values + code as usize] += 1;
            overall[code as usize] += 1;
        }
    }
    let mut offsets = Vec::with_capacity(n_classes + 1);
    let mut codes = Vec::new();
    let mut counts = Vec::new();
    for class_cells in grid.chunks_exact(n_values.max(1)).take(n_classes) {
        offsets.push(codes.len());
        for (code, &count) in class_cells.iter().enumerate() {
            if count > 0 {
                codes.push(code as u32);
                counts.push(count as u64);
            }
        }
    }
    while offsets.len() <= n_classes {
        offsets.push(codes.len());
    }
    (offsets, codes, counts, overall)
}

/// [`count_sensitive`] by sorting `class << 32 | code` words class by class.
fn count_sorted(
    col: &CategoricalColumn,
    rows: &[u32],
    row_class: &[u32],
    n_classes: usize,
) -> ClassCounts {
    // `rows` is grouped by class, so the words are already sorted by their
    // high half (the class); sorting each class's run orders its codes.
    let mut words: Vec<u64> = rows
        .par_iter()
        .map(|&r| ((row_class[r as usize] as u64) << 32) | col.codes[r as usize] as u64)
        .collect();
    words
        .par_chunk_by_mut(|a, b| a >> 32 == b >> 32)
        .for_each(|run| run.sort_unstable());
    let mut offsets = Vec::with_capacity(n_classes + 1);
    let mut codes = Vec::new();
    let mut counts: Vec<u64> = Vec::new();
    let mut overall = vec![0u64; col.n_values()];
    let mut previous: Option<u64> = None;
    for &w in &words {
        if previous == Some(w) {
            if let Some(last) = counts.last_mut() {
                *last += 1;
            }
        } else {
            let class = (w >> 32) as usize;
            while offsets.len() <= class {
                offsets.push(codes.len());
            }
            codes.push(w as u32);
            counts.push(1);
            previous = Some(w);
        }
        overall[(w as u32) as usize] += 1;
    }
    while offsets.len() <= n_classes {
        offsets.push(codes.len());
    }
    (offsets, codes, counts, overall)
}

/// [`count_sensitive`] over weighted groups: `members` lists the included
/// groups class by class, `group_class` maps a group to its class.
fn count_sensitive_weighted(
    col: &CategoricalColumn,
    members: &[u32],
    group_class: &[u32],
    weights: &[u64],
    first_rows: &[u64],
    n_classes: usize,
) -> SensitiveCounts {
    let mut words: Vec<(u64, u64)> = members
        .iter()
        .map(|&g| {
            let g = g as usize;
            (
                ((group_class[g] as u64) << 32) | col.codes[g] as u64,
                weights[g],
            )
        })
        .collect();
    words.sort_unstable();
    let mut offsets = Vec::with_capacity(n_classes + 1);
    let mut codes = Vec::new();
    let mut counts: Vec<u64> = Vec::new();
    let mut overall = vec![0u64; col.n_values()];
    let mut previous: Option<u64> = None;
    for &(w, weight) in &words {
        if previous == Some(w) {
            if let Some(last) = counts.last_mut() {
                *last += weight;
            }
        } else {
            let class = (w >> 32) as usize;
            while offsets.len() <= class {
                offsets.push(codes.len());
            }
            codes.push(w as u32);
            counts.push(weight);
            previous = Some(w);
        }
        overall[(w as u32) as usize] += weight;
    }
    while offsets.len() <= n_classes {
        offsets.push(codes.len());
    }
    let mut first_row = vec![u64::MAX; col.n_values()];
    for &g in members {
        let slot = &mut first_row[col.codes[g as usize] as usize];
        *slot = (*slot).min(first_rows[g as usize]);
    }
    SensitiveCounts {
        attribute: col.name.clone(),
        values: col.values.clone(),
        offsets,
        codes,
        counts,
        overall,
        first_row,
        subject_distinct_l: None,
    }
}

/// Distinct l over persons, per class: the number of distinct sets of
/// `sensitive` values the class's subjects hold in the class, capped at the
/// number of distinct values (the record-level l), or 1 when one value is
/// held by every subject of the class (the adversary learns it whichever
/// subject the target is). With one record per subject the sets are single
/// values and this is the ordinary distinct l of the class.
fn subject_distinct_l(
    rows: &[u32],
    class_offsets: &[usize],
    subject: &CategoricalColumn,
    sensitive: &CategoricalColumn,
) -> Vec<u64> {
    class_offsets
        .par_windows(2)
        .map(|w| {
            let mut pairs: Vec<(u32, u32)> = rows[w[0]..w[1]]
                .iter()
                .map(|&r| (subject.codes[r as usize], sensitive.codes[r as usize]))
                .collect();
            pairs.sort_unstable();
            pairs.dedup();
            let n_subjects = pairs.chunk_by(|a, b| a.0 == b.0).count();
            let mut codes: Vec<u32> = pairs.iter().map(|p| p.1).collect();
            codes.sort_unstable();
            if codes
                .chunk_by(|a, b| a == b)
                .any(|run| run.len() == n_subjects)
            {
                return 1;
            }
            let mut sets: Vec<Vec<u32>> = pairs
                .chunk_by(|a, b| a.0 == b.0)
                .map(|run| run.iter().map(|p| p.1).collect())
                .collect();
            sets.sort_unstable();
            sets.dedup();
            // Never above the record-level count of distinct values.
            let n_values = codes.chunk_by(|a, b| a == b).count();
            sets.len().min(n_values) as u64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cols: &[(&str, &[&str])]) -> EncodedTable {
        EncodedTable::new(
            "t",
            cols.iter()
                .map(|(n, v)| CategoricalColumn::from_strs(n, v))
                .collect(),
        )
    }

    #[test]
    fn dense_and_sorted_sensitive_counts_agree() {
        // 5,000 rows in 37 classes (some rows in none) over 11 values, from a
        // fixed linear congruential sequence.
        let (n, n_classes) = (5000usize, 37u32);
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |m: u64| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 33) % m
        };
        let values: Vec<String> = (0..n).map(|_| format!("v{}", next(11))).collect();
        let col = CategoricalColumn::from_strs("s", &values);
        let row_class: Vec<u32> = (0..n)
            .map(|_| match next(40) as u32 {
                c if c < n_classes => c,
                _ => NO_CLASS,
            })
            .collect();
        let mut rows: Vec<u32> = (0..n as u32)
            .filter(|&r| row_class[r as usize] != NO_CLASS)
            .collect();
        rows.sort_by_key(|&r| (row_class[r as usize], r));
        let dense = count_dense(&col, &row_class, n_classes as usize);
        let sorted = count_sorted(&col, &rows, &row_class, n_classes as usize);
        assert_eq!(dense, sorted);
        assert_eq!(dense.0.len(), n_classes as usize + 1);
        assert_eq!(dense.3.iter().sum::<u64>(), rows.len() as u64);
        // And the chooser picks the grid for this size.
        assert!(37 * 11 <= dense_grid_limit(rows.len()));
    }

    #[test]
    fn groups_rows_and_counts_sensitive_values() {
        // Classes by (a, b): (x,1) rows 0,2,3; (y,1) row 1; (y,2) rows 4,5.
        let t = table(&[
            ("a", &["x", "y", "x", "x", "y", "y"]),
            ("b", &["1", "1", "1", "1", "2", "2"]),
            ("s", &["p", "q", "p", "r", "q", "q"]),
        ]);
        let ec =
            EquivalenceClasses::build(&t, &["a", "b"], &["s"], SuppressedRows::Exclude).unwrap();
        let mut sizes = ec.class_sizes().to_vec();
        sizes.sort_unstable();
        assert_eq!(sizes, vec![1, 2, 3]);
        let c0 = ec.class_of_row(0).unwrap();
        assert_eq!(ec.class_of_row(2), Some(c0));
        assert_eq!(ec.class_of_row(3), Some(c0));
        let s = ec.sensitive("s").unwrap();
        // class of row 0 holds p twice (code 0) and r once (code 2)
        assert_eq!(s.class(c0), (&[0u32, 2][..], &[2u64, 1][..]));
        assert_eq!(s.overall, vec![2, 3, 1]);
        assert_eq!(s.first_row, vec![0, 1, 3]);
    }

    #[test]
    fn radix_grouping_over_many_blocks_equals_a_sort_of_key_row_pairs() {
        // 200,003 rows (four blocks of the first pass, the last one short) in
        // three columns from a fixed linear congruential sequence; every 7th
        // row is excluded. The reference is the definition: sort the included
        // rows' (key, row) pairs, runs of equal keys are the classes.
        let n = 3 * RADIX_BLOCK_ROWS + 3;
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |m: u64| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 33) % m
        };
        let mut columns = Vec::new();
        for (name, m) in [("a", 5u64), ("b", 300), ("c", 40)] {
            let values: Vec<String> = (0..n).map(|_| format!("{name}{}", next(m))).collect();
            columns.push(CategoricalColumn::from_strs(name, &values));
        }
        let cols: Vec<&CategoricalColumn> = columns.iter().collect();
        let canon: Vec<Vec<u32>> = cols.iter().map(|c| canonical_codes(c)).collect();
        let mult = mixed_radix(&cols).unwrap();
        let included = |r: usize| r % 7 != 3;
        let got = group_by_radix(n, &cols, &canon, &mult, &included);

        let key = |r: usize| {
            (0..3)
                .map(|c| canon[c][cols[c].codes[r] as usize] as u64 * mult[c])
                .sum::<u64>()
        };
        let mut pairs: Vec<(u64, u32)> = (0..n)
            .filter(|&r| included(r))
            .map(|r| (key(r), r as u32))
            .collect();
        pairs.sort_unstable();
        let offsets = run_offsets(&pairs, |a, b| a.0 == b.0);
        let expected = Grouping::from_rows(n, pairs.iter().map(|p| p.1).collect(), offsets);
        assert!(expected.offsets.len() > 1000, "many classes");
        assert_eq!(got.rows, expected.rows);
        assert_eq!(got.offsets, expected.offsets);
        assert_eq!(got.row_class, expected.row_class);
        assert_eq!(got.row_class[3], NO_CLASS);
    }

    #[test]
    fn hash_fallback_matches_radix() {
        // Two columns whose cardinality product overflows u64 are simulated by
        // calling the hash path directly.
        let t = table(&[
            ("a", &["x", "y", "x", "x", "y", "*"]),
            ("b", &["1", "1", "1", "2", "1", "***"]),
        ]);
        let cols: Vec<&CategoricalColumn> = t.columns.iter().collect();
        let canon: Vec<Vec<u32>> = cols.iter().map(|c| canonical_codes(c)).collect();
        let all = |_r: usize| true;
        let hashed = group_by_hash(6, &cols, &canon, &all);
        let mult = mixed_radix(&cols).unwrap();
        let radix = group_by_radix(6, &cols, &canon, &mult, &all);
        let (rows_h, off_h) = (&hashed.rows, &hashed.offsets);
        let (rows_r, off_r) = (&radix.rows, &radix.offsets);
        let groups = |rows: &[u32], off: &[usize]| {
            let mut g: Vec<Vec<u32>> = off
                .windows(2)
                .map(|w| {
                    let mut v = rows[w[0]..w[1]].to_vec();
                    v.sort_unstable();
                    v
                })
                .collect();
            g.sort();
            g
        };
        assert_eq!(groups(rows_h, off_h), groups(rows_r, off_r));
        // Each path's class map agrees with its own layout (the hash path
        // numbers classes by hash, so the numbers differ between the two).
        for g in [&hashed, &radix] {
            for (class, w) in g.offsets.windows(2).enumerate() {
                assert!(g.rows[w[0]..w[1]]
                    .iter()
                    .all(|&r| g.row_class[r as usize] == class as u32));
            }
        }
        assert_eq!(
            groups(rows_h, off_h),
            vec![vec![0, 2], vec![1, 4], vec![3], vec![5]]
        );
    }

    #[test]
    fn suppressed_row_policies() {
        // Rows 2 and 3 have every QI suppressed (`*` and `**` are one value).
        let t = table(&[
            ("a", &["x", "x", "*", "*", "*"]),
            ("b", &["1", "1", "**", "*", "2"]),
            ("s", &["p", "q", "p", "p", "q"]),
        ]);
        let ex =
            EquivalenceClasses::build(&t, &["a", "b"], &["s"], SuppressedRows::Exclude).unwrap();
        assert_eq!(ex.n_suppressed_rows, 2);
        assert_eq!(ex.n_rows_in_classes, 3);
        assert_eq!(ex.class_of_row(2), None);
        let mut sizes = ex.class_sizes().to_vec();
        sizes.sort_unstable();
        assert_eq!(sizes, vec![1, 2]); // (x,1) x2 and (*,2) x1
        assert_eq!(ex.sensitive("s").unwrap().overall, vec![1, 2]);

        let one =
            EquivalenceClasses::build(&t, &["a", "b"], &["s"], SuppressedRows::OneClass).unwrap();
        assert_eq!(one.n_suppressed_rows, 2);
        assert_eq!(one.n_rows_in_classes, 5);
        assert_eq!(one.class_of_row(2), one.class_of_row(3));
        let mut sizes = one.class_sizes().to_vec();
        sizes.sort_unstable();
        assert_eq!(sizes, vec![1, 2, 2]);
    }

    #[test]
    fn input_errors_are_named() {
        let t = table(&[("a", &["x"]), ("s", &["p"])]);
        let e = EquivalenceClasses::build(&t, &[], &["s"], SuppressedRows::Exclude).unwrap_err();
        assert!(e.to_string().contains("no quasi-identifiers"), "{e}");
        let e =
            EquivalenceClasses::build(&t, &["zip"], &["s"], SuppressedRows::Exclude).unwrap_err();
        assert!(
            e.to_string().contains("`zip`") && e.to_string().contains("a, s"),
            "{e}"
        );
        let e = EquivalenceClasses::build(&t, &["a"], &["a"], SuppressedRows::Exclude).unwrap_err();
        assert!(e.to_string().contains("both"), "{e}");
        let empty = EncodedTable::new(
            "e.csv",
            vec![CategoricalColumn::from_strs::<&str>("a", &[])],
        );
        let e =
            EquivalenceClasses::build(&empty, &["a"], &[], SuppressedRows::Exclude).unwrap_err();
        assert!(e.to_string().contains("e.csv: the table is empty"), "{e}");
        let sup = table(&[("a", &["*", "**"])]);
        let e = EquivalenceClasses::build(&sup, &["a"], &[], SuppressedRows::Exclude).unwrap_err();
        assert!(e.to_string().contains("all 2 rows"), "{e}");
    }
}
