//! Reports: one serde model rendered as JSON (the contract), Markdown and a
//! self-contained HTML page, with charts as SVG and PNG.
