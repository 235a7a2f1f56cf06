//! Disclosure control for anything that leaves the research corpus: small cells of a table are
//! suppressed, and enough other cells with them that the published totals cannot give them
//! back; record-level data must be k-anonymous on its quasi-identifiers.

use rustc_hash::FxHashMap;

/// A table of counts with its row, column and grand totals, some of them withheld.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub cells: Vec<Vec<Option<u64>>>,
    pub row_totals: Vec<Option<u64>>,
    pub column_totals: Vec<Option<u64>>,
    pub total: Option<u64>,
}

/// Withholds every count from 1 to `threshold - 1`, totals included (primary suppression);
/// then, wherever a row or a column — the totals' row and column included — has exactly one
/// withheld figure, also the smallest other non-zero figure of that line (secondary
/// suppression, a total if nothing else is left), until no withheld figure is the only unknown
/// of its line and so cannot be worked out by subtraction. Zeros are published: a zero says
/// nothing about a person.
pub fn suppress(counts: &[Vec<u64>], threshold: u64) -> Suppressed {
    let rows = counts.len();
    let cols = counts.first().map_or(0, Vec::len);
    // The table with its margins: row `rows` holds the column totals, column `cols` the row
    // totals, and the corner the grand total. Every row and column of it is a line whose
    // figures add up.
    let mut e = vec![vec![0u64; cols + 1]; rows + 1];
    for i in 0..rows {
        for j in 0..cols {
            e[i][j] = counts[i][j];
            e[i][cols] += counts[i][j];
            e[rows][j] += counts[i][j];
            e[rows][cols] += counts[i][j];
        }
    }
    let mut hidden: Vec<Vec<bool>> = e.iter().map(|r| r.iter().map(|&c| c > 0 && c < threshold).collect()).collect();
    let lines: Vec<Vec<(usize, usize)>> = (0..=rows)
        .map(|i| (0..=cols).map(|j| (i, j)).collect())
        .chain((0..=cols).map(|j| (0..=rows).map(|i| (i, j)).collect()))
        .collect();
    loop {
        let mut changed = false;
        for line in &lines {
            if line.iter().filter(|&&(i, j)| hidden[i][j]).count() != 1 {
                continue;
            }
            // The smallest other non-zero figure; the line's total (its last figure) last.
            let other = line
                .iter()
                .filter(|&&(i, j)| !hidden[i][j] && e[i][j] > 0)
                .min_by_key(|&&(i, j)| (i == rows || j == cols, e[i][j]));
            if let Some(&(i, j)) = other {
                hidden[i][j] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let shown = |i: usize, j: usize| if hidden[i][j] { None } else { Some(e[i][j]) };
    Suppressed {
        cells: (0..rows).map(|i| (0..cols).map(|j| shown(i, j)).collect()).collect(),
        row_totals: (0..rows).map(|i| shown(i, cols)).collect(),
        column_totals: (0..cols).map(|j| shown(rows, j)).collect(),
        total: shown(rows, cols),
    }
}

impl Suppressed {
    /// Whether any withheld figure is the only unknown of its row or column (margins
    /// included), and so can be worked out from the others.
    pub fn recoverable(&self) -> bool {
        let mut e: Vec<Vec<Option<u64>>> = self.cells.clone();
        for (row, total) in e.iter_mut().zip(&self.row_totals) {
            row.push(*total);
        }
        let mut last = self.column_totals.clone();
        last.push(self.total);
        e.push(last);
        let rows = e.len();
        let cols = e.first().map_or(0, Vec::len);
        (0..rows).any(|i| e[i].iter().filter(|c| c.is_none()).count() == 1)
            || (0..cols).any(|j| (0..rows).filter(|&i| e[i][j].is_none()).count() == 1)
    }
}

/// The groups of records (by their quasi-identifier values) smaller than `k`: empty when the
/// data is k-anonymous.
pub fn k_anonymity_violations(
    records: &[Vec<String>],
    quasi_identifiers: &[usize],
    k: usize,
) -> Vec<(Vec<String>, usize)> {
    let mut groups: FxHashMap<Vec<String>, usize> = FxHashMap::default();
    for r in records {
        let key: Vec<String> = quasi_identifiers.iter().map(|&i| r.get(i).cloned().unwrap_or_default()).collect();
        *groups.entry(key).or_insert(0) += 1;
    }
    let mut small: Vec<(Vec<String>, usize)> = groups.into_iter().filter(|(_, n)| *n < k).collect();
    small.sort();
    small
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cells_cannot_be_worked_out_from_the_totals() {
        let counts = vec![vec![12, 2, 30], vec![15, 20, 8], vec![40, 9, 11]];
        let s = suppress(&counts, 5);
        assert_eq!(s.cells[0][1], None, "the small cell is withheld");
        assert!(!s.recoverable(), "{s:?}");
        // Every withheld cell shares its row and its column with another withheld cell.
        for (i, row) in s.cells.iter().enumerate() {
            for (j, c) in row.iter().enumerate() {
                if c.is_none() {
                    assert!(row.iter().filter(|c| c.is_none()).count() >= 2);
                    assert!(s.cells.iter().filter(|r| r[j].is_none()).count() >= 2, "column {j} row {i}");
                }
            }
        }
        assert_eq!(s.row_totals, [Some(44), Some(43), Some(60)]);
        assert_eq!(s.total, Some(147));
    }

    #[test]
    fn a_lone_small_count_takes_its_totals_with_it() {
        // One case in one cell: the row, the column and the grand total would each give it away.
        let s = suppress(&[vec![0, 1], vec![0, 0]], 5);
        assert_eq!(s.cells[0][1], None);
        assert_eq!((s.row_totals[0], s.column_totals[1], s.total), (None, None, None));
        assert!(!s.recoverable(), "{s:?}");
        // With larger neighbours, interior cells are withheld before any total.
        let s = suppress(&[vec![20, 3], vec![30, 40]], 5);
        assert!(!s.recoverable(), "{s:?}");
        assert!(s.row_totals.iter().chain(&s.column_totals).all(Option::is_some), "{s:?}");
    }

    #[test]
    fn k_anonymity_reports_the_small_groups() {
        let r = |a: &str, b: &str| vec![a.to_string(), b.to_string(), "x".to_string()];
        let records = vec![r("CH", "2010"), r("CH", "2010"), r("DE", "2011"), r("CH", "2010")];
        assert_eq!(k_anonymity_violations(&records, &[0, 1], 2), vec![(vec!["DE".into(), "2011".into()], 1)]);
        assert!(k_anonymity_violations(&records, &[2], 2).is_empty());
    }
}
