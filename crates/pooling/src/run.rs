//! Running the study: every coalition the split needs, solved once per
//! seed (in parallel or over the service), validated, made monotone over
//! its sub-coalitions' plans, then split and summarised over the seeds.

use crate::coalition::Coalition;
use crate::core::least_core;
use crate::game::{
    all_coalitions, core_violations, prefixes, proportional, random_orders, shapley_exact,
    shapley_sampled, ShapleyEstimate, ShapleyMethod, EXACT_SHAPLEY_MAX_PLAYERS,
};
use crate::solve::{CoalitionSolver, LocalSolver, SolveRequest};
use crate::stats::estimate;
use crate::study::{
    add, check_owners, outcome, restrict, time_budget, union, BoroughRow, CoalitionCost,
    CoreFinding, Outcome, PoolingReport, SeedRun, Study, StudyOptions,
};
use senroute_model::{validate, InputErrors, InputIssue, Plan, Problem, TravelTimes};
use std::collections::{BTreeSet, HashMap};

/// Why a study could not be run.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The problem is not a pooling problem.
    #[error("{0}")]
    Input(#[from] InputErrors),
    /// The solver failed, or no valid plan could be made.
    #[error("{0}")]
    Solver(String),
}

/// The most boroughs a study compares (London has 33).
pub const MAX_BOROUGHS: usize = 64;

/// Runs the study on `problem` (pupils and fleet of several boroughs) over
/// `travel` (covering every location of the problem), with the searches on
/// this machine, as many at once as the cores allow. `progress` receives a
/// line per coalition and run.
pub fn run_study(
    problem: &Problem,
    travel: &TravelTimes,
    options: &StudyOptions,
    progress: &dyn Fn(&str),
) -> Result<Study, InputErrors> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let solver = LocalSolver {
        jobs: (cores / options.threads.max(1)).max(1),
    };
    match run_study_with(problem, travel, options, progress, &solver) {
        Ok(s) => Ok(s),
        Err(StudyError::Input(e)) => Err(e),
        Err(StudyError::Solver(e)) => Err(InputIssue {
            source: "pooling".into(),
            line: None,
            field: None,
            value: None,
            message: e,
            hint: String::new(),
        }
        .into()),
    }
}

/// A coalition's plan in one run, with its cost.
#[derive(Debug, Clone)]
struct Costed {
    plan: Plan,
    score: f64,
    from_subs: bool,
}

