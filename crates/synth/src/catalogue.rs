//! The schools pupils can be sent to: the bundled list of real London special
//! schools (EduBase 2017) and OpenStreetMap schools.

use std::collections::BTreeSet;
use std::path::Path;

use senroute_model::Phase;
use serde::Serialize;

use crate::SynthError;

/// An OpenStreetMap school this close (metres) to an EduBase special school
/// is taken to be that school mapped again, and dropped.
pub const SAME_SITE_M: f64 = 150.0;

fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    senroute_roads::geo_util::haversine_m([lat1, lon1], [lat2, lon2])
}

/// One school the generator may use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogueSchool {
    /// School id: the DfE URN for EduBase schools, `OSM-N…`/`OSM-W…` for
    /// OpenStreetMap nodes and ways without a URN.
    pub id: String,
    /// School name.
    pub name: String,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// True for a special school.
    pub special: bool,
    /// Phase of education, from the statutory age range (EduBase) or the
    /// name and `isced:level` (OpenStreetMap).
    pub phase: Phase,
}

/// The schools a cohort's pupils may attend.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SchoolCatalogue {
    schools: Vec<CatalogueSchool>,
}

/// Phase from a statutory age range: primary when the highest age is at most
/// 11, secondary when the lowest is at least 11, all-through when it spans.
pub fn phase_from_ages(lowest: u32, highest: u32) -> Phase {
    if highest <= 11 {
        Phase::Primary
    } else if lowest >= 11 {
        Phase::Secondary
    } else {
        Phase::AllThrough
    }
}

/// Phase of an OpenStreetMap school from its `isced:level` (1 primary, 2–3
/// secondary) or, failing that, its name; `None` when the name says it is no
/// school a transported pupil attends (nursery, children's centre,
/// university, language school …).
pub fn osm_phase(name: &str, isced: &str) -> Option<Phase> {
    let n = name.to_ascii_lowercase();
    let has = |ws: &[&str]| ws.iter().any(|w| n.contains(w));
    // A primary school with a nursery or children's centre is a school.
    let primary_name = has(&["primary", "infant", "junior", "preparatory", "prep school"]);
    const NOT_A_SCHOOL: [&str; 17] = [
        "nursery",
        "children's centre",
        "childrens centre",
        "children centre",
        "university",
        "language",
        "english",
        "pre-school",
        "preschool",
        "montessori",
        "kindergarten",
        "playgroup",
        "sports ground",
        "colleges",
        "hospital",
        "music",
        "society",
    ];
    if n.trim().is_empty() || (!primary_name && has(&NOT_A_SCHOOL)) {
        return None;
    }
    let levels: BTreeSet<&str> = isced.split(';').map(str::trim).collect();
    let primary = levels.contains("1");
    let secondary = levels.contains("2") || levels.contains("3");
    match (primary, secondary) {
        (true, true) => return Some(Phase::AllThrough),
        (true, false) => return Some(Phase::Primary),
        (false, true) => return Some(Phase::Secondary),
        (false, false) => {}
    }
    if primary_name {
        Some(Phase::Primary)
    } else if has(&[
        "secondary",
        "high school",
        "academy",
        "college",
        "grammar",
        "sixth form",
    ]) {
        Some(Phase::Secondary)
    } else if has(&["school"]) {
        Some(Phase::AllThrough)
    } else {
        None
    }
}

/// A CSV file's rows with its column positions, for named access.
struct Rows {
    path: std::path::PathBuf,
    headers: Vec<String>,
    records: Vec<(u64, csv::StringRecord)>,
}

impl Rows {
    fn read(path: &Path) -> Result<Rows, SynthError> {
        let bad = |line: Option<u64>, detail: String| SynthError::SchoolFile {
            path: path.to_path_buf(),
            line,
            detail,
        };
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| bad(None, format!("cannot open: {e}; check the path")))?;
        let headers = rdr
            .headers()
            .map_err(|e| bad(Some(1), format!("cannot read the header row: {e}")))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect();
        let mut records = Vec::new();
        for r in rdr.records() {
            let r = r.map_err(|e| {
                bad(
                    e.position().map(|p| p.line()),
                    format!("cannot read the row: {e}; save the file as UTF-8 CSV"),
                )
            })?;
            records.push((r.position().map_or(0, |p| p.line()), r));
        }
        Ok(Rows {
            path: path.to_path_buf(),
            headers,
            records,
        })
    }

    fn column(&self, name: &str) -> Result<usize, SynthError> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| SynthError::SchoolFile {
                path: self.path.clone(),
                line: Some(1),
                detail: format!(
                    "missing column {name:?}; the header has {}",
                    self.headers.join(", ")
                ),
            })
    }

    fn number<T: std::str::FromStr>(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: usize,
    ) -> Result<T, SynthError> {
        let v = rec.get(col).unwrap_or("");
        v.parse().map_err(|_| SynthError::SchoolFile {
            path: self.path.clone(),
            line: Some(line),
            detail: format!("column {:?} is {v:?}, not a number", self.headers[col]),
        })
    }
}

