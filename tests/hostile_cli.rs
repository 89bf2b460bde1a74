//! The hostile-input suite: every subcommand fed corrupt, endless, oversized,
//! mislabelled or self-overwriting input. Each case runs the real binary in a
//! fresh folder (see `hostile_support`) and asserts exit code 2, a message
//! naming the file and the line, column or flag at fault, no panic, no hang,
//! at most 1 GiB of address space, and inputs byte-identical afterwards.

use crate::hostile_support;

use hostile_support::{bytes, gz, gzip_bomb, run, text, wide_csv, Case, Content, PEOPLE};

macro_rules! case {
    ($name:ident, files: [$($f:expr),* $(,)?], args: [$($a:expr),* $(,)?], expect: [$($e:expr),* $(,)?] $(,)?) => {
        #[test]
        fn $name() {
            run(Case {
                files: vec![$($f),*],
                args: vec![$($a),*],
                expect: vec![$($e),*],
            });
        }
    };
}

fn people() -> (&'static str, Content) {
    ("people.csv", text(PEOPLE))
}

fn zero(name: &'static str) -> (&'static str, Content) {
    (name, Content::Link("/dev/zero"))
}

const DOCS: &str = "id,author,text\n1,ann,Ann wrote the quarterly report on the servers\n2,bob,Bob fixed the login bug in the portal page\n3,cyd,Cyd reviewed the deployment plan for today\n";
const DOCS_RELEASE: &str = "id,author,text\n1,u1,[PERSON] wrote the quarterly report on the servers\n2,u2,[PERSON] fixed the login bug in the portal page\n3,u3,[PERSON] reviewed the deployment plan for today\n";

// ---- metrics: the readers' limits and errors --------------------------------

case!(metrics_dev_zero_link_hits_the_record_limit,
    files: [zero("zero.csv")],
    args: ["metrics", "--data", "zero.csv", "--qi", "age"],
    expect: ["zero.csv", "line 1", "record limit", "--max-record-bytes"]);

case!(metrics_dev_zero_link_with_a_small_limit,
    files: [zero("zero.csv")],
    args: ["metrics", "--data", "zero.csv", "--qi", "age", "--max-record-bytes", "64K"],
    expect: ["zero.csv", "line 1", "64 KiB", "--max-record-bytes"]);

case!(metrics_gzip_of_nul_bytes_is_refused_early,
    files: [("nul.csv.gz", Content::Bytes(gzip_bomb(b"", b"\0", 24)))],
    args: ["metrics", "--data", "nul.csv.gz", "--qi", "age", "--max-record-bytes", "4M"],
    expect: ["nul.csv.gz", "line 1", "--max-record-bytes"]);

case!(metrics_gzip_bomb_hits_the_ratio_limit,
    files: [("bomb.csv.gz", Content::Bytes(gzip_bomb(b"a,b\n", b"1,2\n", 40)))],
    args: ["metrics", "--data", "bomb.csv.gz", "--qi", "a", "--max-gzip-ratio", "100"],
    expect: ["bomb.csv.gz", "expands more than 100 times", "--max-gzip-ratio"]);

case!(metrics_header_of_a_million_columns,
    files: [("wide.csv", wide_csv(1_000_000, false))],
    args: ["metrics", "--data", "wide.csv", "--qi", "c0"],
    expect: ["wide.csv", "line 1", "1000000 columns", "--max-columns"]);

case!(metrics_header_of_20001_columns_with_a_row,
    files: [("wide.csv", wide_csv(20_001, true))],
    args: ["metrics", "--data", "wide.csv", "--qi", "c0"],
    expect: ["wide.csv", "line 1", "20001 columns", "--max-columns"]);

case!(metrics_overlong_field_names_line_and_column,
    files: [("long.csv", text(&format!("age,sex\n30,F\n40,{}\n", "x".repeat(5000))))],
    args: ["metrics", "--data", "long.csv", "--qi", "age", "--max-field-bytes", "1K"],
    expect: ["long.csv", "line 3, column 2 (`sex`)", "1 KiB", "--max-field-bytes"]);

case!(metrics_unclosed_quote_hits_the_record_limit,
    files: [("quote.csv", text(&format!("age,sex\n30,\"F\n{}", "40,M\n".repeat(2000))))],
    args: ["metrics", "--data", "quote.csv", "--qi", "age", "--max-record-bytes", "1K"],
    expect: ["quote.csv", "line 2", "--max-record-bytes"]);

case!(metrics_invalid_utf8_names_the_line,
    files: [("latin1.csv", bytes(b"age,sex\n30,F\n40,caf\xe9\n"))],
    args: ["metrics", "--data", "latin1.csv", "--qi", "sex"],
    expect: ["latin1.csv", "line 3", "UTF-8"]);