/// [`run_study`] with the searches planned by `solver`, in two rounds:
/// first every borough alone (each seed), then every other coalition the
/// split needs, warm-started from the union of its members' own plans of
/// the same seed. Every plan is checked by `senroute_model::validate`
/// before its cost is used; a coalition's cost is the cheapest valid plan
/// among its own search and the unions of disjoint sub-coalitions' plans.
pub fn run_study_with(
    problem: &Problem,
    travel: &TravelTimes,
    options: &StudyOptions,
    progress: &dyn Fn(&str),
    solver: &dyn CoalitionSolver,
) -> Result<Study, StudyError> {
    let boroughs = check_owners(problem)?;
    let n = boroughs.len();
    if n > MAX_BOROUGHS {
        return Err(InputErrors::from(InputIssue {
            source: "pupils".into(),
            line: None,
            field: Some("borough".into()),
            value: None,
            message: format!("pooling compares at most {MAX_BOROUGHS} boroughs, found {n}"),
            hint: "run the study on a group of boroughs".into(),
        })
        .into());
    }
    let penalty = options.unassigned_penalty;
    let score = |p: &Plan| p.totals.cost + penalty * p.totals.unassigned as f64;
    let exact = n
        <= options
            .exact_shapley_max_boroughs
            .min(EXACT_SHAPLEY_MAX_PLAYERS);
    let seeds: Vec<u64> = if options.seeds.is_empty() {
        vec![1]
    } else {
        options.seeds.clone()
    };
    let order_seed = seeds[0];
    let orders = if exact {
        vec![]
    } else {
        random_orders(n, options.shapley_permutations.max(2), order_seed)
    };
    // Every coalition the study looks at, smallest first.
    let mut needed: Vec<Coalition> = if exact {
        all_coalitions(n).map_err(|e| StudyError::Solver(e.to_string()))?
    } else {
        let mut v = prefixes(&orders);
        v.extend((0..n).map(Coalition::single));
        v.push(Coalition::grand(n));
        v
    };
    needed.sort();
    needed.dedup();
    let names = |s: &Coalition| -> Vec<String> {
        s.members().iter().map(|&i| boroughs[i].clone()).collect()
    };
    let subs: HashMap<Coalition, Problem> = needed
        .iter()
        .map(|s| {
            let set: BTreeSet<&str> = s.members().iter().map(|&i| boroughs[i].as_str()).collect();
            (s.clone(), restrict(problem, &set))
        })
        .collect();
    let request = |s: &Coalition, seed: u64, initial: Option<Plan>| {
        let sub = &subs[s];
        let pupils = sub.travelling_pupils().count().max(1) as f64;
        SolveRequest {
            boroughs: names(s),
            problem: sub.clone(),
            time_limit: options
                .iterations_per_pupil
                .is_none()
                .then(|| time_budget(options.seconds_per_pupil, pupils)),
            iteration_limit: options
                .iterations_per_pupil
                .map(|i| i.saturating_mul(pupils as u64)),
            seed,
            threads: options.threads.max(1),
            initial,
        }
    };
    let check = |s: &Coalition, plan: &Plan| -> Result<(), String> {
        match validate(&subs[s], travel, plan).first() {
            None => Ok(()),
            Some(v) => Err(format!("{} ({:?})", v.message, v.rule)),
        }
    };
    let solve = |reqs: &[SolveRequest]| -> Result<Vec<Plan>, StudyError> {
        let plans = solver.solve(reqs, travel).map_err(StudyError::Solver)?;
        if plans.len() != reqs.len() {
            return Err(StudyError::Solver(format!(
                "{} plans for {} searches",
                plans.len(),
                reqs.len()
            )));
        }
        Ok(plans)
    };

    // Round 1: each borough alone, every seed.
    let singles: Vec<Coalition> = (0..n).map(Coalition::single).collect();
    let mut reqs = Vec::new();
    for &seed in &seeds {
        for s in &singles {
            reqs.push(request(s, seed, None));
        }
    }
    let mut games: Vec<HashMap<Coalition, Costed>> = vec![HashMap::new(); seeds.len()];
    for (k, plan) in solve(&reqs)?.into_iter().enumerate() {
        let (run, s) = (k / n, &singles[k % n]);
        check(s, &plan).map_err(|e| {
            StudyError::Solver(format!(
                "the plan found for {} alone (seed {}) breaks a rule: {e}",
                boroughs[s.members()[0]],
                seeds[run]
            ))
        })?;
        progress(&format!(
            "{} alone, seed {}: £{:.2}/day, {} vehicles, {} unassigned",
            boroughs[s.members()[0]],
            seeds[run],
            plan.totals.cost,
            plan.totals.vehicles,
            plan.totals.unassigned
        ));
        let sc = score(&plan);
        games[run].insert(
            s.clone(),
            Costed {
                plan,
                score: sc,
                from_subs: false,
            },
        );
    }

    // Round 2: every larger coalition, warm-started from its members' plans.
    let larger: Vec<&Coalition> = needed.iter().filter(|s| s.len() > 1).collect();
    let mut reqs = Vec::new();
    let mut starts = Vec::new();
    for (run, &seed) in seeds.iter().enumerate() {
        for s in &larger {
            let parts: Vec<&Plan> = s
                .members()
                .iter()
                .map(|&i| &games[run][&Coalition::single(i)].plan)
                .collect();
            let start = union(problem.session, &parts);
            // A union of disjoint boroughs' plans, each with its own fleet,
            // is a plan for the coalition: checked, not assumed.
            let start = check(s, &start).is_ok().then_some(start);
            reqs.push(request(
                s,
                seed,
                start.clone().filter(|_| options.warm_start),
            ));
            starts.push(start);
        }
    }
    let mut rejected = 0usize;
    let mut searched = solve(&reqs)?.into_iter().zip(starts);
    for (run, game) in games.iter_mut().enumerate() {
        for s in &larger {
            let (found, start) = searched.next().expect("one plan per request");
            let mut best: Option<Costed> = match check(s, &found) {
                Ok(()) => Some(Costed {
                    score: score(&found),
                    plan: found,
                    from_subs: false,
                }),
                Err(e) => {
                    rejected += 1;
                    progress(&format!(
                        "{} seed {}: search plan set aside, it breaks a rule: {e}",
                        names(s).join("+"),
                        seeds[run]
                    ));
                    None
                }
            };
            if let Some(start) = start {
                let sc = score(&start);
                if best.as_ref().is_none_or(|b| sc < b.score - 1e-9) {
                    best = Some(Costed {
                        plan: start,
                        score: sc,
                        from_subs: true,
                    });
                }
            }
            // Unions of a costed sub-coalition with the rest (costed as a
            // coalition, or borough by borough), cheapest first.
            let mut candidates: Vec<(f64, Coalition, Coalition)> = game
                .iter()
                .filter(|(t, _)| t.len() < s.len() && t.is_subset(s))
                .map(|(t, c)| {
                    let rest = s.minus(t);
                    let rest_cost = game.get(&rest).map_or_else(
                        || {
                            rest.members()
                                .iter()
                                .map(|&i| game[&Coalition::single(i)].score)
                                .sum()
                        },
                        |r| r.score,
                    );
                    (c.score + rest_cost, t.clone(), rest)
                })
                .collect();
            candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (cost, t, rest) in candidates.into_iter().take(3) {
                if best.as_ref().is_some_and(|b| b.score <= cost + 1e-9) {
                    break;
                }
                let rest_plans: Vec<&Plan> = match game.get(&rest) {
                    Some(r) => vec![&r.plan],
                    None => rest
                        .members()
                        .iter()
                        .map(|&i| &game[&Coalition::single(i)].plan)
                        .collect(),
                };
                let mut parts = vec![&game[&t].plan];
                parts.extend(rest_plans);
                let joined = union(problem.session, &parts);
                if check(s, &joined).is_ok() {
                    best = Some(Costed {
                        score: score(&joined),
                        plan: joined,
                        from_subs: true,
                    });
                    break;
                }
            }
            let best = best.ok_or_else(|| {
                StudyError::Solver(format!(
                    "no valid plan for {} (seed {})",
                    names(s).join("+"),
                    seeds[run]
                ))
            })?;
            progress(&format!(
                "{}, seed {}: £{:.2}/day, {} vehicles, {} unassigned{}",
                names(s).join("+"),
                seeds[run],
                best.plan.totals.cost,
                best.plan.totals.vehicles,
                best.plan.totals.unassigned,
                if best.from_subs {
                    " (from sub-coalitions' plans)"
                } else {
                    ""
                }
            ));
            game.insert((*s).clone(), best);
        }
    }
    summarise(
        problem, options, &boroughs, &needed, &seeds, &orders, exact, games, rejected,
    )
}