impl SchoolCatalogue {
    /// Reads the bundled lists: `special_csv` in the EduBase layout of
    /// `data/schools/edubase_2017_london_special_partial_geocoded.csv`
    /// (columns `URN`, `Establishment name`, `Statutory lowest age`,
    /// `Statutory highest age`, `lon`, `lat`; rows without coordinates are
    /// skipped), and `osm_csv` in the layout of
    /// `data/schools/osm_schools_london_extracts.csv` (columns `osm_type`,
    /// `osm_id`, `name`, `lon`, `lat`, `isced:level`, `ref:GB:urn`,
    /// `special_needs`; nurseries, children's centres and the like are
    /// skipped). An OSM school with the URN of a special school is dropped
    /// as a duplicate; one tagged `special_needs` counts as special.
    pub fn load(special_csv: &Path, osm_csv: &Path) -> Result<SchoolCatalogue, SynthError> {
        let mut schools = Vec::new();
        let s = Rows::read(special_csv)?;
        let [urn, name, low, high, lon, lat] = [
            "URN",
            "Establishment name",
            "Statutory lowest age",
            "Statutory highest age",
            "lon",
            "lat",
        ]
        .map(|c| s.column(c));
        let (urn, name, low, high, lon, lat) = (urn?, name?, low?, high?, lon?, lat?);
        for (line, r) in &s.records {
            if r.get(lat).unwrap_or("").is_empty() || r.get(lon).unwrap_or("").is_empty() {
                continue;
            }
            let lowest: u32 = s.number(*line, r, low)?;
            let highest: u32 = s.number(*line, r, high)?;
            schools.push(CatalogueSchool {
                id: r[urn].to_string(),
                name: r[name].to_string(),
                lat: s.number(*line, r, lat)?,
                lon: s.number(*line, r, lon)?,
                special: true,
                phase: phase_from_ages(lowest, highest),
            });
        }
        let known: BTreeSet<String> = schools.iter().map(|s| s.id.clone()).collect();
        let o = Rows::read(osm_csv)?;
        let [otype, oid, name, lon, lat, isced, ourn, sn] = [
            "osm_type",
            "osm_id",
            "name",
            "lon",
            "lat",
            "isced:level",
            "ref:GB:urn",
            "special_needs",
        ]
        .map(|c| o.column(c));
        let (otype, oid, name, lon, lat, isced, ourn, sn) =
            (otype?, oid?, name?, lon?, lat?, isced?, ourn?, sn?);
        let mut names = BTreeSet::new();
        for (line, r) in &o.records {
            let Some(phase) = osm_phase(&r[name], &r[isced]) else {
                continue;
            };
            let urn = r[ourn].to_string();
            let (la, lo): (f64, f64) = (o.number(*line, r, lat)?, o.number(*line, r, lon)?);
            let on_special_site = schools
                .iter()
                .any(|s| s.special && haversine_m(s.lat, s.lon, la, lo) < SAME_SITE_M);
            if (!urn.is_empty() && known.contains(&urn))
                || on_special_site
                || !names.insert(r[name].to_string())
            {
                continue; // the same school twice (node and way, or EduBase)
            }
            let id = if urn.is_empty() {
                let t = r[otype].chars().next().unwrap_or('x').to_ascii_uppercase();
                format!("OSM-{t}{}", &r[oid])
            } else {
                urn
            };
            let special = !matches!(r[sn].to_ascii_lowercase().as_str(), "" | "no");
            schools.push(CatalogueSchool {
                id,
                name: r[name].to_string(),
                lat: la,
                lon: lo,
                special,
                phase,
            });
        }
        Ok(SchoolCatalogue { schools })
    }

    /// A catalogue from schools already in memory.
    pub fn from_schools(schools: Vec<CatalogueSchool>) -> SchoolCatalogue {
        SchoolCatalogue { schools }
    }

    /// All schools, special first, in file order.
    pub fn schools(&self) -> &[CatalogueSchool] {
        &self.schools
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_from_ages_and_names() {
        assert_eq!(phase_from_ages(11, 16), Phase::Secondary);
        assert_eq!(phase_from_ages(2, 11), Phase::Primary);
        assert_eq!(phase_from_ages(5, 19), Phase::AllThrough);
        assert_eq!(osm_phase("Argyle Primary School", ""), Some(Phase::Primary));
        assert_eq!(osm_phase("Regent High School", ""), Some(Phase::Secondary));
        assert_eq!(osm_phase("Some School", "2;3;4"), Some(Phase::Secondary));
        assert_eq!(osm_phase("Some Place", "1;2"), Some(Phase::AllThrough));
        assert_eq!(osm_phase("Hall School", ""), Some(Phase::AllThrough));
        assert_eq!(osm_phase("St. Aloysius' School Nursery", ""), None);
        assert_eq!(
            osm_phase("Children's Centre Services SureStart Euston", ""),
            None
        );
        assert_eq!(osm_phase("", "1"), None);
        assert_eq!(
            osm_phase("Prior Weston Primary School and Children's Centre", ""),
            Some(Phase::Primary)
        );
        assert_eq!(osm_phase("St. Giles Colleges London Central", ""), None);
        assert_eq!(
            osm_phase(
                "Children's Hospital School at Great Ormond Street Hospital",
                ""
            ),
            None
        );
    }
}
