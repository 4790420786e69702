//! `POST /api/v1/jobs`: the multipart form (three CSV files and options)
//! into a problem, and every input problem into a `400` answer naming file,
//! line, column, value and fix.

use super::ApiError;
use axum::extract::Multipart;
use axum::http::StatusCode;
use senroute_model::{CsvSource, InputIssue, Problem, Session, Settings};
use serde_json::json;

/// The form fields that are files, in the order the page shows them.
pub const FILES: [&str; 3] = ["pupils", "schools", "fleet"];

/// Most bytes of an option field.
const MAX_OPTION_BYTES: usize = 256;

/// The uploaded form.
#[derive(Debug, Default)]
pub struct Form {
    /// Per file field: the file's name (as uploaded, else `pupils.csv` …)
    /// and its text.
    files: [Option<(String, String)>; 3],
    session: Option<String>,
    time_limit: Option<String>,
    seed: Option<String>,
    label: Option<String>,
    issues: Vec<InputIssue>,
}

fn issue(source: &str, field: Option<&str>, message: String, hint: &str) -> InputIssue {
    InputIssue {
        source: source.into(),
        line: None,
        field: field.map(str::to_string),
        value: None,
        message,
        hint: hint.into(),
    }
}

fn bad_form(message: String) -> ApiError {
    let i = issue(
        "request",
        None,
        message,
        "send a multipart/form-data upload",
    );
    problems_answer(&[i])
}

/// Reads every field of the form. Text that is not UTF-8 and unknown
/// fields are reported with the other problems.
pub async fn read_form(mut multipart: Multipart) -> Result<Form, ApiError> {
    let mut form = Form::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!(
                            "the upload is larger than this server's limit: {}",
                            e.body_text()
                        ),
                    )
                } else {
                    bad_form(format!("unreadable form: {}", e.body_text()))
                })
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| bad_form(format!("unreadable form field {name:?}: {}", e.body_text())))?;
        if let Some(slot) = FILES.iter().position(|f| *f == name) {
            // Problems name the file as the page labels it; the page shows
            // them next to the upload, under the dropped file's own name.
            let _ = file_name;
            let shown = format!("{name}.csv");
            match String::from_utf8(bytes.to_vec()) {
                Ok(text) => form.files[slot] = Some((shown, text)),
                Err(e) => form.issues.push(issue(
                    &shown,
                    None,
                    format!(
                        "not UTF-8 text (bad byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ),
                    "save the file as CSV UTF-8 from your spreadsheet",
                )),
            }
            continue;
        }
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_OPTION_BYTES)])
            .trim()
            .to_string();
        match name.as_str() {
            "session" => form.session = Some(text),
            "time_limit" => form.time_limit = Some(text),
            "seed" => form.seed = Some(text),
            "label" => form.label = Some(text),
            _ => form.issues.push(issue(
                "request",
                Some(&*senroute_model::limits::excerpt(&name)),
                "unknown form field".into(),
                "send the files as pupils, schools and fleet, and the options session, time_limit, seed, label",
            )),
        }
    }
    Ok(form)
}

