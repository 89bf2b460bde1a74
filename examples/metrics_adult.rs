//! Privacy metrics of a release with the library API: load UCI Adult,
//! generalize age to 10-year bands with its ARX hierarchy, and compare k, l and
//! t before and after.
//!
//! Run with `cargo run --example metrics_adult`.

use std::path::Path;

use reident::data::{self, CategoricalColumn, EncodedTable, Hierarchy, MissingPolicy, ReadOptions};
use reident::privacy::{evaluate, MetricsParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/adult");
    let qis = ["age", "sex", "race", "marital-status"];
    let columns = ["age", "sex", "race", "marital-status", "occupation"];
    let table = data::load_table(
        &root.join("adult.csv"),
        &columns,
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )?;
    let occupation = Hierarchy::from_arx_csv(
        &root.join("hierarchies/adult_hierarchy_occupation.csv"),
        "occupation",
    )?;
    let params = MetricsParams::new(qis)
        .sensitive(["occupation"])
        .hierarchy(occupation)
        .target_k(5);

    let original = evaluate(&table, &params)?;

    // Generalize age to 10-year bands (level 2 of the ARX age hierarchy).
    let age = Hierarchy::from_arx_csv(&root.join("hierarchies/adult_hierarchy_age.csv"), "age")?;
    let age_col = table.column("age").ok_or("no age column")?;
    let banded: Vec<&str> = (0..table.n_rows)
        .map(|row| {
            age.generalize(age_col.value(row), 2)
                .ok_or("age not in hierarchy")
        })
        .collect::<Result<_, _>>()?;
    let mut columns = table.columns.clone();
    columns[0] = CategoricalColumn::from_strs("age", &banded);
    let generalized = EncodedTable::new("adult.csv, age in 10-year bands", columns);
    let after = evaluate(&generalized, &params)?;

    println!("{:<34} {:>10} {:>10}", "", "original", "age banded");
    println!(
        "{:<34} {:>10} {:>10}",
        "equivalence classes", original.n_classes, after.n_classes
    );
    println!("{:<34} {:>10} {:>10}", "k", original.k, after.k);
    println!(
        "{:<34} {:>10} {:>10}",
        "records in classes smaller than 5",
        original.below_target_k.n_records,
        after.below_target_k.n_records
    );
    let (o, a) = (&original.sensitive[0], &after.sensitive[0]);
    println!(
        "{:<34} {:>10} {:>10}",
        "distinct l (occupation)", o.l_distinct, a.l_distinct
    );
    println!(
        "{:<34} {:>10.4} {:>10.4}",
        "t, hierarchical EMD (occupation)",
        o.t_hierarchical.map_or(f64::NAN, |t| t.t),
        a.t_hierarchical.map_or(f64::NAN, |t| t.t)
    );
    // Generalizing a quasi-identifier can only merge classes.
    assert!(after.k >= original.k && after.n_classes <= original.n_classes);
    Ok(())
}
