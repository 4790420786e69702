//! The parameters of a synthetic cohort and where their defaults come from.

use senroute_model::TimeOfDay;
use serde::{Deserialize, Serialize};

use crate::SynthError;

/// Every parameter of [`generate`](crate::generate), one CLI flag each
/// (`--pupils-per-borough`, `--wheelchair-share`, …, the field name with
/// dashes).
///
/// The defaults describe a typical London cohort of pupils with an education,
/// health and care plan (EHCP) who get home-to-school transport. Each field
/// says where its default comes from; **figures marked *assumption* are
/// not published statistics** but round values chosen to be plausible, to be
/// replaced when better evidence is at hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CohortParams {
    /// Home boroughs of the pupils, as ONS GSS codes. Default: Camden
    /// (E09000007), Westminster (E09000033) and the City of London
    /// (E09000001), the boroughs the bundled road file covers.
    pub boroughs: Vec<String>,
    /// Pupils generated in each borough. Default 100 (*assumption*: a round
    /// size that plans in seconds; Camden alone transports several hundred).
    pub pupils_per_borough: u32,
    /// Pupils generated in each borough of `boroughs`, in the same order,
    /// instead of `pupils_per_borough` (e.g. realistic sizes, see the
    /// README's "Realistic cohort sizes"). Empty (the default): every
    /// borough gets `pupils_per_borough`.
    pub pupils_by_borough: Vec<u32>,
    /// Seed of the random generator (ChaCha8): the same seed and parameters
    /// give byte-identical files. Default 1.
    pub seed: u64,
    /// Share of pupils attending a special school (the rest attend mainstream
    /// schools, typically in a resourced provision or SEN unit). Default 0.60:
    /// DfE *Special educational needs in England* (2023/24) puts just over
    /// half of pupils with an EHCP in special schools, and pupils given
    /// transport are skewed further towards special schools (*assumption*).
    pub special_school_share: f64,
    /// Target share of pupils whose school lies in another borough than their
    /// home. Default 0.32, inside the 25–40 % that London Councils' SEN
    /// transport survey (2021) reports as out-of-borough travel
    /// (*assumption* within that range). Boroughs with no special school of
    /// a pupil's phase force crossings, so the realised share can exceed it.
    pub cross_borough_share: f64,
    /// Share of pupils travelling in their wheelchair. Default 0.07
    /// (*assumption*, in line with the physical-disability share of EHCP
    /// primary needs in DfE *Special educational needs in England*, about 3 %,
    /// doubled for its over-representation among pupils given transport).
    pub wheelchair_share: f64,
    /// Share of wheelchair users who need a tail-lift rather than a ramp.
    /// Default 0.5 (*assumption*).
    pub tail_lift_share_of_wheelchair: f64,
    /// Share of pupils who need a passenger assistant on board (wheelchair
    /// users always do and count towards it). Default 0.35 (*assumption*,
    /// from London borough SEN transport policies, which give an assistant to
    /// roughly a third of transported pupils).
    pub passenger_assistant_share: f64,
    /// Share of pupils who must travel with no other pupil. Default 0.09
    /// (*assumption*: solo routes are typically 5–10 % of London SEN routes).
    pub travel_alone_share: f64,
    /// Share of pupils in a must-not-travel-together pair (both of a pair
    /// count). Default 0.03 (*assumption*).
    pub must_not_travel_share: f64,
    /// Share of pupils of primary age. Default 0.45: DfE *Special educational
    /// needs in England* has about 45 % of school-age EHCP pupils in years
    /// R–6 (rounded).
    pub primary_share: f64,
    /// Maximum ride minutes of a primary pupil. Default 45: DfE *Travel to
    /// school for children of compulsory school age* (2024) statutory
    /// guidance.
    pub primary_max_ride_minutes: u32,
    /// Maximum ride minutes of a secondary pupil. Default 75: same guidance.
    pub secondary_max_ride_minutes: u32,
    /// Share of pupils travelling in the morning only (and as many in the
    /// afternoon only: clubs, respite care). Default 0.03 (*assumption*).
    pub single_session_share: f64,
    /// Share of pupils who cannot be picked up before a set time (carer's
    /// shift, medication). Default 0.05 (*assumption*).
    pub earliest_pickup_share: f64,
    /// Fleet capacity over the cohort's expected vehicle need: 1.3 gives 30 %
    /// spare vehicles so the cohort is feasible with slack (*assumption*).
    pub fleet_slack: f64,
    /// Start of the morning shift (vehicles leave the depot). Default 06:30.
    pub shift_start: TimeOfDay,
    /// End of the morning shift (vehicles back at the depot). Default 10:30.
    pub shift_end: TimeOfDay,
    /// Start of the afternoon shift. Default 14:00 (*assumption*: leave the
    /// depot in time for school collections from about 15:00).
    pub pm_shift_start: TimeOfDay,
    /// End of the afternoon shift. Default 18:00 (*assumption*: the last
    /// pupils home by about 16:45, back at the depot with room to spare).
    pub pm_shift_end: TimeOfDay,
    /// Taxi (4 seats, no wheelchair space, no assistant): fixed cost per day
    /// used, £. Default 60. *Assumption* calibrated on London borough SEN
    /// transport tender prices (a solo taxi route costs roughly £100–£150 a
    /// day for both runs); the bundled example fleet uses the same figures.
    pub taxi_fixed_cost_per_day: f64,
    /// Taxi: £ per km. Default 1.60 (*assumption*, near a London private-hire
    /// per-mile rate of £2.50).
    pub taxi_cost_per_km: f64,
    /// Taxi: £ per hour on duty. Default 12 (*assumption*).
    pub taxi_cost_per_hour: f64,
    /// Minibus (12 seats, passenger assistant): fixed £ per day. Default 140
    /// (*assumption* from London SEN minibus route prices, about £250–£350 a
    /// day for both runs with driver).
    pub minibus_fixed_cost_per_day: f64,
    /// Minibus: £ per km. Default 0.90 (*assumption*).
    pub minibus_cost_per_km: f64,
    /// Minibus: £ per hour on duty. Default 22 (*assumption*, London Living
    /// Wage driver with on-costs).
    pub minibus_cost_per_hour: f64,
    /// Wheelchair-accessible vehicle (6 seats, 2 wheelchair spaces each
    /// taking 2 seats, tail-lift, passenger assistant): fixed £ per day.
    /// Default 170 (*assumption*, WAV routes price about 20 % above minibus).
    pub wav_fixed_cost_per_day: f64,
    /// WAV: £ per km. Default 1.00 (*assumption*).
    pub wav_cost_per_km: f64,
    /// WAV: £ per hour on duty. Default 24 (*assumption*).
    pub wav_cost_per_hour: f64,
    /// Passenger assistant: £ per day on a vehicle that carries one. Default
    /// 90 (*assumption*: a split AM/PM shift at London Living Wage with
    /// on-costs).
    pub assistant_cost_per_day: f64,
    /// Maximum duty of a taxi, minutes away from the depot. Default 150
    /// (*assumption*).
    pub taxi_max_duty_minutes: u32,
    /// Maximum duty of a minibus or WAV, minutes. Default 210 (*assumption*,
    /// inside the 240-minute shift).
    pub bus_max_duty_minutes: u32,
    /// Maximum distance, metres, of a school from the nearest road of the
    /// network for the school to be used. Default 300.
    pub max_school_snap_m: f64,
}

