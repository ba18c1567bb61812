//! Identicons: a 5×5 mirrored pattern and a hue drawn from the server's keyed avatar hash.
//! Nothing is fetched, so no third party learns who reads or writes.

use maud::{html, Markup};

/// Cells to fill (column, row) for the left half plus the middle column, mirrored.
fn cells(hash: &[u8]) -> Vec<(u8, u8)> {
    let mut out = Vec::new();
    for col in 0..3u8 {
        for row in 0..5u8 {
            let bit = usize::from(col * 5 + row);
            let byte = hash.get(1 + bit / 8).copied().unwrap_or(0);
            if byte >> (bit % 8) & 1 == 1 {
                out.push((col, row));
                if col < 2 {
                    out.push((4 - col, row));
                }
            }
        }
    }
    out
}

fn decode(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .filter_map(|i| {
            hex.get(i * 2..i * 2 + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect()
}

/// A decorative identicon (hidden from screen readers: the name is right beside it). An
/// empty hash (no usable secret, or a deleted comment) draws an empty square. One path of
/// unit squares: a third of the bytes of a rectangle per cell, on every comment of a page.
pub fn identicon(hash: &str) -> Markup {
    let bytes = decode(hash);
    let hue = u16::from(bytes.first().copied().unwrap_or(0)) * 360 / 256;
    let path: String = cells(&bytes)
        .iter()
        .map(|(x, y)| format!("M{x} {y}h1v1h-1z"))
        .collect();
    html! {
        svg.cq-avatar viewBox="-0.5 -0.5 6 6" aria-hidden="true" focusable="false"
            fill={"hsl(" (hue) " 55% 45%)"} {
            path d=(path) {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_mirrored_and_deterministic() {
        let bytes = decode("a1b2c3d4e5f60718293a4b5c6d7e8f90");
        let c = cells(&bytes);
        assert_eq!(c, cells(&bytes));
        for (x, y) in &c {
            assert!(c.contains(&(4 - x, *y)), "({x},{y}) has no mirror");
        }
        assert_ne!(
            cells(&decode("00ff00ff00ff00ff")),
            cells(&decode("00f0f0f0f0f0f0f0"))
        );
        let svg = identicon("a1b2c3d4e5f60718293a4b5c6d7e8f90").into_string();
        assert!(svg.starts_with("<svg class=\"cq-avatar\""), "{svg}");
        assert_eq!(
            svg.matches('M').count(),
            c.len(),
            "one square per cell: {svg}"
        );
    }
}
