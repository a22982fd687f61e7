//! A self-contained html page of the access graph (placeholder until the layout lands).

use super::AccessGraph;

pub fn render(graphs: &[AccessGraph]) -> String {
    super::json::render(graphs)
}
