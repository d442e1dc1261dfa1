//! QR codes for the printed papers, drawn as SVG so that they print sharp at any size and
//! need no font or image library. The symbol comes from the `qrcode` crate; the drawing is
//! one path of row runs, a third the size of one square per module, since a city's kit
//! holds tens of thousands of codes.

use qrcode::{Color, EcLevel, QrCode};

use crate::diagnostics::Diagnostic;

/// A QR code as SVG parts: the path of its dark modules and the size of its square.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub(crate) struct Qr {
    /// Path data in module units, the four-module quiet zone included.
    pub(crate) path: String,
    /// Width and height in modules.
    pub(crate) size: usize,
}

/// The light margin scanners need around a code, in modules.
const QUIET: usize = 4;

/// `url` as a QR code. Medium error correction: a board at a stairwell gets scuffed, and
/// the URLs are short enough to stay small.
pub(crate) fn encode(url: &str) -> Result<Qr, Diagnostic> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| Diagnostic::error(url, 0, format!("无法生成二维码：{e}")))?;
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                path.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + QUIET,
                    y + QUIET,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    Ok(Qr {
        path,
        size: width + 2 * QUIET,
    })
}

/// A whole inline `<svg>` of a code.
pub(crate) fn svg(qr: &Qr) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {n} {n}\" shape-rendering=\"crispEdges\" aria-hidden=\"true\"><rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{d}\"/></svg>",
        n = qr.size,
        d = qr.path
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_dark_module_once_with_a_quiet_zone() {
        let qr = encode("https://example.gov.cn/fushan/stewards/DM-001.html")
            .unwrap_or_else(|e| panic!("{e}"));
        let code = QrCode::with_error_correction_level(
            "https://example.gov.cn/fushan/stewards/DM-001.html".as_bytes(),
            EcLevel::M,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(qr.size, code.width() + 8);
        let dark = code
            .to_colors()
            .iter()
            .filter(|c| **c == Color::Dark)
            .count();
        let drawn: usize = qr
            .path
            .split('h')
            .skip(1)
            .map(|s| {
                s.split('v')
                    .next()
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0)
            })
            .sum();
        assert_eq!(drawn, dark);
        let s = svg(&qr);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
    }
}
