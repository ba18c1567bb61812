//! Identicons: a 5×5 mirrored pattern and a hue drawn from the server's keyed avatar hash.
//! Nothing is fetched, so no third party learns who reads or writes.

use leptos::prelude::*;

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

/// The author's Gravatar (`(base URL, hash)`), only when the site owner turned Gravatar on (the one case where
/// the widget loads an image from a third party); the identicon underneath is the fallback.
#[component]
pub fn Avatar(hash: String, gravatar: Option<(String, String)>) -> impl IntoView {
    match gravatar {
        Some((base, g)) => view! {
            <img class="cq-avatar" alt="" width="28" height="28" loading="lazy" referrerpolicy="no-referrer"
                src=format!("{base}/{g}?s=56&d=identicon") />
        }
        .into_any(),
        None => view! { <Identicon hash=hash /> }.into_any(),
    }
}

/// A decorative identicon (hidden from screen readers: the name is right beside it).
#[component]
fn Identicon(hash: String) -> impl IntoView {
    let bytes = decode(&hash);
    let hue = u16::from(bytes.first().copied().unwrap_or(0)) * 360 / 256;
    let fill = format!("hsl({hue} 55% 45%)");
    let rects = cells(&bytes)
        .into_iter()
        .map(|(x, y)| view! { <rect x=x.to_string() y=y.to_string() width="1" height="1" /> })
        .collect_view();
    view! {
        <svg class="cq-avatar" viewBox="-0.5 -0.5 6 6" aria-hidden="true" focusable="false" fill=fill>
            {rects}
        </svg>
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
    }
}