impl Form {
    /// The problem of the form, its label and, per file, the line of each
    /// record (for problems found later by the service, which name records
    /// by index); `400` with every problem otherwise.
    pub fn into_problem(mut self) -> Result<(Problem, String, [Vec<u64>; 3]), ApiError> {
        let session = match self.session.as_deref().unwrap_or("am") {
            "" | "am" | "AM" => Session::Am,
            "pm" | "PM" => Session::Pm,
            "day" | "DAY" => Session::Day,
            other => {
                self.issues.push(InputIssue {
                    value: Some(senroute_model::limits::excerpt(other).into_owned()),
                    ..issue(
                        "request",
                        Some("session"),
                        "not a session".into(),
                        "choose am, pm or day (both sessions planned together)",
                    )
                });
                Session::Am
            }
        };
        let mut settings = Settings::default();
        if let Some(t) = self.time_limit.as_deref().filter(|t| !t.is_empty()) {
            match t.trim_end_matches('s').trim().parse::<f64>() {
                Ok(s)
                    if s.is_finite()
                        && s > 0.0
                        && s <= senroute_model::limits::MAX_TIME_LIMIT_SECONDS =>
                {
                    settings.time_limit_seconds = s;
                }
                _ => self.issues.push(InputIssue {
                    value: Some(senroute_model::limits::excerpt(t).into_owned()),
                    ..issue(
                        "request",
                        Some("time_limit"),
                        "not a search time in seconds".into(),
                        "give the seconds of search, e.g. 30",
                    )
                }),
            }
        }
        if let Some(s) = self.seed.as_deref().filter(|s| !s.is_empty()) {
            match s.parse::<u64>() {
                Ok(v) => settings.seed = v,
                Err(_) => self.issues.push(InputIssue {
                    value: Some(senroute_model::limits::excerpt(s).into_owned()),
                    ..issue(
                        "request",
                        Some("seed"),
                        "not a whole number".into(),
                        "give a seed such as 1",
                    )
                }),
            }
        }
        for (slot, name) in FILES.iter().enumerate() {
            if self.files[slot].is_none() && !self.issues.iter().any(|i| i.source.starts_with(name))
            {
                self.issues.push(issue(
                    &format!("{name}.csv"),
                    None,
                    "no file uploaded".into(),
                    &format!("drop your {name} CSV file here"),
                ));
            }
        }
        if !self.issues.is_empty() {
            return Err(problems_answer(&self.issues));
        }
        let [Some(p), Some(s), Some(f)] = &self.files else {
            return Err(problems_answer(&self.issues));
        };
        let problem = senroute_model::read_problem(
            CsvSource::text(&p.0, &p.1),
            CsvSource::text(&s.0, &s.1),
            CsvSource::text(&f.0, &f.1),
            session,
            settings,
        )
        .map_err(|e| problems_answer(e.issues()))?;
        let lines = [record_lines(&p.1), record_lines(&s.1), record_lines(&f.1)];
        let label = self
            .label
            .unwrap_or_else(|| format!("{} pupils, {session}", problem.pupils.len()));
        let label = senroute_model::limits::excerpt(&label).into_owned();
        Ok((problem, label, lines))
    }
}

/// The 1-based line where each record of a CSV text starts.
fn record_lines(text: &str) -> Vec<u64> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut rec = csv::StringRecord::new();
    while let Ok(true) = r.read_record(&mut rec) {
        out.push(rec.position().map_or(0, |p| p.line()));
    }
    out
}

/// The JSON of one problem: file, line, column, value, problem, fix, and
/// which upload of the page it belongs to.
fn problem_json(i: &InputIssue) -> serde_json::Value {
    let upload = FILES
        .iter()
        .find(|f| i.source.starts_with(*f))
        .copied()
        .or_else(|| (i.source == "request").then_some("options"));
    json!({
        "file": i.source,
        "upload": upload,
        "line": i.line,
        "column": i.field,
        "value": i.value,
        "problem": i.message,
        "fix": i.hint,
    })
}

/// `400` with every problem.
pub fn problems_answer(issues: &[InputIssue]) -> ApiError {
    let list: Vec<_> = issues.iter().map(problem_json).collect();
    ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({
            "error": format!("{} problem(s) in the upload", list.len()),
            "problems": list,
        }),
    }
}

/// A `SubmitJob` refusal (INVALID_ARGUMENT, e.g. a home too far from any
/// road) as a `400`: each violation's field path such as
/// `problem.pupils[3].home` becomes the file and line of that record.
pub fn rejected(status: &tonic::Status, problem: &Problem, lines: &[Vec<u64>; 3]) -> ApiError {
    use tonic_types::StatusExt;
    let mut issues = Vec::new();
    if let Some(bad) = status.get_details_bad_request() {
        for v in &bad.field_violations {
            issues.push(locate(&v.field, &v.description, problem, lines));
        }
    }
    if issues.is_empty() {
        issues.push(issue(
            "request",
            None,
            status.message().to_string(),
            "check the files",
        ));
    }
    problems_answer(&issues)
}

fn locate(field: &str, description: &str, problem: &Problem, lines: &[Vec<u64>; 3]) -> InputIssue {
    let rest = field.strip_prefix("problem.").unwrap_or(field);
    for (slot, (list, len)) in [
        ("pupils", problem.pupils.len()),
        ("schools", problem.schools.len()),
        ("fleet", problem.fleet.len()),
    ]
    .iter()
    .enumerate()
    {
        let Some(tail) = rest.strip_prefix(&format!("{list}[")) else {
            continue;
        };
        let Some((index, column)) = tail.split_once(']') else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        if index >= *len {
            continue;
        }
        let (message, hint) = description.split_once("; ").unwrap_or((description, ""));
        return InputIssue {
            source: format!("{list}.csv"),
            line: lines[slot].get(index).copied(),
            field: Some(column.trim_start_matches('.').to_string()).filter(|c| !c.is_empty()),
            value: None,
            message: message.to_string(),
            hint: hint.to_string(),
        };
    }
    issue("request", Some(field), description.to_string(), "")
}
