//! QR codes for the printed papers, drawn as SVG so that they print sharp at any size
//! and need no font or image library.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An inline `<svg>` of `url` as a QR code, with its quiet zone. Medium error correction:
/// a board at a stairwell gets scuffed, and the URLs are short enough to stay small.
pub fn svg(url: &str) -> Result<String, String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| format!("无法为 {url} 生成二维码：{e}"))?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // The renderer writes an XML declaration, which has no place inside an HTML page.
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].replace("<svg ", "<svg role=\"img\" aria-hidden=\"true\" "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn makes_an_inline_svg() {
        let s = super::svg("https://example.gov.cn/fushan/stewards/DM-001.html").unwrap_or_default();
        assert!(s.starts_with("<svg"), "{s}");
        assert!(s.ends_with("</svg>"));
        assert!(!s.contains("<?xml"));
    }
}