case!(metrics_ragged_row_names_the_line,
    files: [("ragged.csv", text("age,sex\n30,F\n40,M,extra\n"))],
    args: ["metrics", "--data", "ragged.csv", "--qi", "age"],
    expect: ["ragged.csv", "line 3", "3 field(s)", "header has 2"]);

case!(metrics_missing_column_lists_the_columns,
    files: [people()],
    args: ["metrics", "--data", "people.csv", "--qi", "height"],
    expect: ["people.csv", "no column `height`", "age, sex, zip, disease"]);

case!(metrics_missing_column_of_a_wide_file_is_a_short_message,
    files: [("wide.csv", wide_csv(9_000, true))],
    args: ["metrics", "--data", "wide.csv", "--qi", "height"],
    expect: ["wide.csv", "no column `height`", "and 8960 more"]);

case!(metrics_duplicate_column_names_both_positions,
    files: [("dup.csv", text("age,sex,age\n1,2,3\n"))],
    args: ["metrics", "--data", "dup.csv", "--qi", "sex"],
    expect: ["dup.csv", "`age` appears twice", "columns 1 and 3"]);

case!(metrics_empty_file,
    files: [("empty.csv", text(""))],
    args: ["metrics", "--data", "empty.csv", "--qi", "age"],
    expect: ["empty.csv", "the file is empty"]);

case!(metrics_header_without_rows,
    files: [("header.csv", text("age,sex\n"))],
    args: ["metrics", "--data", "header.csv", "--qi", "age"],
    expect: ["header.csv", "no data rows"]);

case!(metrics_truncated_gzip,
    files: [("cut.csv.gz", {
        let mut b = hostile_support::gzip(PEOPLE.repeat(50).as_bytes());
        b.truncate(b.len() / 2);
        Content::Bytes(b)
    })],
    args: ["metrics", "--data", "cut.csv.gz", "--qi", "age"],
    expect: ["cut.csv.gz", "corrupt"]);

case!(metrics_gzipped_csv_with_invalid_utf8,
    files: [("latin1.csv.gz", gz(b"age,sex\n30,F\n31,F\n40,caf\xe9\n"))],
    args: ["metrics", "--data", "latin1.csv.gz", "--qi", "sex"],
    expect: ["latin1.csv.gz", "line 4", "UTF-8"]);

case!(metrics_unknown_extension,
    files: [("people.xlsx", text(PEOPLE))],
    args: ["metrics", "--data", "people.xlsx", "--qi", "age"],
    expect: ["people.xlsx", "cannot tell the format", "`xlsx`"]);

case!(metrics_ndjson_endless_line,
    files: [zero("zero.ndjson")],
    args: ["metrics", "--data", "zero.ndjson", "--qi", "age", "--max-record-bytes", "1M"],
    expect: ["zero.ndjson", "line 1", "--max-record-bytes"]);

case!(metrics_ndjson_array_line,
    files: [("rows.ndjson", text("{\"age\": 30}\n[1, 2]\n"))],
    args: ["metrics", "--data", "rows.ndjson", "--qi", "age"],
    expect: ["rows.ndjson", "line 2", "expected a JSON object"]);

case!(metrics_ndjson_broken_json,
    files: [("rows.ndjson", text("{\"age\": 30}\n{\"age\": \n"))],
    args: ["metrics", "--data", "rows.ndjson", "--qi", "age"],
    expect: ["rows.ndjson", "line 2, column", "not valid JSON"]);

case!(metrics_ndjson_too_many_keys,
    files: [("keys.ndjson", text("{\"a\":1,\"b\":2}\n{\"c\":1,\"d\":2,\"e\":3,\"f\":4}\n"))],
    args: ["metrics", "--data", "keys.ndjson", "--qi", "a", "--max-columns", "5"],
    expect: ["keys.ndjson", "line 2", "more than 5 columns", "--max-columns"]);

case!(metrics_ndjson_deep_nesting,
    files: [("deep.ndjson", text(&format!("{{\"age\": {}1{}}}\n", "[".repeat(300), "]".repeat(300))))],
    args: ["metrics", "--data", "deep.ndjson", "--qi", "age"],
    expect: ["deep.ndjson", "line 1", "not valid JSON"]);

case!(metrics_ndjson_overlong_string,
    files: [("long.ndjson", text(&format!("{{\"age\": \"{}\"}}\n", "9".repeat(3000))))],
    args: ["metrics", "--data", "long.ndjson", "--qi", "age", "--max-field-bytes", "1K"],
    expect: ["long.ndjson", "line 1, key `age`", "--max-field-bytes"]);

