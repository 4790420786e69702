//! `senroute generate`: a realistic synthetic cohort on the bundled roads.
//!
//! Every parameter of [`CohortParams`] is a flag whose default is the
//! library's default; the README and `senroute_synth`'s docs say where each
//! default comes from (DfE statistics where they exist, marked assumptions
//! elsewhere).

use crate::{Failure, Output};
use clap::Args;
use senroute_model::TimeOfDay;
use senroute_roads::{Boroughs, RoadNetwork, SpeedProfile};
use senroute_synth::{
    generate as synthesise, CohortParams, SchoolCatalogue, DEFAULT_BOUNDARIES, DEFAULT_OSM_SCHOOLS,
    DEFAULT_ROADS, DEFAULT_SPECIAL_SCHOOLS,
};
use std::path::PathBuf;

fn d() -> CohortParams {
    CohortParams::default()
}

macro_rules! cohort_flags {
    ($( $(#[doc = $doc:expr])* $field:ident : $ty:ty ),* $(,)?) => {
        /// `senroute generate` flags.
        #[derive(Args, Debug)]
        pub struct GenerateArgs {
            /// Home boroughs as GSS codes, comma-separated (default: Camden, Westminster, City of London).
            #[arg(long, value_delimiter = ',', default_value = "E09000007,E09000033,E09000001")]
            boroughs: Vec<String>,
            $( $(#[doc = $doc])* #[arg(long, default_value_t = d().$field)] $field: $ty, )*
            /// Road network the homes, schools and depots are placed on.
            #[arg(long, default_value = DEFAULT_ROADS)]
            roads: PathBuf,
            /// Borough boundaries (GeoJSON).
            #[arg(long, default_value = DEFAULT_BOUNDARIES)]
            boundaries: PathBuf,
            /// Special schools (EduBase extract).
            #[arg(long, default_value = DEFAULT_SPECIAL_SCHOOLS)]
            special_schools: PathBuf,
            /// Other schools (OSM extract).
            #[arg(long, default_value = DEFAULT_OSM_SCHOOLS)]
            osm_schools: PathBuf,
            /// Output directory for pupils.csv, schools.csv and fleet.csv.
            #[arg(long)]
            out: PathBuf,
        }

        impl GenerateArgs {
            fn params(&self) -> CohortParams {
                CohortParams { boroughs: self.boroughs.clone(), pupils_by_borough: Vec::new(), $( $field: self.$field.clone(), )* }
            }
        }
    };
}

cohort_flags! {
    /// Pupils generated in each borough.
    pupils_per_borough: u32,
    /// Seed: the same seed and parameters give identical files.
    seed: u64,
    /// Share attending special schools (DfE SEN in England: just over half of EHCP pupils; higher among those transported).
    special_school_share: f64,
    /// Target share crossing a borough boundary to school (London surveys: 25–40 %).
    cross_borough_share: f64,
    /// Share of wheelchair users.
    wheelchair_share: f64,
    /// Share of wheelchair users needing a tail-lift.
    tail_lift_share_of_wheelchair: f64,
    /// Share needing a passenger assistant.
    passenger_assistant_share: f64,
    /// Share travelling alone.
    travel_alone_share: f64,
    /// Share in must-not-travel-together pairs.
    must_not_travel_share: f64,
    /// Share of primary-age pupils (DfE SEN in England: about 45 % of EHCP pupils).
    primary_share: f64,
    /// Ride cap of primary pupils, minutes (DfE statutory guidance).
    primary_max_ride_minutes: u32,
    /// Ride cap of secondary pupils, minutes (DfE statutory guidance).
    secondary_max_ride_minutes: u32,
    /// Share travelling in one session only (each of AM and PM).
    single_session_share: f64,
    /// Share with an earliest pick-up time.
    earliest_pickup_share: f64,
    /// Fleet size over the expected vehicle need (1.3 = 30 % spare).
    fleet_slack: f64,
    /// Start of the vehicles' morning shift.
    shift_start: TimeOfDay,
    /// End of the vehicles' morning shift.
    shift_end: TimeOfDay,
    /// Start of the vehicles' afternoon shift.
    pm_shift_start: TimeOfDay,
    /// End of the vehicles' afternoon shift.
    pm_shift_end: TimeOfDay,
    /// Taxi day rate, £.
    taxi_fixed_cost_per_day: f64,
    /// Taxi £ per km.
    taxi_cost_per_km: f64,
    /// Taxi £ per hour.
    taxi_cost_per_hour: f64,
    /// Minibus day rate, £.
    minibus_fixed_cost_per_day: f64,
    /// Minibus £ per km.
    minibus_cost_per_km: f64,
    /// Minibus £ per hour.
    minibus_cost_per_hour: f64,
    /// Wheelchair-accessible vehicle day rate, £.
    wav_fixed_cost_per_day: f64,
    /// WAV £ per km.
    wav_cost_per_km: f64,
    /// WAV £ per hour.
    wav_cost_per_hour: f64,
    /// Passenger assistant, £ per day.
    assistant_cost_per_day: f64,
    /// Maximum duty of a taxi, minutes.
    taxi_max_duty_minutes: u32,
    /// Maximum duty of a minibus or WAV, minutes.
    bus_max_duty_minutes: u32,
    /// Schools further than this from a road (metres) are not used.
    max_school_snap_m: f64,
}

/// Runs `senroute generate`.
pub fn generate(a: GenerateArgs, out: Output) -> Result<(), Failure> {
    let params = a.params();
    let input = |e: &dyn std::fmt::Display| Failure::Input(e.to_string());
    let roads = a.roads.to_string_lossy().to_ascii_lowercase();
    let network = if roads.ends_with(".pbf") {
        RoadNetwork::from_pbf(&a.roads, &SpeedProfile::default()).map(|(n, _)| n)
    } else {
        RoadNetwork::load(&a.roads)
    }
    .map_err(|e| input(&e))?;
    let boroughs = Boroughs::from_geojson(&a.boundaries).map_err(|e| input(&e))?;
    let schools =
        SchoolCatalogue::load(&a.special_schools, &a.osm_schools).map_err(|e| input(&e))?;
    let cohort = synthesise(&params, &network, &boroughs, &schools).map_err(|e| input(&e))?;
    cohort.write_csv(&a.out).map_err(|e| {
        Failure::Internal(anyhow::anyhow!(
            "writing the cohort to {}: {e}",
            a.out.display()
        ))
    })?;
    if out.json {
        println!(
            "{}",
            serde_json::to_string(&cohort.stats).map_err(|e| Failure::Internal(e.into()))?
        );
    } else if !out.quiet {
        print!("{}", cohort.stats);
        println!(
            "wrote pupils.csv, schools.csv and fleet.csv to {}",
            a.out.display()
        );
    }
    Ok(())
}
