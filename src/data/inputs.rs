//! The guard against an input given twice.
//!
//! A release audited against itself as its own original matches every row to
//! itself or, once values are read as generalizations, to nothing, and either
//! way the figures mean nothing; the first wave of `reident` passed such an
//! audit. Every command and the audit call [`ensure_distinct_inputs`] on each
//! pair of inputs that must differ (release and original, training and test
//! corpus, control and original): the same path after following links, or two
//! files with the same bytes, is an error naming both.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::DataError;

fn io(path: &Path, source: std::io::Error) -> DataError {
    DataError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// True when the two files hold the same bytes (compared in 64 KiB blocks,
/// after a size check, so unequal files are usually told apart at once).
fn same_bytes(a: &Path, b: &Path) -> Result<bool, DataError> {
    let (ma, mb) = (
        std::fs::metadata(a).map_err(|e| io(a, e))?,
        std::fs::metadata(b).map_err(|e| io(b, e))?,
    );
    if !ma.is_file() || !mb.is_file() || ma.len() != mb.len() {
        return Ok(false);
    }
    let mut ra = BufReader::with_capacity(1 << 16, File::open(a).map_err(|e| io(a, e))?);
    let mut rb = BufReader::with_capacity(1 << 16, File::open(b).map_err(|e| io(b, e))?);
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let na = super::read::read_up_to(&mut ra, &mut ba).map_err(|e| io(a, e))?;
        let nb = super::read::read_up_to(&mut rb, &mut bb).map_err(|e| io(b, e))?;
        if na != nb || ba[..na] != bb[..nb] {
            return Ok(false);
        }
        if na == 0 {
            return Ok(true);
        }
    }
}

/// Errors when `first` and `second` are the same file (after following
/// links) or hold identical bytes. The labels say what each input is
/// ("release", "original") and appear in the message.
pub fn ensure_distinct_inputs(
    first_label: &str,
    first: &Path,
    second_label: &str,
    second: &Path,
) -> Result<(), DataError> {
    let same_path = match (first.canonicalize(), second.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => first == second,
    };
    let same_content = match (
        super::memory::lookup(first)?,
        super::memory::lookup(second)?,
    ) {
        // Two in-memory tables: the same columns with the same values.
        (Some(a), Some(b)) => a.equals_missing(&b),
        // One table in memory and one file (or two files): a file and a
        // table are never compared, as a file's bytes are not a table's.
        (Some(_), None) | (None, Some(_)) => false,
        (None, None) => same_bytes(first, second)?,
    };
    if same_path || same_content {
        return Err(DataError::SameInput {
            first_label: first_label.to_string(),
            first: first.display().to_string(),
            second_label: second_label.to_string(),
            second: second.display().to_string(),
            same_path,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_path_same_bytes_and_different_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.csv");
        let c = dir.path().join("c.csv");
        std::fs::write(&a, "x\n1\n").unwrap();
        std::fs::write(&b, "x\n1\n").unwrap();
        std::fs::write(&c, "x\n2\n").unwrap();
        let err = ensure_distinct_inputs("release", &a, "original", &a).unwrap_err();
        assert!(err.to_string().contains("are the same file"), "{err}");
        // Through a different spelling of the same path.
        let dotted = dir.path().join(".").join("a.csv");
        assert!(ensure_distinct_inputs("release", &a, "original", &dotted).is_err());
        let err = ensure_distinct_inputs("release", &a, "original", &b).unwrap_err();
        assert!(err.to_string().contains("identical contents"), "{err}");
        assert!(err.to_string().contains("a.csv") && err.to_string().contains("b.csv"));
        ensure_distinct_inputs("release", &a, "original", &c).unwrap();
    }
}