case!(metrics_parquet_that_is_not_parquet,
    files: [("fake.parquet", text(PEOPLE))],
    args: ["metrics", "--data", "fake.parquet", "--qi", "age"],
    expect: ["fake.parquet", "not a Parquet file"]);

case!(metrics_parquet_with_garbage_between_magics,
    files: [("junk.parquet", bytes(b"PAR1\x15\x04\x15\x30\x15\x2e\x4c\x15\x02\x15\x00\x12\x00\x00\x99\x99\x99\x99PAR1"))],
    args: ["metrics", "--data", "junk.parquet", "--qi", "age"],
    expect: ["junk.parquet", "Parquet"]);

case!(metrics_parquet_footer_claiming_32_gb,
    // Found by the read_parquet fuzz target: polars' footer decoder reserved
    // 32 GB for a list the footer claimed and aborted the process.
    files: [("crash.parquet", bytes(include_bytes!("fixtures/fuzz/read_parquet-crash-1039acb2.parquet")))],
    args: ["metrics", "--data", "crash.parquet", "--qi", "age"],
    expect: ["crash.parquet", "footer is corrupt"]);

case!(redact_parquet_footer_claiming_32_gb,
    files: [("crash.parquet", bytes(include_bytes!("fixtures/fuzz/read_parquet-crash-1039acb2.parquet")))],
    args: ["redact", "--input", "crash.parquet", "--output", "out.csv", "--columns", "body"],
    expect: ["crash.parquet", "footer is corrupt"]);

case!(metrics_parquet_page_claiming_2_pow_61_values,
    // Found by the read_parquet fuzz target once the footer was checked: a
    // page header's value count made polars reserve a 2^61-byte bitmap.
    files: [("crash.parquet", bytes(include_bytes!("fixtures/fuzz/read_parquet-crash-381adc6e.parquet")))],
    args: ["metrics", "--data", "crash.parquet", "--qi", "user"],
    expect: ["crash.parquet", "footer is corrupt", "a page claims"]);

case!(metrics_parquet_with_mistyped_footer_fields,
    // Third read_parquet fuzz crash: footer fields whose header types differ
    // from the spec's. polars reads known fields by id as the spec's type, so
    // a walker following the header types saw no row groups while polars
    // reached a page with a negative value count (a 2^61-byte bitmap).
    files: [("crash.parquet", bytes(include_bytes!("fixtures/fuzz/read_parquet-crash-6cba0fde.parquet")))],
    args: ["metrics", "--data", "crash.parquet", "--qi", "feature"],
    expect: ["crash.parquet", "footer is corrupt", "a page claims"]);

case!(metrics_gzipped_parquet_over_the_file_limit,
    files: [("big.parquet.gz", Content::Bytes(gzip_bomb(b"PAR1", b"\0", 3)))],
    args: ["metrics", "--data", "big.parquet.gz", "--qi", "age", "--max-file-bytes", "1M"],
    expect: ["big.parquet.gz", "decompressed file", "--max-file-bytes"]);

case!(metrics_hierarchy_linked_to_dev_zero,
    files: [people(), zero("h.csv")],
    args: ["metrics", "--data", "people.csv", "--qi", "age", "--sensitive", "disease",
           "--hierarchy", "disease=h.csv", "--max-file-bytes", "1M"],
    expect: ["h.csv", "1 MiB", "--max-file-bytes"]);

case!(metrics_hierarchy_invalid_utf8,
    files: [people(), ("h.csv", bytes(b"flu;resp;*\ncold;caf\xe9;*\n"))],
    args: ["metrics", "--data", "people.csv", "--qi", "age", "--sensitive", "disease",
           "--hierarchy", "disease=h.csv"],
    expect: ["h.csv", "line 2", "UTF-8"]);

case!(metrics_hierarchy_ragged,
    files: [people(), ("h.csv", text("flu;resp;*\ncold;*\n"))],
    args: ["metrics", "--data", "people.csv", "--qi", "age", "--sensitive", "disease",
           "--hierarchy", "disease=h.csv"],
    expect: ["h.csv", "line 2", "levels"]);

// ---- anonymize: the output rule and the readers ------------------------------

case!(anonymize_generalize_output_is_the_input,
    files: [people(), ("age.csv", text("30;*\n40;*\n50;*\n"))],
    args: ["anonymize", "generalize", "--input", "people.csv", "--output", "people.csv",
           "--qi", "age=age.csv", "--k", "2"],
    expect: ["people.csv", "it is the input"]);