/// The Shapley value of one game (costs by coalition).
fn shapley_of(
    n: usize,
    exact: bool,
    orders: &[Vec<usize>],
    cost: &dyn Fn(&Coalition) -> f64,
) -> Result<ShapleyEstimate, StudyError> {
    let r = if exact {
        shapley_exact(n, &mut |s| cost(s))
    } else {
        shapley_sampled(n, orders, &mut |s| cost(s))
    };
    r.map_err(|e| StudyError::Solver(e.to_string()))
}

#[allow(clippy::too_many_arguments)]
fn summarise(
    problem: &Problem,
    options: &StudyOptions,
    boroughs: &[String],
    needed: &[Coalition],
    seeds: &[u64],
    orders: &[Vec<usize>],
    exact: bool,
    games: Vec<HashMap<Coalition, Costed>>,
    rejected: usize,
) -> Result<Study, StudyError> {
    let n = boroughs.len();
    let grand = Coalition::grand(n);
    let runs = seeds.len() as f64;
    let boot_seed = seeds[0] ^ 0x5eed_b007;
    // Per run: alone costs, pooled cost, Shapley shares.
    let mut per_run_shapley = Vec::new();
    let mut seed_runs = Vec::new();
    for (k, game) in games.iter().enumerate() {
        let phi = shapley_of(n, exact, orders, &|s| game[s].score)?;
        per_run_shapley.push(phi.value);
        let alone: f64 = (0..n).map(|i| game[&Coalition::single(i)].score).sum();
        seed_runs.push(SeedRun {
            seed: seeds[k],
            alone,
            pooled: game[&grand].score,
            vehicles_alone: (0..n)
                .map(|i| game[&Coalition::single(i)].plan.totals.vehicles)
                .sum(),
            vehicles_pooled: game[&grand].plan.totals.vehicles,
        });
    }
    // The mean game over the runs.
    let mean: HashMap<&Coalition, f64> = needed
        .iter()
        .map(|s| (s, games.iter().map(|g| g[s].score).sum::<f64>() / runs))
        .collect();
    let mean_shapley = shapley_of(n, exact, orders, &|s| mean[s])?;
    let alone_mean: Vec<f64> = (0..n).map(|i| mean[&Coalition::single(i)]).collect();
    let prop = proportional(mean[&grand], &alone_mean);
    let mut table: Vec<(Coalition, f64)> = needed.iter().map(|s| (s.clone(), mean[s])).collect();
    table.sort_by(|a, b| a.0.cmp(&b.0));
    let lc = least_core(mean[&grand], &table, &mean_shapley.value).map_err(StudyError::Solver)?;

    // The published run: the cheapest pooled plan.
    let best = (0..games.len())
        .min_by(|&a, &b| games[a][&grand].score.total_cmp(&games[b][&grand].score))
        .expect("at least one run");
    let pooled = games[best][&grand].plan.clone();
    let mut rows = Vec::new();
    let mut alone_total = Outcome::default();
    let mut alone = Vec::new();
    for (i, b) in boroughs.iter().enumerate() {
        let set: BTreeSet<&str> = [b.as_str()].into();
        let sub = restrict(problem, &set);
        let plan_b = &games[best][&Coalition::single(i)].plan;
        let a = outcome(&sub, plan_b, &options.co2, None);
        add(&mut alone_total, &a);
        let ids: BTreeSet<&str> = sub.pupils.iter().map(|p| p.id.as_str()).collect();
        let pooled_b = outcome(problem, &pooled, &options.co2, Some(&ids));
        let own: Vec<f64> = games
            .iter()
            .map(|g| g[&Coalition::single(i)].score)
            .collect();
        let shares: Vec<f64> = per_run_shapley.iter().map(|phi| phi[i]).collect();
        let savings: Vec<f64> = own.iter().zip(&shares).map(|(a, s)| a - s).collect();
        let alone_cost = estimate(&own, boot_seed.wrapping_add(3 * i as u64));
        let saving = estimate(&savings, boot_seed.wrapping_add(3 * i as u64 + 1));
        rows.push(BoroughRow {
            borough: b.clone(),
            name: b.clone(),
            alone: a,
            pooled: pooled_b,
            alone_cost,
            shapley: estimate(&shares, boot_seed.wrapping_add(3 * i as u64 + 2)),
            shapley_sampling_error: mean_shapley.std_error[i],
            proportional_share: prop[i],
            least_core_share: lc.allocation[i],
            saving_pct: if alone_cost.mean > 0.0 {
                100.0 * saving.mean / alone_cost.mean
            } else {
                0.0
            },
            saving,
        });
        alone.push((b.clone(), sub, plan_b.clone()));
    }
    let alone_runs: Vec<f64> = seed_runs.iter().map(|r| r.alone).collect();
    let pooled_runs: Vec<f64> = seed_runs.iter().map(|r| r.pooled).collect();
    let saving_runs: Vec<f64> = seed_runs.iter().map(|r| r.alone - r.pooled).collect();
    let pct_runs: Vec<f64> = seed_runs
        .iter()
        .map(|r| {
            if r.alone > 0.0 {
                100.0 * (r.alone - r.pooled) / r.alone
            } else {
                0.0
            }
        })
        .collect();
    let proper: Vec<(Coalition, f64)> =
        table.iter().filter(|(s, _)| s.len() < n).cloned().collect();
    let report = PoolingReport {
        version: env!("CARGO_PKG_VERSION").to_string(),
        session: problem.session,
        options: options.clone(),
        inputs: vec![],
        boroughs: rows,
        pooled_total: outcome(problem, &pooled, &options.co2, None),
        alone_total,
        published_seed: seeds[best],
        runs: seed_runs,
        alone_cost: estimate(&alone_runs, boot_seed ^ 1),
        pooled_cost: estimate(&pooled_runs, boot_seed ^ 2),
        saving: estimate(&saving_runs, boot_seed ^ 3),
        saving_pct: estimate(&pct_runs, boot_seed ^ 4),
        shapley_method: if exact {
            ShapleyMethod::Exact
        } else {
            ShapleyMethod::Sampled {
                permutations: orders.len(),
                seed: seeds[0],
            }
        },
        coalitions: table
            .iter()
            .map(|(s, c)| CoalitionCost {
                boroughs: s.members().iter().map(|&i| boroughs[i].clone()).collect(),
                cost: *c,
                from_sub_coalitions: games.iter().filter(|g| g[s].from_subs).count(),
            })
            .collect(),
        core: CoreFinding {
            empty: lc.epsilon > 0.01,
            epsilon: lc.epsilon,
            coalitions_checked: table.len(),
            complete: exact,
        },
        proportional_core_violations: core_violations(&prop, &proper, 0.01),
        shapley_core_violations: core_violations(&mean_shapley.value, &proper, 0.01),
        rejected_plans: rejected,
        budget_curve: Vec::new(),
    };
    Ok(Study {
        report,
        alone,
        pooled,
    })
}