impl Default for CohortParams {
    fn default() -> Self {
        CohortParams {
            boroughs: vec![
                "E09000007".to_string(),
                "E09000033".to_string(),
                "E09000001".to_string(),
            ],
            pupils_per_borough: 100,
            pupils_by_borough: Vec::new(),
            seed: 1,
            special_school_share: 0.60,
            cross_borough_share: 0.32,
            wheelchair_share: 0.07,
            tail_lift_share_of_wheelchair: 0.5,
            passenger_assistant_share: 0.35,
            travel_alone_share: 0.09,
            must_not_travel_share: 0.03,
            primary_share: 0.45,
            primary_max_ride_minutes: 45,
            secondary_max_ride_minutes: 75,
            single_session_share: 0.03,
            earliest_pickup_share: 0.05,
            fleet_slack: 1.3,
            shift_start: TimeOfDay::hm(6, 30),
            shift_end: TimeOfDay::hm(10, 30),
            pm_shift_start: TimeOfDay::hm(14, 0),
            pm_shift_end: TimeOfDay::hm(18, 0),
            taxi_fixed_cost_per_day: 60.0,
            taxi_cost_per_km: 1.60,
            taxi_cost_per_hour: 12.0,
            minibus_fixed_cost_per_day: 140.0,
            minibus_cost_per_km: 0.90,
            minibus_cost_per_hour: 22.0,
            wav_fixed_cost_per_day: 170.0,
            wav_cost_per_km: 1.00,
            wav_cost_per_hour: 24.0,
            assistant_cost_per_day: 90.0,
            taxi_max_duty_minutes: 150,
            bus_max_duty_minutes: 210,
            max_school_snap_m: 300.0,
        }
    }
}

impl CohortParams {
    /// Pupils to generate in the `i`-th borough of `boroughs`.
    pub fn pupils_in(&self, i: usize) -> u32 {
        self.pupils_by_borough
            .get(i)
            .copied()
            .unwrap_or(self.pupils_per_borough)
    }