case!(anonymize_output_is_the_hierarchy,
    files: [people(), ("age.csv", text("30;*\n40;*\n50;*\n"))],
    args: ["anonymize", "generalize", "--input", "people.csv", "--output", "age.csv",
           "--qi", "age=age.csv", "--k", "2", "--force"],
    expect: ["age.csv", "it is the input"]);

case!(anonymize_mondrian_output_links_to_the_input,
    files: [people(), ("out.csv", Content::Link("people.csv"))],
    args: ["anonymize", "mondrian", "--input", "people.csv", "--output", "out.csv",
           "--numeric", "age", "--k", "2", "--force"],
    expect: ["out.csv", "it is the input people.csv"]);

case!(anonymize_output_hard_link_to_the_input,
    files: [people(), ("same.csv", Content::HardLink("people.csv"))],
    args: ["anonymize", "mdav", "--input", "people.csv", "--output", "same.csv",
           "--column", "age", "--k", "2", "--force"],
    expect: ["same.csv", "it is the input"]);

case!(anonymize_existing_output_needs_force,
    files: [people(), ("out.csv", text("keep me\n"))],
    args: ["anonymize", "laplace", "--input", "people.csv", "--output", "out.csv",
           "--column", "age", "--epsilon", "1", "--sensitivity", "1", "--lower", "0", "--upper", "100"],
    expect: ["out.csv", "already exists", "--force"]);

case!(anonymize_output_is_a_directory,
    files: [people(), ("outdir", Content::Dir)],
    args: ["anonymize", "histogram", "--input", "people.csv", "--output", "outdir",
           "--by", "sex", "--epsilon", "1"],
    expect: ["outdir", "is a directory"]);

case!(anonymize_file_of_blank_lines_only,
    // More blank lines than the 64 KiB the delimiter sniffer reads: the header
    // record came back empty and reading every column underflowed (a panic).
    files: [("blank.csv", text(&"\n".repeat(70_000)))],
    args: ["anonymize", "mdav", "--input", "blank.csv", "--output", "o.csv",
           "--column", "a", "--k", "2"],
    expect: ["blank.csv", "the file is empty"]);

case!(anonymize_input_linked_to_dev_zero,
    files: [zero("zero.csv")],
    args: ["anonymize", "mdav", "--input", "zero.csv", "--output", "out.csv",
           "--column", "age", "--k", "2", "--max-record-bytes", "1M"],
    expect: ["zero.csv", "line 1", "--max-record-bytes"]);

case!(anonymize_randomized_response_ragged_input,
    files: [("r.csv", text("sex,age\nF,30\nM\n"))],
    args: ["anonymize", "randomized-response", "--input", "r.csv", "--output", "o.csv",
           "--column", "sex", "--epsilon", "1"],
    expect: ["r.csv", "line 3"]);

case!(anonymize_histogram_invalid_utf8,
    files: [("h.csv", bytes(b"sex,age\nF,30\n\xff,40\n"))],
    args: ["anonymize", "histogram", "--input", "h.csv", "--output", "o.csv",
           "--by", "sex", "--epsilon", "1"],
    expect: ["h.csv", "line 3", "UTF-8"]);

case!(anonymize_generalize_hierarchy_linked_to_dev_zero,
    files: [people(), zero("age.csv")],
    args: ["anonymize", "generalize", "--input", "people.csv", "--output", "o.csv",
           "--qi", "age=age.csv", "--k", "2", "--max-file-bytes", "1M"],
    expect: ["age.csv", "--max-file-bytes"]);

// ---- redact and pseudonymize ------------------------------------------------

case!(redact_output_is_the_input,
    files: [("base.csv", text(DOCS))],
    args: ["redact", "--input", "base.csv", "--output", "base.csv", "--columns", "text"],
    expect: ["base.csv", "it is the input"]);

case!(redact_output_links_to_the_input,
    files: [("base.csv", text(DOCS)), ("out.csv", Content::Link("base.csv"))],
    args: ["redact", "--input", "base.csv", "--output", "out.csv", "--columns", "text", "--force"],
    expect: ["out.csv", "it is the input base.csv"]);

case!(redact_output_is_the_users_table,
    files: [("base.csv", text(DOCS)), ("users.csv", text("login,display_name\nann,Ann Lee\n"))],
    args: ["redact", "--input", "base.csv", "--output", "users.csv", "--columns", "text",
           "--users", "users.csv", "--force"],
    expect: ["users.csv", "it is the input"]);

case!(redact_existing_output_needs_force,
    files: [("base.csv", text(DOCS)), ("out.csv", text("keep\n"))],
    args: ["redact", "--input", "base.csv", "--output", "out.csv", "--columns", "text"],
    expect: ["out.csv", "already exists", "--force"]);

