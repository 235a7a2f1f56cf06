//! Arbitrary text as a search query: the index answers with hits or a bad-query error, never
//! a panic or another error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        kinbridge_search::check_untrusted_query(text);
    }
});
