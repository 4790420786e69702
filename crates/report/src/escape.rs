//! Escaping text from user files for HTML and SVG, with the `html-escape`
//! crate. Control characters never get here: input validation refuses them
//! in ids and names (see `senroute_model::limits`).

/// Escapes `&`, `<`, `>`, `"` and `'` so any string is safe as HTML/XML text
/// or inside a quoted attribute.
pub fn escape(text: &str) -> String {
    html_escape::encode_quoted_attribute(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x&y's")</script>"#),
            "&lt;script&gt;alert(&quot;x&amp;y&#x27;s&quot;)&lt;/script&gt;"
        );
        assert_eq!(escape("St Mary’s, Camden"), "St Mary’s, Camden");
    }
}