case!(redact_invalid_utf8_names_the_line,
    files: [("bad.csv", bytes(b"id,text\n1,hello\n2,caf\xe9 au lait\n"))],
    args: ["redact", "--input", "bad.csv", "--output", "out.csv", "--columns", "text"],
    expect: ["bad.csv", "line 3", "UTF-8"]);

case!(redact_ndjson_broken_line,
    files: [("docs.ndjson", text("{\"id\":1,\"text\":\"a\"}\n{\"id\":2,\"text\":\n"))],
    args: ["redact", "--input", "docs.ndjson", "--output", "out.ndjson", "--columns", "text"],
    expect: ["docs.ndjson", "line 2", "not valid JSON"]);

case!(redact_users_linked_to_dev_zero,
    files: [("base.csv", text(DOCS)), zero("users.csv")],
    args: ["redact", "--input", "base.csv", "--output", "out.csv", "--columns", "text",
           "--users", "users.csv", "--max-record-bytes", "1M"],
    expect: ["users.csv", "line 1", "--max-record-bytes"]);

case!(redact_unknown_output_format,
    files: [("base.csv", text(DOCS))],
    args: ["redact", "--input", "base.csv", "--output", "out.xlsx", "--columns", "text"],
    expect: ["out.xlsx", "unknown table format"]);

case!(redact_gzip_bomb_input,
    files: [("docs.csv.gz", Content::Bytes(gzip_bomb(b"id,text\n", b"1,aaaaa\n", 40)))],
    args: ["redact", "--input", "docs.csv.gz", "--output", "out.csv", "--columns", "text",
           "--max-gzip-ratio", "100"],
    expect: ["docs.csv.gz", "--max-gzip-ratio"]);

case!(pseudonymize_output_is_the_input,
    files: [("base.csv", text(DOCS))],
    args: ["pseudonymize", "--input", "base.csv", "--output", "base.csv", "--columns", "author"],
    expect: ["base.csv", "it is the input"]);

case!(pseudonymize_existing_output_needs_force,
    files: [("base.csv", text(DOCS)), ("out.csv", text("keep\n"))],
    args: ["pseudonymize", "--input", "base.csv", "--output", "out.csv", "--columns", "author"],
    expect: ["out.csv", "already exists", "--force"]);

case!(pseudonymize_ragged_input,
    files: [("base.csv", text("id,author\n1,ann\n2\n"))],
    args: ["pseudonymize", "--input", "base.csv", "--output", "out.csv", "--columns", "author"],
    expect: ["base.csv", "line 3"]);

case!(pseudonymize_input_linked_to_dev_zero,
    files: [zero("zero.csv")],
    args: ["pseudonymize", "--input", "zero.csv", "--output", "out.csv", "--columns", "author",
           "--max-record-bytes", "1M"],
    expect: ["zero.csv", "line 1", "--max-record-bytes"]);

case!(pseudonymize_parquet_garbage,
    files: [("t.parquet", bytes(b"PAR1garbagegarbagePAR1"))],
    args: ["pseudonymize", "--input", "t.parquet", "--output", "out.csv", "--columns", "author"],
    expect: ["t.parquet", "Parquet"]);

// ---- text --------------------------------------------------------------------

case!(text_output_is_the_original,
    files: [("orig.csv", text(DOCS)), ("rel.csv", text(DOCS_RELEASE))],
    args: ["text", "--original", "orig.csv", "--release", "rel.csv", "--id-column", "id",
           "--text-column", "text", "--output", "orig.csv"],
    expect: ["orig.csv", "it is the input"]);

case!(text_output_links_to_the_release,
    files: [("orig.csv", text(DOCS)), ("rel.csv", text(DOCS_RELEASE)), ("out.json", Content::Link("rel.csv"))],
    args: ["text", "--original", "orig.csv", "--release", "rel.csv", "--id-column", "id",
           "--text-column", "text", "--output", "out.json", "--force"],
    expect: ["out.json", "it is the input rel.csv"]);

case!(text_existing_output_needs_force,
    files: [("orig.csv", text(DOCS)), ("rel.csv", text(DOCS_RELEASE)), ("out.json", text("{}"))],
    args: ["text", "--original", "orig.csv", "--release", "rel.csv", "--id-column", "id",
           "--text-column", "text", "--output", "out.json"],
    expect: ["out.json", "already exists", "--force"]);

case!(text_release_invalid_utf8,
    files: [("orig.csv", text(DOCS)), ("rel.csv", bytes(b"id,author,text\n1,u1,ok\n2,u2,caf\xe9\n"))],
    args: ["text", "--original", "orig.csv", "--release", "rel.csv", "--id-column", "id",
           "--text-column", "text"],
    expect: ["rel.csv", "line 3", "UTF-8"]);

