//! hongguanjia (红管家): builds a public report site from the records of a 楼道"红管家"
//! programme. The pipeline, one module a step:
//!
//! 1. [`load`]: find and read `content/` files (CSV, TOML; UTF-8 or GB18030) into raw records;
//! 2. [`validate`]: check and type them against [`schema`], reporting every problem;
//! 3. [`aggregate`]: fold them into the programme's [`aggregate::Figures`] as they stream;
//! 4. [`render`]: render the pages from the [`theme`] with Tera, in parallel;
//! 5. [`guard`]: scan every output file for the input's private values;
//! 6. [`write`]: swap the finished site into the output folder.
//!
//! [`pipeline`] runs the steps; [`config`] reads `site.toml`; [`model`] holds typed records;
//! [`charts`] draws the pages' statistics as inline SVG. [`print`] makes the internal print
//! kit (boards, cards, log sheets, letters, bulletins) from the same records.

pub mod aggregate;
pub mod charts;
pub mod config;
pub mod diagnostics;
pub mod guard;
pub mod load;
pub mod model;
pub mod pipeline;
pub mod print;
pub mod privacy;
pub mod render;
pub mod schema;
pub mod theme;
pub mod validate;
pub mod write;