    /// Checks every parameter, naming the first one out of range.
    pub fn validate(&self) -> Result<(), SynthError> {
        if self.boroughs.is_empty() {
            return Err(SynthError::NoBoroughs);
        }
        for (i, b) in self.boroughs.iter().enumerate() {
            if self.boroughs[..i].contains(b) {
                return Err(SynthError::DuplicateBorough { code: b.clone() });
            }
        }
        if self.pupils_by_borough.is_empty() && self.pupils_per_borough == 0 {
            return Err(SynthError::NoPupils);
        }
        if !self.pupils_by_borough.is_empty() {
            if self.pupils_by_borough.len() != self.boroughs.len() {
                return Err(SynthError::PupilsByBorough {
                    counts: self.pupils_by_borough.len(),
                    boroughs: self.boroughs.len(),
                });
            }
            if self.pupils_by_borough.iter().all(|&n| n == 0) {
                return Err(SynthError::NoPupils);
            }
        }
        for (field, value) in [
            ("special-school-share", self.special_school_share),
            ("cross-borough-share", self.cross_borough_share),
            ("wheelchair-share", self.wheelchair_share),
            (
                "tail-lift-share-of-wheelchair",
                self.tail_lift_share_of_wheelchair,
            ),
            ("passenger-assistant-share", self.passenger_assistant_share),
            ("travel-alone-share", self.travel_alone_share),
            ("must-not-travel-share", self.must_not_travel_share),
            ("primary-share", self.primary_share),
            ("single-session-share", self.single_session_share),
            ("earliest-pickup-share", self.earliest_pickup_share),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(SynthError::InvalidShare { field, value });
            }
        }
        if self.single_session_share > 0.5 {
            return Err(SynthError::InvalidParam {
                field: "single-session-share",
                value: self.single_session_share.to_string(),
                detail: "at most 0.5: the share is taken once for AM-only and once for PM-only"
                    .into(),
            });
        }
        if self.wheelchair_share > self.passenger_assistant_share {
            return Err(SynthError::InvalidParam {
                field: "passenger-assistant-share",
                value: self.passenger_assistant_share.to_string(),
                detail: format!(
                    "must be at least --wheelchair-share ({}): every wheelchair user has an assistant",
                    self.wheelchair_share
                ),
            });
        }
        for (field, value) in [
            ("primary-max-ride-minutes", self.primary_max_ride_minutes),
            (
                "secondary-max-ride-minutes",
                self.secondary_max_ride_minutes,
            ),
            ("taxi-max-duty-minutes", self.taxi_max_duty_minutes),
            ("bus-max-duty-minutes", self.bus_max_duty_minutes),
        ] {
            if value == 0 {
                return Err(SynthError::InvalidParam {
                    field,
                    value: "0".into(),
                    detail: "must be at least 1 minute".into(),
                });
            }
        }
        if !(self.fleet_slack.is_finite() && self.fleet_slack >= 1.0) {
            return Err(SynthError::InvalidParam {
                field: "fleet-slack",
                value: self.fleet_slack.to_string(),
                detail: "must be at least 1.0 (1.3 = 30 % spare vehicles)".into(),
            });
        }
        if self.shift_end <= self.shift_start {
            return Err(SynthError::InvalidParam {
                field: "shift-end",
                value: self.shift_end.to_string(),
                detail: format!("must be after --shift-start ({})", self.shift_start),
            });
        }
        if self.pm_shift_end <= self.pm_shift_start {
            return Err(SynthError::InvalidParam {
                field: "pm-shift-end",
                value: self.pm_shift_end.to_string(),
                detail: format!("must be after --pm-shift-start ({})", self.pm_shift_start),
            });
        }
        for (field, value) in [
            ("taxi-fixed-cost-per-day", self.taxi_fixed_cost_per_day),
            ("taxi-cost-per-km", self.taxi_cost_per_km),
            ("taxi-cost-per-hour", self.taxi_cost_per_hour),
            (
                "minibus-fixed-cost-per-day",
                self.minibus_fixed_cost_per_day,
            ),
            ("minibus-cost-per-km", self.minibus_cost_per_km),
            ("minibus-cost-per-hour", self.minibus_cost_per_hour),
            ("wav-fixed-cost-per-day", self.wav_fixed_cost_per_day),
            ("wav-cost-per-km", self.wav_cost_per_km),
            ("wav-cost-per-hour", self.wav_cost_per_hour),
            ("assistant-cost-per-day", self.assistant_cost_per_day),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(SynthError::InvalidParam {
                    field,
                    value: value.to_string(),
                    detail: "must be a non-negative amount of pounds".into(),
                });
            }
        }
        if !(self.max_school_snap_m.is_finite() && self.max_school_snap_m > 0.0) {
            return Err(SynthError::InvalidParam {
                field: "max-school-snap-m",
                value: self.max_school_snap_m.to_string(),
                detail: "must be a positive distance in metres".into(),
            });
        }
        Ok(())
    }
}