case!(text_original_linked_to_dev_zero,
    files: [zero("orig.csv"), ("rel.csv", text(DOCS_RELEASE))],
    args: ["text", "--original", "orig.csv", "--release", "rel.csv", "--id-column", "id",
           "--text-column", "text", "--max-record-bytes", "1M"],
    expect: ["orig.csv", "line 1", "--max-record-bytes"]);

case!(text_missing_text_column,
    files: [("orig.csv", text(DOCS)), ("rel.csv", text(DOCS_RELEASE))],
    args: ["text", "--original", "orig.csv", "--release", "rel.csv", "--id-column", "id",
           "--text-column", "body"],
    expect: ["orig.csv", "no column `body`"]);

// ---- identifiers -----------------------------------------------------------------

case!(identifiers_output_is_the_scanned_table,
    files: [people()],
    args: ["identifiers", "--data", "people.csv", "--output", "people.csv", "--force"],
    expect: ["people.csv", "it is the input"]);

case!(identifiers_existing_output_needs_force,
    files: [people(), ("scan.txt", text("keep me\n"))],
    args: ["identifiers", "--data", "people.csv", "--output", "scan.txt"],
    expect: ["scan.txt", "already exists", "--force"]);

// ---- synth -------------------------------------------------------------------

case!(synth_into_an_existing_corpus_needs_force,
    files: [("corpus/users.csv", text("keep\n"))],
    args: ["synth", "--out", "corpus", "--users", "3"],
    expect: ["corpus", "already exists", "--force"]);

case!(synth_demo_into_an_existing_folder_needs_force,
    files: [("demo/notes.txt", text("mine\n"))],
    args: ["synth", "--demo", "--out", "demo"],
    expect: ["demo", "already exists", "--force"]);

case!(synth_out_is_a_file,
    files: [("corpus", text("a file\n"))],
    args: ["synth", "--out", "corpus", "--users", "3", "--force"],
    expect: ["corpus", "already exists"]);

// ---- epsilon -------------------------------------------------------------------

case!(epsilon_audit_without_lacks_the_column,
    files: [("without.csv", text("x\n1\n2\n3\n")), ("with.csv", text("v\n1\n2\n3\n4\n"))],
    args: ["epsilon", "audit", "--mechanism", "laplace", "--without", "without.csv",
           "--with", "with.csv", "--column", "v", "--mechanism-epsilon", "1", "--trials", "10"],
    expect: ["without.csv", "no column `v`", "--without", "its columns are: x"]);

case!(epsilon_audit_with_lacks_the_column,
    files: [("without.csv", text("v\n1\n2\n3\n")), ("with.csv", text("x\n1\n2\n3\n4\n"))],
    args: ["epsilon", "audit", "--mechanism", "laplace", "--without", "without.csv",
           "--with", "with.csv", "--column", "v", "--mechanism-epsilon", "1", "--trials", "10"],
    expect: ["with.csv", "no column `v`", "--with"]);

case!(epsilon_audit_datasets_differ_in_two_rows,
    files: [("without.csv", text("v\n1\n2\n3\n")), ("with.csv", text("v\n1\n2\n3\n4\n5\n"))],
    args: ["epsilon", "audit", "--mechanism", "laplace", "--without", "without.csv",
           "--with", "with.csv", "--column", "v", "--mechanism-epsilon", "1", "--trials", "10"],
    expect: ["without.csv (3 rows)", "with.csv (5 rows)", "not neighbours"]);

case!(epsilon_audit_headers_differ,
    files: [("without.csv", text("v,w\n1,1\n2,2\n")), ("with.csv", text("v,z\n1,1\n2,2\n3,3\n"))],
    args: ["epsilon", "audit", "--mechanism", "laplace", "--without", "without.csv",
           "--with", "with.csv", "--column", "v", "--mechanism-epsilon", "1", "--trials", "10"],
    expect: ["column `z` of with.csv is not in without.csv", "not neighbours"]);

case!(epsilon_estimate_original_linked_to_dev_zero,
    files: [zero("orig.csv"), ("rel.csv", text("v\n1\n2\n"))],
    args: ["epsilon", "estimate", "--original", "orig.csv", "--release", "rel.csv",
           "--kind", "numeric", "--column", "v", "--sensitivity", "1", "--max-record-bytes", "1M"],
    expect: ["orig.csv", "line 1", "--max-record-bytes"]);

