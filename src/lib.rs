//! hongguanjia (红管家): builds a public report site from the records of a 楼道"红管家"
//! programme. [`pipeline::run`] is the driver, one module a step:
//!
//! 1. `load`: find and read `content/` files (CSV, TOML, workbooks read with calamine; text
//!    in UTF-8 or GB18030) into raw records;
//! 2. `validate`: check and type them against `schema`, reporting every problem;
//! 3. `aggregate`: fold them into the programme's figures as they stream; together with
//!    the settings and the private values they make a [`site::Site`];
//! 4. `render`: plan every page (`render::routes::Page`) and render them from the theme
//!    with Tera, in parallel, each page's context made on its rendering thread;
//! 5. `guard`: scan every output file for the input's private values;
//! 6. [`mod@write`]: hand the files to a [`write::Sink`]: thrown away (`check`), swapped into
//!    the output folder (`build`) or kept in memory (`serve`).
//!
//! Every problem on the way is a [`diagnostics::Diagnostic`], printed by [`report`];
//! [`charts`] draws the pages' statistics as inline SVG; [`scaffold`] writes a new site
//! (`init`) and a site's next documents (`new bulletin`, `new page`); [`serve`] is the
//! live preview; [`mod@print`] makes the internal print kit (boards, cards, log sheets,
//! letters, bulletins) from the same records. See docs/architecture.md.

pub mod charts;
pub mod diagnostics;
pub mod fingerprint;
pub mod manifest;
pub mod pipeline;
pub mod print;
pub mod report;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod timings;
pub mod write;

pub(crate) mod aggregate;
pub(crate) mod config;
pub(crate) mod files;
pub(crate) mod fs_errors;
pub(crate) mod model;
pub(crate) mod numbers;
pub(crate) mod placeholders;
pub(crate) mod render;
pub(crate) mod rollup;
pub(crate) mod schema;
pub(crate) mod summary;
pub(crate) mod theme;

pub(crate) mod guard;
pub(crate) mod load;
pub(crate) mod privacy;
pub(crate) mod validate;

/// Pieces the tests exercise on their own: input parsing and masking.
pub mod parse {
    pub use crate::load::documents::split as split_front_matter;
    pub use crate::privacy::scrub;
    pub use crate::schema::split_list;
    pub use crate::validate::values::{parse_date, parse_whole};
}
/// 查找我的红管家: the search index on its own, for its benchmark (`examples/search_index.rs`)
/// and for tests that check the browser reads queries as the index builder does.
pub mod search {
    pub use crate::render::search::{files as index_files, query_words};
}
pub use crate::aggregate::{Counts, age_bands};
pub use crate::model::Date;
/// How pages write figures (`2.6万`, `6,999,642`), for tests that look for them.
pub use crate::numbers::{compact as big_number, exact as exact_number};
