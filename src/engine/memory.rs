//! The resident memory of this process, as the kernel counts it: read from
//! `/proc/self/status` (Linux only; `None` elsewhere or when the file cannot
//! be read). The out-of-core engines track an estimate of what they hold;
//! these figures check that estimate against what the process really uses
//! (allocator overhead, buffers and code included). Nothing here allocates
//! beyond reading the small status file.

/// The resident set size now (`VmRSS`), in bytes.
pub fn resident_bytes() -> Option<u64> {
    status_kib("VmRSS:").map(|k| k * 1024)
}

/// The highest resident set size of the process so far (`VmHWM`, the
/// "high water mark"), in bytes: it covers the whole process, not one run.
pub fn peak_resident_bytes() -> Option<u64> {
    status_kib("VmHWM:").map(|k| k * 1024)
}

/// The value, in KiB, of the `/proc/self/status` line starting with `key`.
fn status_kib(key: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_status_kib(&text, key)
}

/// The KiB figure of the line of `text` starting with `key` (`VmRSS:  1234 kB`).
fn parse_status_kib(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    let mut fields = line[key.len()..].split_whitespace();
    let value: u64 = fields.next()?.parse().ok()?;
    match fields.next() {
        Some("kB") | None => Some(value),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_lines() {
        let text = "Name:\treident\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
        assert_eq!(parse_status_kib(text, "VmRSS:"), Some(102_400));
        assert_eq!(parse_status_kib(text, "VmHWM:"), Some(204_800));
        assert_eq!(parse_status_kib(text, "VmSwap:"), None);
        assert_eq!(parse_status_kib("VmRSS:\t12 MB\n", "VmRSS:"), None);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn reads_this_process() {
        let now = resident_bytes().unwrap();
        let peak = peak_resident_bytes().unwrap();
        assert!(now > 0 && peak > 0);
    }
}