case!(epsilon_bound_scores_invalid_utf8,
    files: [("scores.csv", bytes(b"score,member\n0.5,1\n0.\xff,0\n"))],
    args: ["epsilon", "bound", "--scores", "scores.csv"],
    expect: ["scores.csv", "line 3", "UTF-8"]);

case!(epsilon_check_scores_ragged,
    files: [("scores.csv", text("score,member\n0.5,1\n0.4\n"))],
    args: ["epsilon", "check", "--scores", "scores.csv", "--claim-epsilon", "1"],
    expect: ["scores.csv", "line 3"]);

// ---- audit ---------------------------------------------------------------------

case!(audit_broken_toml_names_line_and_column,
    files: [("a.toml", text("title = \"t\"\n[[table]\nname = 3\n"))],
    args: ["audit", "--config", "a.toml", "--out", "report"],
    expect: ["a.toml", "line 2, column 8"]);

case!(audit_config_linked_to_dev_zero,
    files: [zero("a.toml")],
    args: ["audit", "--config", "a.toml", "--out", "report"],
    expect: ["a.toml", "larger than 16 MiB", "not a config"]);

case!(audit_out_folder_holds_the_config,
    files: [("a.toml", text("title = \"t\"\n[[table]]\nname = \"t\"\nrelease = \"people.csv\"\nquasi_identifiers = [\"age\"]\n[[claim]]\nkind = \"k_anonymity\"\ntable = \"t\"\nk = 2\n")), people()],
    args: ["audit", "--config", "a.toml", "--out", "."],
    expect: ["refusing to write the report into .", "people.csv"]);

case!(audit_release_is_not_utf8,
    files: [("a.toml", text("title = \"t\"\n[[table]]\nname = \"t\"\nrelease = \"bad.csv\"\nquasi_identifiers = [\"age\"]\n[[claim]]\nkind = \"k_anonymity\"\ntable = \"t\"\nk = 2\n")),
            ("bad.csv", bytes(b"age,sex\n30,F\n\xfe,M\n"))],
    args: ["audit", "--config", "a.toml", "--out", "report"],
    expect: ["bad.csv", "line 3", "UTF-8"]);

// ---- link, risk, unicity, stylometry ---------------------------------------------

case!(link_release_linked_to_dev_zero,
    files: [people(), zero("rel.csv")],
    args: ["link", "--original", "people.csv", "--release", "rel.csv", "--qi", "age,sex",
           "--max-record-bytes", "1M"],
    expect: ["rel.csv", "line 1", "--max-record-bytes"]);

case!(link_release_lacks_a_quasi_identifier,
    files: [people(), ("rel.csv", text("age,zip\n30,123**\n"))],
    args: ["link", "--original", "people.csv", "--release", "rel.csv", "--qi", "age,sex"],
    expect: ["rel.csv", "no column `sex`"]);

case!(link_original_ragged,
    files: [("orig.csv", text("age,sex\n30,F\n40\n")), ("rel.csv", text("age,sex\n30,F\n"))],
    args: ["link", "--original", "orig.csv", "--release", "rel.csv", "--qi", "age,sex"],
    expect: ["orig.csv", "line 3"]);

case!(risk_release_invalid_utf8,
    files: [people(), ("rel.csv", bytes(b"age,sex,zip,disease\n30,F,1,flu\n40,\xc3,2,cold\n")),
            ("ctl.csv", text("age,sex,zip,disease\n60,M,3,flu\n"))],
    args: ["risk", "--original", "people.csv", "--release", "rel.csv", "--control", "ctl.csv",
           "--columns", "age,sex"],
    expect: ["rel.csv", "line 3", "UTF-8"]);

case!(risk_control_gzip_bomb,
    files: [people(), ("rel.csv", text("age,sex,zip,disease\n31,F,1,flu\n")),
            ("ctl.csv.gz", Content::Bytes(gzip_bomb(b"age,sex,zip,disease\n", b"1,F,1,a\n", 40)))],
    args: ["risk", "--original", "people.csv", "--release", "rel.csv", "--control", "ctl.csv.gz",
           "--columns", "age,sex", "--max-gzip-ratio", "100"],
    expect: ["ctl.csv.gz", "--max-gzip-ratio"]);

case!(unicity_events_linked_to_dev_zero,
    files: [zero("events.csv")],
    args: ["unicity", "--events", "events.csv", "--max-record-bytes", "1M"],
    expect: ["events.csv", "line 1", "--max-record-bytes"]);

case!(unicity_events_lack_the_user_column,
    files: [("events.csv", text("who,timestamp,product,feature,action\nann,0,jira,issue,view\n"))],
    args: ["unicity", "--events", "events.csv"],
    expect: ["events.csv", "`user`"]);

