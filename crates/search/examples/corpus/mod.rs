//! The generated multilingual corpus the search and ingest benchmarks share: titles, notes and
//! request messages of the demo generator in English, French and Spanish, with names of the
//! matching engine's naming cultures, 12 members, 5 services and years 1950–2026.

#![allow(dead_code)]

pub const MEMBERS: [&str; 12] = ["CH", "DE", "FR", "ES", "IT", "BE", "NL", "GB", "US", "CA", "AU", "JP"];
const SERVICES: [&str; 5] =
    ["family_tracing", "search_of_origins", "family_mediation", "unaccompanied_minors", "alternative_care"];
const LANGS: [&str; 3] = ["en", "fr", "es"];

pub struct Item {
    pub title: String,
    pub text: String,
    pub names: Vec<String>,
    pub member: &'static str,
    pub service: &'static str,
    pub lang: &'static str,
    pub year: i32,
}

pub fn corpus(n: usize, seed: u64) -> (Vec<Item>, Vec<String>) {
    let mut rng = fastrand::Rng::with_seed(seed);
    // The names and places of the generated cultures, as the benchmark has always drawn them.
    let (mut given, mut family, mut places) = (Vec::new(), Vec::new(), Vec::new());
    for (c, g) in kinbridge_lexicon::generated() {
        given.extend_from_slice(c.male);
        given.extend_from_slice(c.female);
        family.extend_from_slice(c.family);
        places.extend_from_slice(g.places);
    }
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        let lang = LANGS[rng.usize(..LANGS.len())];
        let service = SERVICES[rng.usize(..SERVICES.len())];
        let child = format!("{} {}", given[rng.usize(..given.len())], family[rng.usize(..family.len())]);
        let adult = format!("{} {}", given[rng.usize(..given.len())], family[rng.usize(..family.len())]);
        let place = places[rng.usize(..places.len())];
        let t = kinbridge_demo::text::title(service);
        let title = kinbridge_demo::text::fill(t[rng.usize(..t.len())], &child, &adult, place);
        let mut text = String::new();
        let notes = kinbridge_demo::text::note(lang);
        for _ in 0..3 {
            text.push_str(&kinbridge_demo::text::fill(notes[rng.usize(..notes.len())], &child, &adult, place));
            text.push(' ');
        }
        let msgs = kinbridge_demo::text::request_message(lang);
        text.push_str(&kinbridge_demo::text::fill(msgs[rng.usize(..msgs.len())], &child, &adult, place));
        items.push(Item {
            title,
            text,
            names: vec![child, adult],
            member: MEMBERS[rng.usize(..MEMBERS.len())],
            service,
            lang,
            year: rng.i32(1950..=2026),
        });
    }
    (items, family.iter().map(|s| s.to_string()).collect())
}
