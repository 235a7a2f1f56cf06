//! A small typesetter for documents handed to courts and authorities: headings, paragraphs,
//! labelled values and list items on A4 pages, with words wrapped, each line laid out in
//! visual order (Arabic right to left, a Latin name inside it left to right), and a footer
//! on every page ("page 2 of 5"). Glyphs are shaped by rustybuzz and written by krilla with
//! the fonts embedded (subset), so the file reads the same on any machine.
//!
//! The font is DejaVu Sans (Latin, Greek, Cyrillic, Arabic), built into the binary from the
//! `dejavu` crate, so a summary needs nothing installed on the server.

use std::sync::OnceLock;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use unicode_bidi::{BidiInfo, Level};

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const FOOTER_Y: f32 = PAGE_H - 32.0;
const BODY: f32 = 10.0;
/// The most pages one document may have: a case's history is long, but not endless.
pub const MAX_PAGES: usize = 400;

struct Face {
    bytes: &'static [u8],
    shaper: rustybuzz::Face<'static>,
}

struct Fonts {
    regular: Face,
    bold: Face,
}

/// The fonts, parsed once: DejaVu Sans as the `dejavu` crate ships it.
fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let face = |bytes: &'static [u8]| Face {
            bytes,
            shaper: rustybuzz::Face::from_slice(bytes, 0).expect("the DejaVu Sans shipped with the build parses"),
        };
        Fonts { regular: face(dejavu::sans::regular()), bold: face(dejavu::sans::bold()) }
    })
}

/// One piece of a document.
pub enum Block {
    Title(String),
    Heading(String),
    /// Running text; line breaks in it are kept.
    Para(String),
    /// A label and its value on one line, wrapped under the value.
    Field(String, String),
    /// A list item.
    Item(String),
    /// Smaller grey text (who exported it, when).
    Note(String),
}

/// What every page of a document carries.
pub struct Sheet<'a> {
    pub title: &'a str,
    pub language: &'a str,
    pub rtl: bool,
    /// The footer's text before the page number.
    pub footer: &'a str,
    /// "Page {n} of {total}" in the reader's words.
    pub page_label: &'a dyn Fn(usize, usize) -> String,
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Regular,
    Bold,
    Grey,
}

/// A line ready to draw: its text (logical order), size, style and indent from the start edge.
struct Line {
    text: String,
    size: f32,
    style: Style,
    indent: f32,
    y: f32,
}

/// Why a document could not be made.
#[derive(Debug)]
pub enum PdfError {
    /// The font could not be read by the PDF writer.
    NoFonts,
    /// More than [`MAX_PAGES`] pages.
    TooLong,
    Write(String),
}