case!(stylometry_train_linked_to_dev_zero,
    files: [zero("train.csv")],
    args: ["stylometry", "--train", "train.csv", "--max-record-bytes", "1M"],
    expect: ["train.csv", "line 1", "--max-record-bytes"]);

case!(stylometry_test_broken_ndjson,
    files: [("train.csv", text(DOCS)), ("test.jsonl", text("{\"author\":\"ann\",\"text\":\"x\"}\nnot json\n"))],
    args: ["stylometry", "--train", "train.csv", "--test", "test.jsonl"],
    expect: ["test.jsonl", "line 2", "not valid JSON"]);

// ---- the other side: what the rule and the limits still allow ------------------

fn reident_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run reident")
}

#[test]
fn force_replaces_an_existing_output_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.csv"), DOCS).unwrap();
    std::fs::write(dir.path().join("out.csv"), "old\n").unwrap();
    let args = [
        "pseudonymize",
        "--input",
        "base.csv",
        "--output",
        "out.csv",
        "--columns",
        "author",
    ];
    let refused = reident_in(dir.path(), &args);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "old\n"
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    let done = reident_in(dir.path(), &forced);
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let written = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(
        written,
        "id,author,text\n1,user_0001,Ann wrote the quarterly report on the servers\n2,user_0002,Bob fixed the login bug in the portal page\n3,user_0003,Cyd reviewed the deployment plan for today\n"
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["base.csv", "out.csv"]);
}

#[test]
fn a_link_at_the_output_is_replaced_not_written_through() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.csv"), DOCS).unwrap();
    std::fs::write(dir.path().join("elsewhere.csv"), "other\n").unwrap();
    std::os::unix::fs::symlink("elsewhere.csv", dir.path().join("out.csv")).unwrap();
    let done = reident_in(
        dir.path(),
        &[
            "pseudonymize",
            "--input",
            "base.csv",
            "--output",
            "out.csv",
            "--columns",
            "author",
            "--force",
        ],
    );
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("elsewhere.csv")).unwrap(),
        "other\n"
    );
    let meta = std::fs::symlink_metadata(dir.path().join("out.csv")).unwrap();
    assert!(meta.is_file(), "out.csv is now a file of its own");
}

#[test]
fn raised_limits_read_what_the_defaults_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let header: Vec<String> = (0..12_000).map(|i| format!("c{i}")).collect();
    let row = vec!["1"; 12_000].join(",");
    std::fs::write(
        dir.path().join("wide.csv"),
        format!("{}\n{row}\n{row}\n", header.join(",")),
    )
    .unwrap();
    let refused = reident_in(dir.path(), &["metrics", "--data", "wide.csv", "--qi", "c0"]);
    assert_eq!(refused.status.code(), Some(2));
    let read = reident_in(
        dir.path(),
        &[
            "metrics",
            "--data",
            "wide.csv",
            "--qi",
            "c0",
            "--max-columns",
            "20000",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        read.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(report["k"], 2, "{report}");
    assert_eq!(report["n_rows"], 2, "{report}");
}

#[test]
fn synth_with_force_refreshes_its_files_and_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("notes.txt"), "mine\n").unwrap();
    std::fs::write(corpus.join("users.ndjson"), "stale\n").unwrap();
    let done = reident_in(
        dir.path(),
        &[
            "synth", "--out", "corpus", "--users", "3", "--format", "ndjson", "--force",
        ],
    );
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(corpus.join("notes.txt")).unwrap(),
        "mine\n"
    );
    let users = std::fs::read_to_string(corpus.join("users.ndjson")).unwrap();
    assert_eq!(users.lines().count(), 3);
    assert!(std::fs::read_dir(dir.path()).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains("staging")));
}

#[test]
fn a_million_columns_are_read_when_the_limit_is_raised() {
    // Header handling is linear in the number of columns: with the limit
    // raised, a million-column file is read (it took about 17 minutes when
    // the duplicate check compared every pair of names).
    let dir = tempfile::tempdir().unwrap();
    let header: Vec<String> = (0..1_000_000).map(|i| format!("c{i}")).collect();
    std::fs::write(
        dir.path().join("wide.csv"),
        format!("{}\n{}\n", header.join(","), vec!["7"; 1_000_000].join(",")),
    )
    .unwrap();
    let read = reident_in(
        dir.path(),
        &[
            "metrics",
            "--data",
            "wide.csv",
            "--qi",
            "c999999",
            "--max-columns",
            "1000000",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        read.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(
        (report["n_rows"].clone(), report["k"].clone()),
        (1.into(), 1.into())
    );
}
