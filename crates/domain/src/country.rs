//! Countries (ISO 3166-1 alpha-2) with their English short names and continent.

use crate::error::FieldError;
use crate::ErrorCode;

/// An ISO 3166-1 alpha-2 country code, upper-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl schemars::JsonSchema for Country {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Country".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2"})
    }
}

impl Country {
    pub fn parse(raw: &str) -> Option<Self> {
        let up = raw.trim().to_ascii_uppercase();
        COUNTRIES
            .iter()
            .find(|(code, _, _)| *code == up)
            .map(|(code, _, _)| Country([code.as_bytes()[0], code.as_bytes()[1]]))
    }

    pub fn parse_field(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        Self::parse(raw).ok_or(FieldError::new(field, ErrorCode::InvalidCountry))
    }

    pub fn code(&self) -> &str {
        // Both bytes come from the ASCII table below.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    pub fn name(&self) -> &'static str {
        self.entry().1
    }

    pub fn continent(&self) -> &'static str {
        self.entry().2
    }

    fn entry(&self) -> &'static (&'static str, &'static str, &'static str) {
        // The table is sorted by code (a test checks it).
        COUNTRIES
            .binary_search_by(|(code, _, _)| code.as_bytes().cmp(&self.0[..]))
            .map(|i| &COUNTRIES[i])
            .unwrap_or(&("??", "Unknown", "??"))
    }

    pub fn all() -> impl Iterator<Item = Country> {
        COUNTRIES.iter().map(|(c, _, _)| Country([c.as_bytes()[0], c.as_bytes()[1]]))
    }
}