pub fn render(sheet: &Sheet<'_>, blocks: &[Block]) -> Result<Vec<u8>, PdfError> {
    let fonts = fonts();
    let pages = lay_out(fonts, blocks)?;
    let total = pages.len();
    let regular = Font::new(fonts.regular.bytes.into(), 0).ok_or(PdfError::NoFonts)?;
    let bold = Font::new(fonts.bold.bytes.into(), 0).ok_or(PdfError::NoFonts)?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(sheet.title.to_string())
            .language(sheet.language.to_string())
            .creator("Kinbridge".to_string()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PdfError::Write("page size".into()))?;
    for (n, lines) in pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for line in lines {
            let (face, font) = match line.style {
                Style::Bold => (&fonts.bold, &bold),
                _ => (&fonts.regular, &regular),
            };
            let grey = if line.style == Style::Grey { 110 } else { 20 };
            surface.set_fill(Some(Fill {
                paint: rgb::Color::new(grey, grey, grey).into(),
                opacity: NormalizedF32::ONE,
                rule: Default::default(),
            }));
            draw_line(&mut surface, face, font, sheet.rtl, line);
        }
        // The footer: a hairline, then who and when, and the page number.
        surface.set_fill(Some(Fill {
            paint: rgb::Color::new(160, 160, 160).into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
        let mut rule = PathBuilder::new();
        if let Some(r) = Rect::from_xywh(MARGIN, FOOTER_Y - 12.0, PAGE_W - 2.0 * MARGIN, 0.5) {
            rule.push_rect(r);
        }
        if let Some(path) = rule.finish() {
            surface.draw_path(&path);
        }
        let label = (sheet.page_label)(n + 1, total);
        let footer = format!("{} · {}", sheet.footer, label);
        let line = Line { text: footer, size: 7.5, style: Style::Grey, indent: 0.0, y: FOOTER_Y };
        draw_line(&mut surface, &fonts.regular, &regular, sheet.rtl, &line);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

/// Breaks the blocks into lines and the lines into pages.
fn lay_out(fonts: &Fonts, blocks: &[Block]) -> Result<Vec<Vec<Line>>, PdfError> {
    let width = PAGE_W - 2.0 * MARGIN;
    let bottom = FOOTER_Y - 24.0;
    let mut pages: Vec<Vec<Line>> = vec![Vec::new()];
    let mut y = MARGIN;
    let mut push = |pages: &mut Vec<Vec<Line>>, text: String, size: f32, style: Style, indent: f32, gap: f32| {
        let height = size * 1.45;
        if y + gap + height > bottom && !pages.last().is_some_and(|p| p.is_empty()) {
            if pages.len() >= MAX_PAGES {
                return Err(PdfError::TooLong);
            }
            pages.push(Vec::new());
            y = MARGIN;
        } else {
            y += gap;
        }
        y += height;
        pages.last_mut().expect("a page").push(Line { text, size, style, indent, y: y - size * 0.35 });
        Ok(())
    };
    for block in blocks {
        let (text, size, style, indent, gap, hang): (String, f32, Style, f32, f32, f32) = match block {
            Block::Title(t) => (t.clone(), 16.0, Style::Bold, 0.0, 0.0, 0.0),
            Block::Heading(t) => (t.clone(), 12.0, Style::Bold, 0.0, 12.0, 0.0),
            Block::Para(t) => (t.clone(), BODY, Style::Regular, 0.0, 3.0, 0.0),
            Block::Field(label, value) => (format!("{label}: {value}"), BODY, Style::Regular, 0.0, 1.0, 12.0),
            Block::Item(t) => (format!("• {t}"), BODY, Style::Regular, 8.0, 1.0, 9.0),
            Block::Note(t) => (t.clone(), 8.0, Style::Grey, 0.0, 2.0, 0.0),
        };
        let face = if style == Style::Bold { &fonts.bold } else { &fonts.regular };
        let mut first = true;
        for paragraph in text.split('\n') {
            for (i, line) in wrap(face, paragraph, size, width - indent, width - indent - hang).into_iter().enumerate()
            {
                let extra = if first { gap } else { 0.0 };
                let indent = if i == 0 { indent } else { indent + hang };
                push(&mut pages, line, size, style, indent, extra)?;
                first = false;
            }
        }
    }
    Ok(pages)
}

/// How wide `text` is set at `size`, shaped as one run.
fn measure(face: &Face, text: &str, size: f32) -> f32 {
    if text.is_empty() {
        return 0.0;
    }
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    let shaped = rustybuzz::shape(&face.shaper, &[], buffer);
    let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
    units as f32 * size / f32::from(face.shaper.units_per_em() as u16)
}

/// Greedy word wrap: the first line `first` wide, the rest `rest` wide; a word wider than a
/// line is cut between characters.
fn wrap(face: &Face, text: &str, size: f32, first: f32, rest: f32) -> Vec<String> {
    let space = measure(face, " ", size);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0.0;
    for word in text.split_whitespace() {
        let limit = if lines.is_empty() { first } else { rest };
        let w = measure(face, word, size);
        if !line.is_empty() && used + space + w <= limit {
            line.push(' ');
            line.push_str(word);
            used += space + w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if w <= limit {
            line.push_str(word);
            used = w;
            continue;
        }
        // An unbroken run longer than a line (a URL, a long number): cut it.
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if measure(face, &piece, size) > rest && piece.chars().count() > 1 {
                let last = piece.pop().expect("a char");
                lines.push(std::mem::take(&mut piece));
                piece.push(last);
            }
        }
        used = measure(face, &piece, size);
        line = piece;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Draws one line: its runs in visual order (Unicode bidi algorithm, the page's direction as
/// the paragraph's), from the left margin, or ending at the right one on a right-to-left page.
fn draw_line(surface: &mut krilla::surface::Surface<'_>, face: &Face, font: &Font, rtl: bool, line: &Line) {
    if line.text.is_empty() {
        return;
    }
    let base = if rtl { Level::rtl() } else { Level::ltr() };
    let info = BidiInfo::new(&line.text, Some(base));
    let mut runs: Vec<(String, bool, f32)> = Vec::new();
    for para in &info.paragraphs {
        let (levels, visual) = info.visual_runs(para, para.range.clone());
        for run in visual {
            let text = &line.text[run.clone()];
            let run_rtl = levels[run.start].is_rtl();
            runs.push((text.to_string(), run_rtl, measure(face, text, line.size)));
        }
    }
    let total: f32 = runs.iter().map(|r| r.2).sum();
    let mut x = if rtl { PAGE_W - MARGIN - line.indent - total } else { MARGIN + line.indent };
    for (text, run_rtl, w) in runs {
        let direction = if run_rtl { TextDirection::RightToLeft } else { TextDirection::LeftToRight };
        surface.draw_text(Point::from_xy(x, line.y), font.clone(), line.size, &text, false, direction);
        x += w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rtl: bool) -> Sheet<'static> {
        Sheet {
            title: "T",
            language: if rtl { "ar" } else { "en" },
            rtl,
            footer: "F",
            page_label: &|n, t| format!("{n}/{t}"),
        }
    }

    #[test]
    fn long_text_wraps_and_runs_onto_pages() {
        let fonts = fonts();
        let words = "The mother was visited in Hamburg and agrees to weekly video calls. ".repeat(400);
        let pages = lay_out(fonts, &[Block::Title("Case".into()), Block::Para(words)]).unwrap();
        assert!(pages.len() > 3, "{} pages", pages.len());
        for line in pages.iter().flatten() {
            assert!(measure(&fonts.regular, &line.text, line.size) <= PAGE_W - 2.0 * MARGIN + 0.5, "{}", line.text);
        }
        let unbroken = "x".repeat(2000);
        let lines = wrap(&fonts.regular, &unbroken, BODY, 400.0, 400.0);
        assert!(lines.len() > 5 && lines.iter().all(|l| measure(&fonts.regular, l, BODY) <= 400.0));
        let bytes = render(&sheet(true), &[Block::Para("الطفل Amanuel يعيش مع أمه".into())]).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
    }

    #[test]
    fn an_endless_document_is_refused() {
        let blocks: Vec<Block> = (0..(MAX_PAGES * 80)).map(|i| Block::Item(format!("line {i}"))).collect();
        assert!(matches!(render(&sheet(false), &blocks), Err(PdfError::TooLong)));
    }
}
