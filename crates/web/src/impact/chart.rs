//! Charts as SVG drawn on the server: geometry only, in user units; the templates write the
//! elements, escape the words, and put the data table beside every chart.

/// One bar: where it is drawn and what it says when pointed at or read aloud.
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub label: String,
}

/// A small column chart of a trend, periods left to right.
pub struct Spark {
    pub width: f64,
    pub height: f64,
    pub bars: Vec<Bar>,
}

pub const SPARK_WIDTH: f64 = 96.0;
pub const SPARK_HEIGHT: f64 = 24.0;

/// Columns for values (none drawn where there is no data), the tallest filling the height.
pub fn spark(values: &[(String, Option<f64>)]) -> Spark {
    let max = values.iter().filter_map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let slot = SPARK_WIDTH / values.len().max(1) as f64;
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let h = match v {
                Some(v) if max > 0.0 => (v / max * (SPARK_HEIGHT - 2.0)).max(if *v > 0.0 { 1.0 } else { 0.0 }),
                _ => 0.0,
            };
            Bar {
                x: i as f64 * slot + 1.0,
                y: SPARK_HEIGHT - h,
                width: (slot - 2.0).max(1.0),
                height: h,
                label: label.clone(),
            }
        })
        .collect();
    Spark { width: SPARK_WIDTH, height: SPARK_HEIGHT, bars }
}

/// Horizontal bars, one row per breakdown key: the member's value, and the network's as a
/// thinner bar under it, both on one scale.
pub struct Rows {
    pub width: f64,
    pub height: f64,
    pub label_width: f64,
    pub rows: Vec<Row>,
}

pub struct Row {
    pub y: f64,
    pub label: String,
    pub member: Bar,
    pub network: Bar,
}

pub const ROW_HEIGHT: f64 = 26.0;
const LABEL_WIDTH: f64 = 180.0;
const BAR_SPACE: f64 = 320.0;

/// One breakdown key: its words, the member's and the network's values, and those in words.
pub struct Item {
    pub label: String,
    pub member: Option<f64>,
    pub network: Option<f64>,
    pub member_text: String,
    pub network_text: String,
}

pub fn rows(items: &[Item]) -> Rows {
    let max = items.iter().flat_map(|i| [i.member, i.network]).flatten().fold(0.0_f64, f64::max);
    let scale = |v: Option<f64>| match v {
        Some(v) if max > 0.0 => v / max * BAR_SPACE,
        _ => 0.0,
    };
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let y = i as f64 * ROW_HEIGHT;
            Row {
                y,
                label: item.label.clone(),
                member: Bar {
                    x: LABEL_WIDTH,
                    y: y + 3.0,
                    width: scale(item.member),
                    height: 12.0,
                    label: item.member_text.clone(),
                },
                network: Bar {
                    x: LABEL_WIDTH,
                    y: y + 16.0,
                    width: scale(item.network),
                    height: 6.0,
                    label: item.network_text.clone(),
                },
            }
        })
        .collect();
    Rows {
        width: LABEL_WIDTH + BAR_SPACE + 10.0,
        height: (items.len() as f64 * ROW_HEIGHT).max(ROW_HEIGHT),
        label_width: LABEL_WIDTH,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tallest_fills_the_chart_and_no_data_draws_nothing() {
        let s = spark(&[("2023".into(), Some(2.0)), ("2024".into(), None), ("2025".into(), Some(4.0))]);
        assert_eq!(s.bars.len(), 3);
        assert_eq!(s.bars[2].height, SPARK_HEIGHT - 2.0);
        assert_eq!(s.bars[0].height, (SPARK_HEIGHT - 2.0) / 2.0);
        assert_eq!(s.bars[1].height, 0.0);
        let r = rows(&[Item {
            label: "a".into(),
            member: Some(5.0),
            network: Some(10.0),
            member_text: "5".into(),
            network_text: "10".into(),
        }]);
        assert_eq!(r.rows[0].network.width, BAR_SPACE);
        assert_eq!(r.rows[0].member.width, BAR_SPACE / 2.0);
    }
}
