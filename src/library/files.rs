//! Files people download from the library: the type is decided from the bytes against a short allow-list
//! (documents, spreadsheets, slides, images, plain text and CSV), never from the uploaded name; HTML, SVG and
//! anything else that a browser could run is refused. The download's name is made by us from the resource's
//! address, so nothing a person typed reaches a path or a header.

/// A type we accept: (MIME type, file extension).
pub fn document_type(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if let Some(kind) = infer::get(bytes) {
        return match kind.mime_type() {
            "application/pdf" => Some(("application/pdf", "pdf")),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
                Some(("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"))
            }
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
                Some(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"))
            }
            "application/vnd.openxmlformats-officedocument.presentationml.presentation" => {
                Some(("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"))
            }
            "application/vnd.oasis.opendocument.text" => Some(("application/vnd.oasis.opendocument.text", "odt")),
            "application/vnd.oasis.opendocument.spreadsheet" => {
                Some(("application/vnd.oasis.opendocument.spreadsheet", "ods"))
            }
            "application/vnd.oasis.opendocument.presentation" => {
                Some(("application/vnd.oasis.opendocument.presentation", "odp"))
            }
            "image/png" => Some(("image/png", "png")),
            "image/jpeg" => Some(("image/jpeg", "jpg")),
            "image/gif" => Some(("image/gif", "gif")),
            "image/webp" => Some(("image/webp", "webp")),
            _ => None,
        };
    }
    plain_text_type(bytes)
}

/// The extension of a type `document_type` accepts (for a download's name); `bin` for any other.
pub fn extension_of(content_type: &str) -> &'static str {
    const KNOWN: &[(&str, &str)] = &[
        ("application/pdf", "pdf"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
        ("application/vnd.oasis.opendocument.text", "odt"),
        ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
        ("application/vnd.oasis.opendocument.presentation", "odp"),
        ("image/png", "png"),
        ("image/jpeg", "jpg"),
        ("image/gif", "gif"),
        ("image/webp", "webp"),
        ("text/csv", "csv"),
        ("text/plain", "txt"),
    ];
    KNOWN.iter().find(|(t, _)| *t == content_type).map_or("bin", |(_, ext)| ext)
}

/// Text with nothing a browser would read as markup: CSV when every line has the same number of commas.
fn plain_text_type(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    let text = std::str::from_utf8(bytes).ok()?;
    if text.trim().is_empty() || text.contains(['<', '\0']) {
        return None;
    }
    let mut commas = text.lines().filter(|l| !l.trim().is_empty()).map(|l| l.matches(',').count());
    let first = commas.next().unwrap_or(0);
    if first > 0 && commas.all(|c| c == first) { Some(("text/csv", "csv")) } else { Some(("text/plain", "txt")) }
}

/// The name a download gets: the resource's address with the type's extension.
pub fn download_name(slug: &str, extension: &str) -> String {
    let safe: String = slug.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(80).collect::<String>();
    let safe = if safe.is_empty() { "download".to_string() } else { safe };
    format!("{safe}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes_and_markup_is_refused() {
        assert_eq!(document_type(b"%PDF-1.7\n1 0 obj"), Some(("application/pdf", "pdf")));
        assert_eq!(document_type(b"name,score\nA,1\nB,2\n"), Some(("text/csv", "csv")));
        assert_eq!(document_type(b"Just some notes.\nMore, with a comma.\nAnd none"), Some(("text/plain", "txt")));
        assert_eq!(document_type(b"<!doctype html><script>alert(1)</script>"), None);
        assert_eq!(document_type(b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"), None);
        assert_eq!(document_type(b"hello\0world"), None);
        assert_eq!(document_type(&[0xff, 0xfe, 0x00, 0x01]), None);
        assert_eq!(document_type(b""), None);
    }

    #[test]
    fn real_office_files_are_recognised() {
        let xlsx = include_bytes!("../../demo/desk-ratio-planner.xlsx");
        let docx = include_bytes!("../../demo/team-agreement-template.docx");
        let pdf = include_bytes!("../../demo/hybrid-trials-research-summary.pdf");
        assert_eq!(document_type(xlsx).map(|t| t.1), Some("xlsx"));
        assert_eq!(document_type(docx).map(|t| t.1), Some("docx"));
        assert_eq!(document_type(pdf).map(|t| t.1), Some("pdf"));
    }

    #[test]
    fn download_names_are_ours() {
        assert_eq!(download_name("hybrid-guide", "pdf"), "hybrid-guide.pdf");
        assert_eq!(download_name("../../etc/passwd\0", "pdf"), "etcpasswd.pdf");
        assert_eq!(download_name("", "csv"), "download.csv");
    }
}