impl std::fmt::Display for Country {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// (code, English short name, continent: AF AN AS EU NA OC SA)
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("AD", "Andorra", "EU"),
    ("AE", "United Arab Emirates", "AS"),
    ("AF", "Afghanistan", "AS"),
    ("AG", "Antigua and Barbuda", "NA"),
    ("AL", "Albania", "EU"),
    ("AM", "Armenia", "AS"),
    ("AO", "Angola", "AF"),
    ("AR", "Argentina", "SA"),
    ("AT", "Austria", "EU"),
    ("AU", "Australia", "OC"),
    ("AZ", "Azerbaijan", "AS"),
    ("BA", "Bosnia and Herzegovina", "EU"),
    ("BB", "Barbados", "NA"),
    ("BD", "Bangladesh", "AS"),
    ("BE", "Belgium", "EU"),
    ("BF", "Burkina Faso", "AF"),
    ("BG", "Bulgaria", "EU"),
    ("BH", "Bahrain", "AS"),
    ("BI", "Burundi", "AF"),
    ("BJ", "Benin", "AF"),
    ("BN", "Brunei", "AS"),
    ("BO", "Bolivia", "SA"),
    ("BR", "Brazil", "SA"),
    ("BS", "Bahamas", "NA"),
    ("BT", "Bhutan", "AS"),
    ("BW", "Botswana", "AF"),
    ("BY", "Belarus", "EU"),
    ("BZ", "Belize", "NA"),
    ("CA", "Canada", "NA"),
    ("CD", "DR Congo", "AF"),
    ("CF", "Central African Republic", "AF"),
    ("CG", "Congo", "AF"),
    ("CH", "Switzerland", "EU"),
    ("CI", "Côte d'Ivoire", "AF"),
    ("CL", "Chile", "SA"),
    ("CM", "Cameroon", "AF"),
    ("CN", "China", "AS"),
    ("CO", "Colombia", "SA"),
    ("CR", "Costa Rica", "NA"),
    ("CU", "Cuba", "NA"),
    ("CV", "Cabo Verde", "AF"),
    ("CY", "Cyprus", "EU"),
    ("CZ", "Czechia", "EU"),
    ("DE", "Germany", "EU"),
    ("DJ", "Djibouti", "AF"),
    ("DK", "Denmark", "EU"),
    ("DM", "Dominica", "NA"),
    ("DO", "Dominican Republic", "NA"),
    ("DZ", "Algeria", "AF"),
    ("EC", "Ecuador", "SA"),
    ("EE", "Estonia", "EU"),
    ("EG", "Egypt", "AF"),
    ("ER", "Eritrea", "AF"),
    ("ES", "Spain", "EU"),
    ("ET", "Ethiopia", "AF"),
    ("FI", "Finland", "EU"),
    ("FJ", "Fiji", "OC"),
    ("FM", "Micronesia", "OC"),
    ("FR", "France", "EU"),
    ("GA", "Gabon", "AF"),
    ("GB", "United Kingdom", "EU"),
    ("GD", "Grenada", "NA"),
    ("GE", "Georgia", "AS"),
    ("GH", "Ghana", "AF"),
    ("GM", "Gambia", "AF"),
    ("GN", "Guinea", "AF"),
    ("GQ", "Equatorial Guinea", "AF"),
    ("GR", "Greece", "EU"),
    ("GT", "Guatemala", "NA"),
    ("GW", "Guinea-Bissau", "AF"),
    ("GY", "Guyana", "SA"),
    ("HK", "Hong Kong", "AS"),
    ("HN", "Honduras", "NA"),
    ("HR", "Croatia", "EU"),
    ("HT", "Haiti", "NA"),
    ("HU", "Hungary", "EU"),
    ("ID", "Indonesia", "AS"),
    ("IE", "Ireland", "EU"),
    ("IL", "Israel", "AS"),
    ("IN", "India", "AS"),
    ("IQ", "Iraq", "AS"),
    ("IR", "Iran", "AS"),
    ("IS", "Iceland", "EU"),
    ("IT", "Italy", "EU"),
    ("JM", "Jamaica", "NA"),
    ("JO", "Jordan", "AS"),
    ("JP", "Japan", "AS"),
    ("KE", "Kenya", "AF"),
    ("KG", "Kyrgyzstan", "AS"),
    ("KH", "Cambodia", "AS"),
    ("KI", "Kiribati", "OC"),
    ("KM", "Comoros", "AF"),
    ("KN", "Saint Kitts and Nevis", "NA"),
    ("KP", "North Korea", "AS"),
    ("KR", "South Korea", "AS"),
    ("KW", "Kuwait", "AS"),
    ("KZ", "Kazakhstan", "AS"),
    ("LA", "Laos", "AS"),
    ("LB", "Lebanon", "AS"),
    ("LC", "Saint Lucia", "NA"),
    ("LI", "Liechtenstein", "EU"),
    ("LK", "Sri Lanka", "AS"),
    ("LR", "Liberia", "AF"),
    ("LS", "Lesotho", "AF"),
    ("LT", "Lithuania", "EU"),
    ("LU", "Luxembourg", "EU"),
    ("LV", "Latvia", "EU"),
    ("LY", "Libya", "AF"),
    ("MA", "Morocco", "AF"),
    ("MC", "Monaco", "EU"),
    ("MD", "Moldova", "EU"),
    ("ME", "Montenegro", "EU"),
    ("MG", "Madagascar", "AF"),
    ("MH", "Marshall Islands", "OC"),
    ("MK", "North Macedonia", "EU"),
    ("ML", "Mali", "AF"),
    ("MM", "Myanmar", "AS"),
    ("MN", "Mongolia", "AS"),
    ("MR", "Mauritania", "AF"),
    ("MT", "Malta", "EU"),
    ("MU", "Mauritius", "AF"),
    ("MV", "Maldives", "AS"),
    ("MW", "Malawi", "AF"),
    ("MX", "Mexico", "NA"),
    ("MY", "Malaysia", "AS"),
    ("MZ", "Mozambique", "AF"),
    ("NA", "Namibia", "AF"),
    ("NE", "Niger", "AF"),
    ("NG", "Nigeria", "AF"),
    ("NI", "Nicaragua", "NA"),
    ("NL", "Netherlands", "EU"),
    ("NO", "Norway", "EU"),
    ("NP", "Nepal", "AS"),
    ("NR", "Nauru", "OC"),
    ("NZ", "New Zealand", "OC"),
    ("OM", "Oman", "AS"),
    ("PA", "Panama", "NA"),
    ("PE", "Peru", "SA"),
    ("PG", "Papua New Guinea", "OC"),
    ("PH", "Philippines", "AS"),
    ("PK", "Pakistan", "AS"),
    ("PL", "Poland", "EU"),
    ("PS", "Palestine", "AS"),
    ("PT", "Portugal", "EU"),
    ("PW", "Palau", "OC"),
    ("PY", "Paraguay", "SA"),
    ("QA", "Qatar", "AS"),
    ("RO", "Romania", "EU"),
    ("RS", "Serbia", "EU"),
    ("RU", "Russia", "EU"),
    ("RW", "Rwanda", "AF"),
    ("SA", "Saudi Arabia", "AS"),
    ("SB", "Solomon Islands", "OC"),
    ("SC", "Seychelles", "AF"),
    ("SD", "Sudan", "AF"),
    ("SE", "Sweden", "EU"),
    ("SG", "Singapore", "AS"),
    ("SI", "Slovenia", "EU"),
    ("SK", "Slovakia", "EU"),
    ("SL", "Sierra Leone", "AF"),
    ("SM", "San Marino", "EU"),
    ("SN", "Senegal", "AF"),
    ("SO", "Somalia", "AF"),
    ("SR", "Suriname", "SA"),
    ("SS", "South Sudan", "AF"),
    ("ST", "São Tomé and Príncipe", "AF"),
    ("SV", "El Salvador", "NA"),
    ("SY", "Syria", "AS"),
    ("SZ", "Eswatini", "AF"),
    ("TD", "Chad", "AF"),
    ("TG", "Togo", "AF"),
    ("TH", "Thailand", "AS"),
    ("TJ", "Tajikistan", "AS"),
    ("TL", "Timor-Leste", "AS"),
    ("TM", "Turkmenistan", "AS"),
    ("TN", "Tunisia", "AF"),
    ("TO", "Tonga", "OC"),
    ("TR", "Türkiye", "AS"),
    ("TT", "Trinidad and Tobago", "NA"),
    ("TV", "Tuvalu", "OC"),
    ("TW", "Taiwan", "AS"),
    ("TZ", "Tanzania", "AF"),
    ("UA", "Ukraine", "EU"),
    ("UG", "Uganda", "AF"),
    ("US", "United States", "NA"),
    ("UY", "Uruguay", "SA"),
    ("UZ", "Uzbekistan", "AS"),
    ("VA", "Holy See", "EU"),
    ("VC", "Saint Vincent and the Grenadines", "NA"),
    ("VE", "Venezuela", "SA"),
    ("VN", "Viet Nam", "AS"),
    ("VU", "Vanuatu", "OC"),
    ("WS", "Samoa", "OC"),
    ("XK", "Kosovo", "EU"),
    ("YE", "Yemen", "AS"),
    ("ZA", "South Africa", "AF"),
    ("ZM", "Zambia", "AF"),
    ("ZW", "Zimbabwe", "AF"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_by_code_for_lookups() {
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(Country::all().all(|c| c.name() != "Unknown"));
    }

    #[test]
    fn parses_known_codes_only() {
        assert_eq!(Country::parse("ch").unwrap().name(), "Switzerland");
        assert_eq!(Country::parse("ER").unwrap().continent(), "AF");
        assert!(Country::parse("XX").is_none());
        assert!(Country::parse("").is_none());
    }

    #[test]
    fn codes_are_unique_and_sorted() {
        for w in COUNTRIES.windows(2) {
            assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
        }
    }
}
