//! The inspector: one self-contained HTML page showing a source map beside its script
//! (docs/inspect.md). Everything is computed here, ahead: the compact per-line mappings
//! (`encode`), the size attribution (`attribution`), the map's facts (`facts`), the
//! functions of each original source for the trace box (`functions`), the validator's
//! report; `data` gathers them and `page` puts them into the template.

mod attribution;
mod data;
mod encode;
mod facts;
mod functions;
mod page;

pub use attribution::{attribute, package_of, Attribution, PackageShare};
pub use data::Inspection;
