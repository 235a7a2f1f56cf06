//! How far a name reaches: a name of four letters or more is found within one letter of it
//! ("Amanual" finds Amanuel), a shorter word only as written (within one letter, "Lê" would be
//! every "Li", "La" and "Le", and a one-character Chinese name every other one).

use kinbridge_domain::ids::{MemberId, UserId};
use kinbridge_domain::{Actor, Role};
use kinbridge_search::docs::IndexDoc;
use kinbridge_search::{SearchIndex, SearchQuery};

fn doc(id: &str, names: &[&str], text: &str) -> IndexDoc {
    IndexDoc {
        kind: "unit",
        id: id.into(),
        title: format!("File {id}"),
        reference: format!("REF-{id}"),
        text: text.into(),
        language: "en".into(),
        names: names.iter().map(|n| n.to_string()).collect(),
        readers: vec!["admin".into()],
        open_from: None,
        member: "CH".into(),
        country: "CH".into(),
        service: None,
        level: Some("item".into()),
        date: None,
        target: id.into(),
    }
}

#[test]
fn short_names_are_exact_longer_ones_fuzzy() {
    let dir = std::env::temp_dir().join(format!("kb-fuzziness-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let index = SearchIndex::open(&dir, true).unwrap();
    index.put(doc("1", &["Lê Van Thanh"], "Letter from the family.")).unwrap();
    index.put(doc("2", &["Li Wei"], "Home study.")).unwrap();
    index.put(doc("3", &["Amanuel Tesfay"], "Tracing request.")).unwrap();
    index.put(doc("4", &["吴 明"], "Social report.")).unwrap();
    index.put(doc("5", &["刘 明"], "Social report.")).unwrap();
    index.commit(1).unwrap();
    index.reload().unwrap();
    let admin = Actor {
        user_id: UserId::generate(),
        member_id: MemberId::generate(),
        role: Role::SystemAdmin,
        training_hold: false,
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let ids = |text: &str| {
        let r =
            index.search(&admin, &SearchQuery { text: text.into(), limit: 20, ..Default::default() }, today).unwrap();
        let mut ids: Vec<String> = r.hits.into_iter().map(|h| h.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids("Lê"), ["1"], "a short name as written (diacritics aside)");
    assert_eq!(ids("le"), ["1"]);
    assert_eq!(ids("Li"), ["2"]);
    assert_eq!(ids("吴"), ["4"], "one Chinese character is not within one letter of every other");
    assert_eq!(ids("Amanual"), ["3"], "a longer name within one letter");
    assert_eq!(ids("Amanual Tesfai"), ["3"], "every word within one letter");
    assert_eq!(ids("Amanual Li"), Vec::<String>::new(), "every word must occur");
    assert_eq!(ids("Tesfay OR Wei"), ["2", "3"], "the query language keeps working");
    assert_eq!(ids("Tesfai OR Amanuel"), ["3"], "fuzzy there too when no word is short");
    assert_eq!(ids("\"social report\" 明"), ["4", "5"]);
    let _ = std::fs::remove_dir_all(&dir);
}
