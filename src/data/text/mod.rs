//! Reading free text for identifiers: the word lists that tell an ordinary
//! word or a code token from a name ([`vocabulary`]) and the detectors of
//! e-mails, URLs, hosts, IPs, issue keys, mentions, phone numbers and
//! dictionary names ([`identifiers`]).
//!
//! Both sit in `data` because the reference redactor (`anonymize`), the text
//! attacks (`attacks::text`) and the direct-identifier scan (`privacy`) must
//! read text the same way, and the one-way flow of `shared/DESIGN.md` lets
//! each of them import `data` but not one another. Nothing here replaces,
//! scores or reports anything.

pub mod identifiers;
pub mod vocabulary;

pub use identifiers::{
    looks_like_account_id, mask_identifier, EntityKind, IdentifierDetector, LiteralMatcher,
    NameDictionary, SkippedEntry, Span,
};
