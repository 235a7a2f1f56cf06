//! Disclosure control for anything that leaves the research corpus: small cells of a table are
//! suppressed, and enough other cells with them that the published totals cannot give them
//! back; record-level data must be k-anonymous on its quasi-identifiers.

use rustc_hash::FxHashMap;

/// A table of counts with its row and column totals, some cells withheld.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub cells: Vec<Vec<Option<u64>>>,
    pub row_totals: Vec<u64>,
    pub column_totals: Vec<u64>,
}

/// Withholds every count from 1 to `threshold - 1` (primary suppression), then, wherever a row
/// or a column has exactly one withheld cell, also the smallest other count there (secondary
/// suppression), until no withheld cell can be worked out from a total by subtraction.
/// Zeros are published: a zero says nothing about a person.
pub fn suppress(counts: &[Vec<u64>], threshold: u64) -> Suppressed {
    let rows = counts.len();
    let cols = counts.first().map_or(0, Vec::len);
    let row_totals: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
    let column_totals: Vec<u64> = (0..cols).map(|j| counts.iter().map(|r| r[j]).sum()).collect();
    let mut hidden: Vec<Vec<bool>> =
        counts.iter().map(|r| r.iter().map(|&c| c > 0 && c < threshold).collect()).collect();
    loop {
        let mut changed = false;
        // Rows, then columns: a line with one hidden cell gives it away; hide its smallest other
        // non-zero cell too (a zero cell hidden with it would not protect it: its value is known
        // once the line's other cells are). With no such cell the line is left as it is, which
        // the check below reports.
        for i in 0..rows {
            if hidden[i].iter().filter(|&&h| h).count() == 1 {
                if let Some(j) = (0..cols).filter(|&j| !hidden[i][j] && counts[i][j] > 0).min_by_key(|&j| counts[i][j])
                {
                    hidden[i][j] = true;
                    changed = true;
                }
            }
        }
        for j in 0..cols {
            if (0..rows).filter(|&i| hidden[i][j]).count() == 1 {
                if let Some(i) = (0..rows).filter(|&i| !hidden[i][j] && counts[i][j] > 0).min_by_key(|&i| counts[i][j])
                {
                    hidden[i][j] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let cells = counts
        .iter()
        .zip(&hidden)
        .map(|(r, h)| r.iter().zip(h).map(|(&c, &h)| if h { None } else { Some(c) }).collect())
        .collect();
    Suppressed { cells, row_totals, column_totals }
}

impl Suppressed {
    /// Whether any withheld cell can be worked out from its row or column total (the only
    /// hidden cell of its line).
    pub fn recoverable(&self) -> bool {
        let rows = self.cells.len();
        let cols = self.cells.first().map_or(0, Vec::len);
        (0..rows).any(|i| self.cells[i].iter().filter(|c| c.is_none()).count() == 1)
            || (0..cols).any(|j| (0..rows).filter(|&i| self.cells[i][j].is_none()).count() == 1)
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
        assert_eq!(s.row_totals, [44, 43, 60]);
    }

    #[test]
    fn k_anonymity_reports_the_small_groups() {
        let r = |a: &str, b: &str| vec![a.to_string(), b.to_string(), "x".to_string()];
        let records = vec![r("CH", "2010"), r("CH", "2010"), r("DE", "2011"), r("CH", "2010")];
        assert_eq!(k_anonymity_violations(&records, &[0, 1], 2), vec![(vec!["DE".into(), "2011".into()], 1)]);
        assert!(k_anonymity_violations(&records, &[2], 2).is_empty());
    }
}
