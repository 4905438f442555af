//! Every CSV file the platform writes, in one place, so that no cell can run as a formula when an organiser
//! opens the file in a spreadsheet (OWASP's advice on CSV injection): a cell that starts with `=`, `+`, `-`, `@`,
//! a tab or a carriage return is written with a leading apostrophe, which spreadsheets read as "this is text".

use std::borrow::Cow;

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::{AppError, AppResult};

/// A CSV download being written: a header row, then rows, then `download`.
pub struct CsvFile {
    out: csv::Writer<Vec<u8>>,
}

impl CsvFile {
    pub fn new(header: &[&str]) -> AppResult<CsvFile> {
        let mut file = CsvFile { out: csv::Writer::from_writer(Vec::new()) };
        file.row(header)?;
        Ok(file)
    }

    pub fn row(&mut self, cells: &[&str]) -> AppResult<()> {
        let cells: Vec<Cow<'_, str>> = cells.iter().map(|c| neutralise(c)).collect();
        self.out.write_record(cells.iter().map(|c| c.as_bytes())).map_err(|e| AppError::Internal(e.to_string()))
    }

    /// The file as an attachment named `filename` (made by the caller from safe characters).
    pub fn download(self, filename: &str) -> AppResult<Response> {
        let bytes = self.out.into_inner().map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            ],
            bytes,
        )
            .into_response())
    }
}

/// A cell as it is safe to write: text a spreadsheet would take for a formula gets a leading apostrophe.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_become_text() {
        for hostile in
            ["=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]
        {
            assert!(neutralise(hostile).starts_with('\''), "{hostile}");
        }
        assert_eq!(neutralise("Priya Shah"), "Priya Shah");
        assert_eq!(neutralise(""), "");
    }
}
