//! `reident hierarchy`: build ARX-format generalization hierarchies from the
//! original columns ([`crate::data::hierarchy_build`]) instead of writing
//! them by hand: numeric intervals, digit masks, date truncation, or the
//! labels a release shows placed by a truth key.
//!
//! One `--build COLUMN=RECIPE` per column. With one column and no
//! `--output-dir` the hierarchy goes to standard output; otherwise each is
//! written to `DIR/hierarchy_COLUMN.csv`, the name `--hierarchy
//! COLUMN=FILE` and the audit config's `hierarchies` take back.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::CliError;
use super::Outcome;
use crate::data::hierarchy_build::{build, HierarchyRecipe};
use crate::data::{ensure_distinct_inputs, load_table, MissingPolicy, ReadOptions, TruthSpec};

/// Arguments of `reident hierarchy`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Recipes:\n  \
    intervals:W1,W2,...  numeric intervals [lo, hi[ of these widths (each a multiple of the one before), e.g. age=intervals:5,10,20\n  \
    masks                mask characters from the right (zip and area codes), e.g. zip=masks\n  \
    dates                ISO dates to day, month, year, e.g. opened=dates\n  \
    release              the labels the release shows, placed by --truth (needs --release), e.g. marital=release\n\
Every hierarchy ends in the root `*`. Values a recipe cannot read are errors naming the value and its row.")]
pub struct HierarchyArgs {
    /// The originals (.csv, .ndjson/.jsonl, .parquet; .gz accepted).
    #[arg(long)]
    pub data: PathBuf,
    /// COLUMN=RECIPE (repeatable): which hierarchy to build for which column.
    #[arg(long = "build", required = true)]
    pub builds: Vec<String>,
    /// The release, for the `release` recipe.
    #[arg(long)]
    pub release: Option<PathBuf>,
    /// Truth key for the `release` recipe: `COLUMN` (same key in both files)
    /// or `ORIGINAL=RELEASE`; `#row=COLUMN` when the release holds the
    /// original's 0-based row (what `reident anonymize --truth-key` writes).
    #[arg(long)]
    pub truth: Option<String>,
    /// Write `hierarchy_COLUMN.csv` files into this folder (created if
    /// needed) instead of printing.
    #[arg(long)]
    pub output_dir: Option<PathBuf>,
    /// Replace existing hierarchy files in --output-dir.
    #[arg(long)]
    pub force: bool,
}

/// Parses `COLUMN=RECIPE`.
fn parse_build(spec: &str) -> Result<(String, HierarchyRecipe), CliError> {
    let usage = |why: &str| {
        CliError::Usage(format!(
            "--build `{spec}`: {why}; expected COLUMN=RECIPE with RECIPE intervals:W1,W2,..., masks, dates or release (e.g. age=intervals:5,10,20)"
        ))
    };
    let (column, recipe) = spec.split_once('=').ok_or_else(|| usage("no `=`"))?;
    let recipe = HierarchyRecipe::parse(recipe).map_err(|why| usage(&why))?;
    Ok((column.trim().to_string(), recipe))
}

/// The file a column's hierarchy is written to inside `dir`.
pub fn hierarchy_file(dir: &Path, column: &str) -> PathBuf {
    let safe: String = column
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("hierarchy_{safe}.csv"))
}

/// Runs `reident hierarchy`.
pub fn run(args: &HierarchyArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let builds = args
        .builds
        .iter()
        .map(|s| parse_build(s))
        .collect::<Result<Vec<_>, _>>()?;
    let needs_release = builds
        .iter()
        .any(|(_, r)| *r == HierarchyRecipe::FromRelease);
    if needs_release && (args.release.is_none() || args.truth.is_none()) {
        return Err(CliError::Usage(
            "the `release` recipe needs --release FILE and --truth KEY (which release row came from which original row)".into(),
        ));
    }
    if builds.len() > 1 && args.output_dir.is_none() {
        return Err(CliError::Usage(
            "several --build flags need --output-dir DIR (one file per column)".into(),
        ));
    }
    let opts = ReadOptions::default();
    let missing = MissingPolicy::default();
    let original = load_table(&args.data, &[], &opts, &missing)?;
    let release = match (&args.release, needs_release) {
        (Some(path), true) => {
            ensure_distinct_inputs("release", path, "original", &args.data)?;
            Some(load_table(path, &[], &opts, &missing)?)
        }
        _ => None,
    };
    let truth = match (&release, &args.truth) {
        (Some(release), Some(spec)) => Some(TruthSpec::parse(spec).resolve(&original, release)?),
        _ => None,
    };
    let source = args.data.display().to_string();
    let mut inputs: Vec<&Path> = vec![&args.data];
    if let Some(r) = &args.release {
        inputs.push(r);
    }
    // Check every target before writing any, so a refused file leaves none half-done.
    if let Some(dir) = &args.output_dir {
        for (column, _) in &builds {
            super::output::check_file(&hierarchy_file(dir, column), &inputs, args.force)?;
        }
    }
    // Build every hierarchy before writing any, so an error leaves no file behind.
    let mut built = Vec::with_capacity(builds.len());
    for (column, recipe) in &builds {
        let original_column = original.column(column).ok_or_else(|| {
            CliError::Usage(format!(
                "--build `{column}`: {source} has no column `{column}`; its columns are: {}",
                original.column_names().join(", ")
            ))
        })?;
        let release_side = match (&release, &truth) {
            (Some(r), Some(t)) => {
                let rc = r.column(column).ok_or_else(|| {
                    CliError::Usage(format!(
                        "--build `{column}`: the release has no column `{column}`; its columns are: {}",
                        r.column_names().join(", ")
                    ))
                })?;
                Some((rc, t))
            }
            _ => None,
        };
        built.push((
            column,
            recipe,
            build(&source, recipe, original_column, release_side)?,
        ));
    }
    for (column, recipe, hierarchy) in built {
        let text = hierarchy.to_arx_csv();
        match &args.output_dir {
            None => out
                .write_all(text.as_bytes())
                .map_err(|source| CliError::Write {
                    path: "standard output".into(),
                    source,
                })?,
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| CliError::Write {
                    path: dir.display().to_string(),
                    source,
                })?;
                let path = hierarchy_file(dir, column);
                super::output::emit(&text, Some(&path), out)?;
                eprintln!(
                    "{}: {} values, {} levels ({})",
                    path.display(),
                    hierarchy.n_leaves(),
                    hierarchy.levels(),
                    recipe.name()
                );
            }
        }
    }
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_recipes_and_says_what_is_wrong() {
        assert_eq!(
            parse_build("age=intervals:5,10").unwrap(),
            (
                "age".to_string(),
                HierarchyRecipe::Intervals {
                    widths: vec![5.0, 10.0]
                }
            )
        );
        assert_eq!(parse_build("zip=masks").unwrap().1, HierarchyRecipe::Masks);
        let err = parse_build("zip=blur").unwrap_err().to_string();
        assert!(err.contains("unknown recipe `blur`"), "{err}");
        let err = parse_build("age=intervals:5,x").unwrap_err().to_string();
        assert!(err.contains("width `x`"), "{err}");
        assert!(parse_build("age").is_err());
        assert_eq!(
            hierarchy_file(Path::new("d"), "marital status"),
            Path::new("d").join("hierarchy_marital_status.csv")
        );
    }
}
