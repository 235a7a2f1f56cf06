//! The words of the demo: case titles, notes, request messages and reports, in English,
//! French and Spanish. `{child}`, `{adult}` and `{country}` are filled in per case.

/// Titles by service, in English (the member's staff write titles in their own words; the
/// demo keeps them short).
pub fn title(service: &str) -> &'static [&'static str] {
    match service {
        "family_tracing" => &[
            "Tracing of {child}'s mother",
            "{child} looks for a brother last seen in {country}",
            "Tracing of the family of {child}",
        ],
        "search_of_origins" => {
            &["{adult} searches for a birth mother", "Origins search for {adult}, adopted from {country}"]
        }
        "adoption_assistance" => &["Post-adoption follow-up for {child}", "Pre-adoption assessment for {child}"],
        "family_mediation" => {
            &["Mediation between the parents of {child}", "Contact arrangements for {child} across borders"]
        }
        "child_protection_separation" => {
            &["Custody dispute about {child}", "Suspected abduction of {child} to {country}"]
        }
        "unaccompanied_minors" => {
            &["{child}, unaccompanied, arrived from {country}", "Family assessment for {child}, separated minor"]
        }
        "alternative_care" => &["Kinship care for {child} in {country}", "Foster placement review for {child}"],
        "return_assessment" => {
            &["Return assessment for {child} to {country}", "Best-interests assessment before return of {child}"]
        }
        _ => &["Social-legal assistance for {child}", "Assistance to the family of {child} in {country}"],
    }
}

pub fn note(lang: &str) -> &'static [&'static str] {
    match lang {
        "fr" => &[
            "Entretien avec {child} en présence de l'interprète. L'enfant dit vouloir rester en contact avec sa famille.",
            "Appel avec {adult} : la situation au domicile est stable, les documents d'état civil manquent encore.",
            "Rencontre avec l'école : {child} suit bien les cours mais reste inquiet pour sa mère.",
            "Le partenaire à {country} a confirmé la réception des documents. Relance prévue dans deux semaines.",
            "Visite à domicile effectuée ; logement adéquat, la tante de {child} est prête à l'accueillir.",
        ],
        "es" => &[
            "Entrevista con {child} con intérprete. Dice que quiere mantener el contacto con su familia.",
            "Llamada con {adult}: la situación en el hogar es estable, faltan aún documentos de registro civil.",
            "Reunión con la escuela: {child} avanza bien pero sigue preocupado por su madre.",
            "El socio en {country} confirmó la recepción de los documentos. Seguimiento en dos semanas.",
            "Visita domiciliaria realizada; vivienda adecuada, la tía de {child} está dispuesta a acogerle.",
        ],
        _ => &[
            "Interview with {child} with an interpreter. The child says they want to keep in touch with the family.",
            "Call with {adult}: the home situation is stable; civil registration documents are still missing.",
            "Met the school: {child} is doing well in class but remains worried about the mother.",
            "The partner in {country} confirmed receipt of the documents. Follow up in two weeks.",
            "Home visit done; housing adequate, the aunt of {child} is ready to take care of the child.",
        ],
    }
}

pub fn request_message(lang: &str) -> &'static [&'static str] {
    match lang {
        "fr" => &[
            "Pourriez-vous évaluer la situation de {adult} et nous transmettre un rapport ?",
            "Merci de vérifier l'adresse connue de {adult} à {country}.",
        ],
        "es" => &[
            "¿Podrían evaluar la situación de {adult} y enviarnos un informe?",
            "Les rogamos verificar la última dirección conocida de {adult} en {country}.",
        ],
        _ => &[
            "Could you assess the situation of {adult} and send us a report?",
            "Please verify the last known address of {adult} in {country}.",
        ],
    }
}

pub fn report(lang: &str) -> &'static [&'static str] {
    match lang {
        "fr" => &[
            "Rapport : {adult} a été rencontré·e ; la famille souhaite reprendre contact avec {child}.",
            "Rapport : l'adresse n'est plus valable ; des voisins indiquent un départ vers la capitale.",
        ],
        "es" => &[
            "Informe: nos reunimos con {adult}; la familia desea retomar el contacto con {child}.",
            "Informe: la dirección ya no es válida; los vecinos indican que se mudaron a la capital.",
        ],
        _ => &[
            "Report: we met {adult}; the family wishes to re-establish contact with {child}.",
            "Report: the address is no longer valid; neighbours say the family moved to the capital.",
        ],
    }
}

pub fn fill(template: &str, child: &str, adult: &str, country: &str) -> String {
    template.replace("{child}", child).replace("{adult}", adult).replace("{country}", country)
}
