//! Case lists as CSV and XLSX, in the reader's words (services, statuses, countries), with
//! dates as dates. A cell that a spreadsheet would run as a formula is written as text.

use kinbridge_casework::cases::CaseSummary;

use crate::i18n::Tr;

/// The columns' headers and one row per case, as text.
fn table(tr: &Tr, rows: &[CaseSummary]) -> (Vec<String>, Vec<[String; 8]>) {
    let headers = [
        "field-reference",
        "field-child",
        "field-title",
        "field-service",
        "field-status",
        "field-partner_country",
        "field-assignee",
        "field-opened_on",
    ]
    .iter()
    .map(|k| tr.get(k))
    .collect();
    let body = rows
        .iter()
        .map(|c| {
            [
                c.reference.clone(),
                c.child_name.clone().unwrap_or_default(),
                c.title.clone(),
                tr.term("service", c.service.as_str()),
                tr.term("status", c.status.as_str()),
                c.partner_country.as_deref().map(|p| tr.country(p)).unwrap_or_default(),
                c.assignee_name.clone().unwrap_or_default(),
                c.opened_on.to_string(),
            ]
        })
        .collect();
    (headers, body)
}

/// Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, a tab or a return first)
/// is kept as text by a leading apostrophe (OWASP's advice against CSV injection).
fn inert(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

pub fn csv(tr: &Tr, rows: &[CaseSummary]) -> Result<Vec<u8>, String> {
    let (headers, body) = table(tr, rows);
    // A byte-order mark, so that spreadsheet programs read the accents and scripts as UTF-8.
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(&headers).map_err(|e| e.to_string())?;
        for row in body {
            w.write_record(row.iter().map(|c| inert(c))).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

pub fn xlsx(tr: &Tr, rows: &[CaseSummary]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let (headers, body) = table(tr, rows);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(tr.get("nav-cases").chars().take(31).collect::<String>()).map_err(|e| e.to_string())?;
    if tr.dir() == "rtl" {
        sheet.set_right_to_left(true);
    }
    let bold = Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &bold).map_err(|e| e.to_string())?;
    }
    for (r, row) in body.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Strings are written as strings: a spreadsheet never runs them as formulas.
            sheet.write_string(r as u32 + 1, c as u16, cell).map_err(|e| e.to_string())?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
    sheet.autofit();
    book.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn formulas_stay_text() {
        assert_eq!(inert("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(inert("-2+3"), "'-2+3");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("Amanuel"), "Amanuel");
    }
}
