//! Arbitrary bytes under every file name the import accepts: reading them without an engine
//! (kind, container limits, text of text and office files) must answer, never panic, hang or
//! allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kinbridge_archive::extract::check_untrusted(data);
});
