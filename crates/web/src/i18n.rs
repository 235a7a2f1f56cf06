//! Translations: Fluent catalogues for English, French, Spanish and Arabic, compiled into
//! the binary. A missing message falls back to English, so a partial catalogue never shows
//! a raw key to a user.

use std::borrow::Cow;
use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::sync::Arc;

use kinbridge_domain::case::Vocab;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

pub const LOCALES: &[(&str, &str)] = &[("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية")];

const SOURCES: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en.ftl")),
    ("fr", include_str!("../locales/fr.ftl")),
    ("es", include_str!("../locales/es.ftl")),
    ("ar", include_str!("../locales/ar.ftl")),
];

pub struct Catalogues {
    bundles: HashMap<&'static str, FluentBundle<FluentResource>>,
    /// Every message that takes no argument, formatted once per locale (English filling the
    /// gaps of a partial catalogue): a page asks for a few hundred of them. The keys are our
    /// own message ids, so the Fx hash serves (the default one resists flooding, at a cost).
    plain: FxHashMap<&'static str, FxHashMap<String, String>>,
}

impl Catalogues {
    /// Parses every catalogue; a syntax error in one is a build defect, caught by the tests.
    pub fn load() -> Arc<Self> {
        let mut bundles = HashMap::new();
        for (code, source) in SOURCES {
            let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(res, errors)| {
                tracing::error!(locale = code, ?errors, "translation catalogue has errors");
                res
            });
            let lang: unic_langid::LanguageIdentifier = code.parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![lang]);
            bundle.set_use_isolating(false);
            if let Err(errors) = bundle.add_resource(resource) {
                tracing::error!(locale = code, ?errors, "duplicate translation keys");
            }
            bundles.insert(*code, bundle);
        }
        let mut this = Self { bundles, plain: HashMap::default() };
        let english = this.plain_messages("en");
        for (code, _) in SOURCES {
            let mut messages = english.clone();
            messages.extend(this.plain_messages(code));
            this.plain.insert(*code, messages);
        }
        Arc::new(this)
    }

    /// The messages of one catalogue that format without arguments and without errors.
    fn plain_messages(&self, locale: &str) -> FxHashMap<String, String> {
        let Some(bundle) = self.bundles.get(locale) else { return FxHashMap::default() };
        self.keys(locale)
            .into_iter()
            .filter_map(|key| {
                let pattern = bundle.get_message(&key)?.value()?;
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, None, &mut errors).into_owned();
                errors.is_empty().then_some((key, text))
            })
            .collect()
    }

    fn plain(&self, locale: &str, key: &str) -> Option<&str> {
        self.plain.get(locale)?.get(key).map(String::as_str)
    }

    /// The supported locale closest to `wanted` (a code or an Accept-Language header).
    pub fn negotiate(wanted: &str) -> &'static str {
        wanted
            .split(',')
            .filter_map(|part| part.split(';').next())
            .map(|tag| tag.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase())
            .find_map(|lang| LOCALES.iter().find(|(c, _)| *c == lang).map(|(c, _)| *c))
            .unwrap_or("en")
    }

    pub fn has(&self, locale: &str, key: &str) -> bool {
        self.bundles.get(locale).is_some_and(|b| b.has_message(key))
    }

    pub fn keys(&self, locale: &str) -> Vec<String> {
        SOURCES
            .iter()
            .find(|(c, _)| *c == locale)
            .map(|(_, src)| {
                src.lines()
                    .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
                    .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn format(&self, locale: &str, key: &str, args: Option<&FluentArgs>) -> Option<String> {
        let bundle = self.bundles.get(locale)?;
        let pattern = bundle.get_message(key)?.value()?;
        let mut errors = Vec::new();
        Some(bundle.format_pattern(pattern, args, &mut errors).into_owned())
    }
}

/// The translator for one request, handed to every template.
#[derive(Clone)]
pub struct Tr {
    catalogues: Arc<Catalogues>,
    pub locale: &'static str,
    /// The reader's time zone: times are shown in it.
    pub zone: chrono_tz::Tz,
}

impl Tr {
    pub fn new(catalogues: Arc<Catalogues>, locale: &str) -> Self {
        Self { catalogues, locale: Catalogues::negotiate(locale), zone: chrono_tz::Tz::UTC }
    }

    /// The same translator, showing times in `zone` (an IANA name; UTC if it is not one).
    /// The same reader's zone in another of the languages Kinbridge speaks (`None` if it is not one).
    pub fn in_language(&self, locale: &str) -> Option<Self> {
        let known = LOCALES.iter().find(|(code, _)| *code == locale)?.0;
        Some(Self { catalogues: Arc::clone(&self.catalogues), locale: known, zone: self.zone })
    }

    pub fn in_zone(mut self, zone: &str) -> Self {
        self.zone = zone.parse().unwrap_or(chrono_tz::Tz::UTC);
        self
    }

    pub fn get(&self, key: &str) -> String {
        self.text(key).into_owned()
    }

    /// [`Tr::get`] without a copy when the message takes no argument (what templates use).
    pub fn text(&self, key: &str) -> Cow<'_, str> {
        match self.catalogues.plain(self.locale, key) {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(self.with(key, None)),
        }
    }

    /// A message with one named argument.
    pub fn arg(&self, key: &str, name: &str, value: &str) -> String {
        self.args(key, &[(name, value)])
    }

    /// A message with named arguments.
    pub fn args(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set(name.to_string(), FluentValue::from(value.to_string()));
        }
        self.with(key, Some(&args))
    }

    /// A message with a count, for plurals.
    pub fn count(&self, key: &str, n: i64) -> String {
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(n));
        self.with(key, Some(&args))
    }

    /// The name of a vocabulary term, e.g. `term("service", "family_tracing")`.
    pub fn term(&self, prefix: &str, value: &str) -> String {
        self.term_text(prefix, value).into_owned()
    }

    /// A value of a search facet in words: kinds, services and levels of description are
    /// vocabulary terms; other values (years, member codes) are shown as they are.
    pub fn facet_value(&self, dimension: &str, value: &str) -> String {
        match dimension {
            "kind" => self.term("hit", value),
            "service" => self.term("service", value),
            "level" => self.term("level", value),
            _ => value.to_string(),
        }
    }

    /// A country's name in the reader's language (CLDR), from its ISO 3166 code; the code
    /// itself when CLDR has no name for it.
    pub fn country(&self, code: &str) -> String {
        intl::display::region_name(self.locale, code).map_or_else(|| code.to_string(), str::to_string)
    }

    /// A language's name in the reader's language (CLDR), from its ISO 639 code.
    pub fn language(&self, code: &str) -> String {
        intl::display::language_name(self.locale, code).map_or_else(|| code.to_string(), str::to_string)
    }

    /// A date (`YYYY-MM-DD`, or a partial `YYYY-MM` / `YYYY`) in the reader's words; text that
    /// is not a date is shown as it is.
    pub fn date(&self, stored: &str) -> String {
        let parts: Vec<&str> = stored.split('-').collect();
        let num = |i: usize| parts.get(i).and_then(|p| p.parse::<u8>().ok());
        let Some(year) = parts.first().and_then(|y| y.parse::<i32>().ok()).filter(|_| parts[0].len() == 4) else {
            return stored.to_string();
        };
        let dt = |month, day| intl::datetime::DateTime { year, month, day, ..Default::default() };
        match (parts.len(), num(1), num(2)) {
            (1, _, _) => year.to_string(),
            (2, Some(m @ 1..=12), _) => intl::datetime::format_skeleton(self.locale, &dt(m, 1), "yMMM"),
            (3, Some(m @ 1..=12), Some(d @ 1..=31)) => {
                intl::datetime::format_date(self.locale, &dt(m, d), intl::datetime::DateStyle::Medium)
            }
            _ => stored.to_string(),
        }
    }

    /// A stored moment (`YYYY-MM-DDTHH:MM:SS.mmmZ`, UTC) as date and time in the reader's
    /// words and time zone, with the zone named (its abbreviation, or its offset where the
    /// zone has no abbreviation).
    pub fn moment(&self, stored: &str) -> String {
        let Ok(utc) = chrono::DateTime::parse_from_rfc3339(stored) else { return stored.to_string() };
        let local = utc.with_timezone(&self.zone);
        let naive = local.format("%Y-%m-%dT%H:%M:%S").to_string();
        match intl::datetime::DateTime::parse_iso8601(&naive) {
            Some(dt) => format!(
                "{} {} {}",
                intl::datetime::format_date(self.locale, &dt, intl::datetime::DateStyle::Medium),
                intl::datetime::format_time(self.locale, &dt, intl::datetime::DateStyle::Short),
                local.format("%Z")
            ),
            None => stored.to_string(),
        }
    }

    /// A coded value of a timeline fact in words; a list of countries or languages as their
    /// names; an empty value as "none".
    pub fn fact_value(&self, vocab: Option<Vocab>, value: &str) -> String {
        if value.is_empty() {
            return self.get("value-none");
        }
        let list = |name: &dyn Fn(&str) -> String| value.split(',').map(name).collect::<Vec<_>>().join(", ");
        let prefix = match vocab {
            None | Some(Vocab::Member) => return value.to_string(),
            Some(Vocab::Country) => return list(&|c| self.country(c)),
            Some(Vocab::Language) => return list(&|c| self.language(c)),
            Some(Vocab::Date) => return self.date(value),
            Some(Vocab::Service) => "service",
            Some(Vocab::CaseStatus) => "status",
            Some(Vocab::Outcome) => "outcome",
            Some(Vocab::PersonRole) => "prole",
            Some(Vocab::Sex) => "sex",
            Some(Vocab::Relationship) => "rel",
            Some(Vocab::Consent) => "scope",
            Some(Vocab::RequestKind) => "kind",
            Some(Vocab::RequestStatus) => "rstatus",
            Some(Vocab::GoalStatus) => "goal",
            Some(Vocab::TracingStatus) => "tstatus",
            Some(Vocab::AssessmentKind) => "assessment",
            Some(Vocab::RiskLevel) => "risk",
            Some(Vocab::TransferStatus) => "tstate",
        };
        self.term(prefix, value)
    }

    /// [`Tr::term`] without a copy when the term takes no argument (what templates use).
    pub fn term_text(&self, prefix: &str, value: &str) -> Cow<'_, str> {
        let key = format!("{prefix}-{value}");
        if let Some(text) = self.catalogues.plain(self.locale, &key) {
            return Cow::Borrowed(text);
        }
        if self.catalogues.has(self.locale, &key) || self.catalogues.has("en", &key) {
            Cow::Owned(self.get(&key))
        } else {
            Cow::Owned(value.replace('_', " "))
        }
    }

    fn with(&self, key: &str, args: Option<&FluentArgs>) -> String {
        self.catalogues
            .format(self.locale, key, args)
            .or_else(|| self.catalogues.format("en", key, args))
            .unwrap_or_else(|| key.to_string())
    }

    pub fn dir(&self) -> &'static str {
        if self.locale == "ar" {
            "rtl"
        } else {
            "ltr"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_parses_without_errors() {
        for (code, source) in SOURCES {
            assert!(FluentResource::try_new(source.to_string()).is_ok(), "{code}.ftl has syntax errors");
        }
    }

    #[test]
    fn french_spanish_and_arabic_translate_every_english_message() {
        let c = Catalogues::load();
        let english = c.keys("en");
        assert!(english.len() > 100, "the English catalogue looks truncated");
        for locale in ["fr", "es", "ar"] {
            let missing: Vec<_> = english.iter().filter(|k| !c.has(locale, k)).collect();
            assert!(missing.is_empty(), "{locale} lacks {missing:?}");
        }
        for locale in ["fr", "es", "ar"] {
            let extra: Vec<_> = c.keys(locale).into_iter().filter(|k| !c.has("en", k)).collect();
            assert!(extra.is_empty(), "{locale} has keys English lacks: {extra:?}");
        }
    }

    /// Every error code a user can be shown has its words in every catalogue, and every
    /// `error-` message is a code's (or one of the few messages around codes).
    #[test]
    fn every_error_code_has_a_message_in_every_catalogue() {
        use kinbridge_domain::ErrorCode;
        let c = Catalogues::load();
        for locale in ["en", "fr", "es", "ar"] {
            let missing: Vec<_> =
                ErrorCode::ALL.iter().filter(|code| !c.has(locale, &format!("error-{code}"))).collect();
            assert!(missing.is_empty(), "{locale} has no message for {missing:?}");
        }
        let around_codes = ["error-title", "error-invalid_parameter", "error-invalid_json_field"];
        let stray: Vec<_> = c
            .keys("en")
            .into_iter()
            .filter(|k| k.starts_with("error-") && !around_codes.contains(&k.as_str()))
            .filter(|k| ErrorCode::parse(&k["error-".len()..]).is_none())
            .collect();
        assert!(stray.is_empty(), "messages for codes that do not exist: {stray:?}");
    }

    /// A template that names a message no catalogue has shows its key to the user.
    #[test]
    fn every_message_a_template_names_is_in_the_catalogues() {
        let c = Catalogues::load();
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(&folder).expect("templates folder") {
            let path = entry.expect("template").path();
            let text = std::fs::read_to_string(&path).expect("template text");
            for call in ["t.get(\"", "t.count(\"", "t.arg(\"", "t.text(\""] {
                for (at, _) in text.match_indices(call) {
                    let rest = &text[at + call.len()..];
                    let key = &rest[..rest.find('"').unwrap_or(0)];
                    if !c.has("en", key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "messages named by templates but in no catalogue: {missing:?}");
    }

    #[test]
    fn kept_messages_read_as_formatted_ones() {
        let c = Catalogues::load();
        for locale in ["en", "fr", "es", "ar"] {
            let tr = Tr::new(c.clone(), locale);
            let mut plain = 0;
            for key in c.keys("en") {
                if let Some(kept) = c.plain(locale, &key) {
                    plain += 1;
                    assert_eq!(kept, tr.with(&key, None), "{locale}: {key}");
                }
            }
            assert!(plain > 100, "{locale}: only {plain} messages kept");
        }
    }

    #[test]
    fn every_import_failure_reads_in_words() {
        let c = Catalogues::load();
        for code in kinbridge_archive::extract::FAILURE_CODES {
            for locale in ["en", "fr", "es", "ar"] {
                assert!(c.has(locale, &format!("import-failure-{code}")), "{locale} lacks import-failure-{code}");
            }
        }
    }

    #[test]
    fn negotiation() {
        assert_eq!(Catalogues::negotiate("fr-CH,fr;q=0.9,en;q=0.8"), "fr");
        assert_eq!(Catalogues::negotiate("de-DE,es;q=0.5"), "es");
        assert_eq!(Catalogues::negotiate("xx"), "en");
    }

    #[test]
    fn falls_back_to_english_then_key() {
        let tr = Tr::new(Catalogues::load(), "ar");
        assert_eq!(tr.dir(), "rtl");
        assert_eq!(tr.get("no-such-key"), "no-such-key");
        let fr = Tr::new(Catalogues::load(), "fr");
        assert_ne!(fr.get("nav-cases"), Tr::new(Catalogues::load(), "en").get("nav-cases"));
    }

    #[test]
    fn moments_read_in_the_readers_zone() {
        let stored = "2026-12-04T23:30:00.000Z";
        let utc = Tr::new(Catalogues::load(), "en");
        assert!(utc.moment(stored).ends_with("UTC"), "{}", utc.moment(stored));
        // Half past midnight on the 5th in Zurich (winter time), 5 a.m. in Kolkata.
        let zurich = Tr::new(Catalogues::load(), "en").in_zone("Europe/Zurich");
        let z = zurich.moment(stored);
        assert!(z.contains("Dec 5, 2026") && z.contains("12:30") && z.ends_with("CET"), "{z}");
        let kolkata = Tr::new(Catalogues::load(), "fr").in_zone("Asia/Kolkata");
        let k = kolkata.moment(stored);
        assert!(k.contains("5 déc. 2026") && k.contains("05:00") && k.ends_with("IST"), "{k}");
        // A zone that is not one reads as UTC; text that is not a moment stays as it is.
        assert!(Tr::new(Catalogues::load(), "en").in_zone("Mars/Olympus").moment(stored).ends_with("UTC"));
        assert_eq!(zurich.moment("yesterday"), "yesterday");
    }
}
