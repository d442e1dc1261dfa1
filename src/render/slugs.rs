//! Folder names of case categories: readable and stable, never a hash. A name set in
//! `site.toml`'s `[categories]` wins; otherwise the category's pinyin (`停车` → `ting-che`),
//! which misreads some polyphones — the setting is how a site corrects one. Addresses are
//! ASCII: ü is written v, as pinyin input methods type it (`绿化` → `lv-hua`). Search reads
//! community names' pinyin initials here too, so the site reads pinyin in one place.

use std::collections::BTreeMap;

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostics;

/// The folder under `cases/category/` for `name`.
pub(crate) fn category_slug(config: &SiteConfig, name: &str) -> String {
    match config.categories.get(name) {
        Some(slug) => slug.clone(),
        None => pinyin_slug(name),
    }
}

/// Lower-case pinyin syllables and ASCII words joined by `-`; characters with neither
/// (an emoji, say) become their code point, `u1f3e0`, so the name is never empty.
pub(crate) fn pinyin_slug(name: &str) -> String {
    slug(name, |syllable| syllable.replace('ü', "v"))
}

/// The folder name earlier versions gave `name` where it differs from [`pinyin_slug`]:
/// they kept the ü of lü and nü (`lü-hua`), which some links and bookmarks now hold.
pub(crate) fn umlaut_pinyin_slug(name: &str) -> Option<String> {
    let old = slug(name, str::to_string);
    (old != pinyin_slug(name)).then_some(old)
}

fn slug(name: &str, syllable: impl Fn(&str) -> String) -> String {
    use pinyin::ToPinyin;
    let mut words: Vec<String> = Vec::new();
    let mut ascii = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            ascii.push(c.to_ascii_lowercase());
            continue;
        }
        if !ascii.is_empty() {
            words.push(std::mem::take(&mut ascii));
        }
        if let Some(p) = c.to_pinyin() {
            words.push(syllable(p.plain()));
        } else if !c.is_whitespace() && !c.is_ascii() && !is_punctuation(c) {
            words.push(format!("u{:x}", u32::from(c)));
        }
    }
    if !ascii.is_empty() {
        words.push(ascii);
    }
    let slug = words.join("-");
    if slug.is_empty() {
        // Only punctuation: still a readable, stable name.
        let points: Vec<String> = name
            .chars()
            .map(|c| format!("u{:x}", u32::from(c)))
            .collect();
        return points.join("-");
    }
    slug
}

/// Initials of a name's pinyin (东门街社区 → dmjsq), for residents who search on a
/// keyboard without a Chinese input method. Read like [`pinyin_slug`], so polyphones are
/// misread alike; search only adds matches by them, never hides one.
pub(crate) fn pinyin_initials(name: &str) -> String {
    use pinyin::ToPinyin;
    name.to_pinyin()
        .flatten()
        .map(|p| p.first_letter())
        .collect()
}

fn is_punctuation(c: char) -> bool {
    matches!(u32::from(c), 0x3000..=0x303F | 0xFF00..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65 | 0x2010..=0x206F)
}

/// Categories whose folder names coincide (homophones such as 公示 and 公式), as
/// `site.toml` errors asking for a `[categories]` setting. Names are sorted, so the
/// messages are the same every run.
pub(crate) fn collisions<'a>(
    config: &SiteConfig,
    names: impl IntoIterator<Item = &'a str>,
) -> Diagnostics {
    let mut by_slug: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for name in names {
        by_slug
            .entry(category_slug(config, name))
            .or_default()
            .push(name);
    }
    let mut diags = Diagnostics::new();
    for (slug, mut names) in by_slug {
        names.sort_unstable();
        names.dedup();
        if names.len() < 2 {
            continue;
        }
        let quoted: Vec<String> = names.iter().map(|n| format!("“{n}”")).collect();
        diags.error(
            "site.toml",
            1,
            format!(
                "民情类别{}的网址都会是 cases/category/{slug}/：请在 site.toml 的 [categories] 里给其中一个另起网址名，如 \"{}\" = \"{slug}-2\"",
                quoted.join("和"),
                names[names.len() - 1]
            ),
        );
    }
    diags
}

/// The folder name earlier versions gave a category: FNV-1a of its name. Kept so that
/// a redirect page can stand at each old address.
pub(crate) fn legacy_category_slug(name: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("{hash:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> SiteConfig {
        toml::from_str(&format!("title = \"t\"\nbase_url = \"/\"\n{extra}")).expect("config")
    }

    #[test]
    fn community_names_give_pinyin_initials() {
        assert_eq!(pinyin_initials("东门街社区"), "dmjsq");
    }

    #[test]
    fn categories_read_as_pinyin() {
        assert_eq!(pinyin_slug("停车"), "ting-che");
        assert_eq!(pinyin_slug("楼道堆物"), "lou-dao-dui-wu");
        assert_eq!(pinyin_slug("WiFi 信号"), "wifi-xin-hao");
        assert_eq!(pinyin_slug("水电（维修）"), "shui-dian-wei-xiu");
        assert_eq!(pinyin_slug("🏠"), "u1f3e0");
        assert_eq!(pinyin_slug("？"), "uff1f");
    }

    #[test]
    fn addresses_are_ascii_with_v_for_u_umlaut() {
        assert_eq!(pinyin_slug("绿化养护"), "lv-hua-yang-hu");
        assert_eq!(pinyin_slug("女子巡逻队"), "nv-zi-xun-luo-dui");
        assert!(pinyin_slug("略").is_ascii(), "{}", pinyin_slug("略"));
        assert_eq!(
            umlaut_pinyin_slug("绿化养护").as_deref(),
            Some("lü-hua-yang-hu")
        );
        assert_eq!(umlaut_pinyin_slug("停车"), None);
    }

    #[test]
    fn a_setting_overrides_a_misread_polyphone() {
        let c = config("[categories]\n\"重建\" = \"chong-jian\"\n");
        assert_eq!(category_slug(&c, "重建"), "chong-jian");
        assert_eq!(category_slug(&c, "停车"), "ting-che");
    }

    #[test]
    fn homophones_are_reported_until_one_is_named() {
        let names = ["公示", "公式", "停车"];
        let found = collisions(&config(""), names).sorted();
        assert_eq!(found.len(), 1);
        let text = found[0].to_string();
        assert!(text.starts_with("site.toml:1: "), "{text}");
        assert!(text.contains("“公式”和“公示”"), "{text}");
        let fixed = config("[categories]\n\"公式\" = \"gong-shi-2\"\n");
        assert!(collisions(&fixed, names).is_empty());
    }

    #[test]
    fn legacy_slugs_are_the_old_hashes() {
        assert_eq!(legacy_category_slug("停车").len(), 8);
        assert_ne!(
            legacy_category_slug("停车"),
            legacy_category_slug("楼道堆物")
        );
    }
}
