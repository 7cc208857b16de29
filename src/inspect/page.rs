//! The page: the template (`page.html`, with `page.css` and `page.js` inlined) and the
//! data, assembled into one self-contained HTML file: no network, no server.

use super::data::Inspection;

const TEMPLATE: &str = include_str!("page.html");
const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

impl Inspection<'_> {
    /// The inspector page: one HTML document with its style, code and data inline.
    pub fn html(&self) -> String {
        let data = self.data().to_string();
        // Inside <script> only `</script` and `<!--` can end or confuse the element, and
        // `<` occurs in JSON only inside strings, where `\u003c` means the same.
        let data = data.replace('<', "\\u003c");
        let title = escape_html(self.map_name.unwrap_or("source map"));
        let mut page = String::with_capacity(data.len() + TEMPLATE.len() + 64 * 1024);
        let mut rest = TEMPLATE;
        while let Some(at) = rest.find("{{") {
            page.push_str(&rest[..at]);
            let end = at + rest[at..].find("}}").expect("the template closes every {{") + 2;
            match &rest[at..end] {
                "{{title}}" => page.push_str(&title),
                "{{style}}" => page.push_str(STYLE),
                "{{script}}" => page.push_str(SCRIPT),
                "{{data}}" => page.push_str(&data),
                other => panic!("unknown template slot {other}"),
            }
            rest = &rest[end..];
        }
        page.push_str(rest);
        page
    }
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_cannot_close_its_script_element() {
        let map = br#"{"version":3,"sources":["</script><!--x.js"],"sourcesContent":["</script>"],"mappings":"AAAA"}"#;
        let page = Inspection {
            map,
            script: Some("a</script>"),
            map_name: Some("<b>.map"),
            script_name: None,
        }
        .html();
        assert_eq!(
            page.matches("</script>").count(),
            page.matches("<script").count()
        );
        assert!(!page.contains("<!--x"));
        assert!(page.contains("&lt;b&gt;.map"));
        assert!(!page.contains("{{"), "a template slot was left");
    }
}
