//! The `WatchJob` stream. Events come from two sources: the local [`Hub`]
//! (instant, for jobs this replica plans) and the store, polled every
//! `poll` (for jobs another replica plans: its state, attempt and stored
//! progress). A change seen by both is sent once.

use crate::convert::job_to_proto;
use crate::events::{Hub, JobEvent};
use crate::pb::v1 as pb;
use crate::store::{JobRecord, JobState, JobStore};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tonic::Status;

/// Converts a stored progress to its message.
pub fn progress_to_proto(p: &crate::store::Progress) -> pb::Progress {
    pb::Progress {
        best_cost: p.best_cost,
        vehicles: p.vehicles,
        unassigned: p.unassigned,
        elapsed_seconds: p.elapsed_s,
        iterations: p.iterations,
    }
}

/// What a watcher has already told its client.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    state: JobState,
    attempts: u32,
    iterations: Option<u64>,
}

fn seen(j: &JobRecord, progress: Option<&pb::Progress>) -> Seen {
    Seen {
        state: j.state,
        attempts: j.attempts,
        iterations: progress.map(|p| p.iterations),
    }
}

/// The latest progress of a running job: this replica's live one, or the
/// one stored by the replica running it.
pub fn live_progress(hub: &Hub, j: &JobRecord) -> Option<pb::Progress> {
    (j.state == JobState::Running)
        .then(|| {
            hub.progress(&j.id)
                .or_else(|| j.progress.as_ref().map(progress_to_proto))
        })
        .flatten()
}

/// Feeds `tx` with the events of `job` until it ends, the client leaves or
/// `shutdown` turns true. `rx` was subscribed before `job` was read.
pub async fn run(
    store: Arc<dyn JobStore>,
    hub: Arc<Hub>,
    job: JobRecord,
    rx: watch::Receiver<Option<JobEvent>>,
    tx: mpsc::Sender<Result<pb::WatchJobResponse, Status>>,
    shutdown: watch::Receiver<bool>,
    poll: Duration,
) {
    let id = job.id.clone();
    feed(store, hub.clone(), job, rx, tx, shutdown, poll).await;
    // The receiver is gone: drop the job's channel unless someone else
    // watches it or this replica runs it (a job planned by another replica
    // never gets a local terminal event that would remove it).
    hub.forget_if_unwatched(&id);
}

async fn feed(
    store: Arc<dyn JobStore>,
    hub: Arc<Hub>,
    job: JobRecord,
    mut rx: watch::Receiver<Option<JobEvent>>,
    tx: mpsc::Sender<Result<pb::WatchJobResponse, Status>>,
    mut shutdown: watch::Receiver<bool>,
    poll: Duration,
) {
    let id = job.id.clone();
    let reload = || async { store.get(&id).await.ok().flatten() };
    let position = || async { store.queue_position(&id).await.unwrap_or(0) };
    // First event: the stored state.
    let progress = live_progress(&hub, &job);
    let first = snapshot_event(&job, progress, position().await);
    if tx.send(Ok(first)).await.is_err() || job.state.is_terminal() {
        return;
    }
    let mut last = seen(&job, progress.as_ref());
    rx.mark_unchanged();
    let mut hub_open = true;
    loop {
        tokio::select! {
            c = rx.changed(), if hub_open => {
                if c.is_err() {
                    // Channel closed: the job ended here (or the hub forgot
                    // it); the store has the final word on the next poll.
                    hub_open = false;
                    if let Some(j) = reload().await {
                        if j.state.is_terminal() {
                            let _ = tx.send(Ok(snapshot_event(&j, None, 0))).await;
                            return;
                        }
                    }
                    continue;
                }
                let event = rx.borrow_and_update().clone();
                let Some(event) = event else { continue };
                let Some(j) = reload().await else { return };
                let pos = if matches!(event, JobEvent::Requeued) { position().await } else { 0 };
                let msg = event_message(&j, &event, pos);
                last = seen(&j, msg.job.as_ref().and_then(|m| m.progress.as_ref()));
                if tx.send(Ok(msg)).await.is_err() || event.is_terminal() {
                    return;
                }
            }
            _ = tokio::time::sleep(poll) => {
                let Some(j) = reload().await else { return };
                let progress = live_progress(&hub, &j);
                let now = seen(&j, progress.as_ref());
                if now == last {
                    continue;
                }
                let pos = if j.state == JobState::Queued { position().await } else { 0 };
                last = now;
                if tx.send(Ok(snapshot_event(&j, progress, pos))).await.is_err()
                    || j.state.is_terminal()
                {
                    return;
                }
            }
            _ = async { shutdown.wait_for(|stop| *stop).await.map(|_| ()) } => {
                let _ = tx
                    .send(Err(Status::unavailable(
                        "the server is shutting down; the job is kept: watch it again shortly",
                    )))
                    .await;
                return;
            }
        }
    }
}

/// The event describing a job's stored state.
pub fn snapshot_event(
    j: &JobRecord,
    progress: Option<pb::Progress>,
    position: u32,
) -> pb::WatchJobResponse {
    use pb::watch_job_response::Event;
    let event = match j.state {
        JobState::Queued => Event::Queued(pb::JobQueued { position }),
        JobState::Running => match progress {
            Some(p) => Event::Progress(p),
            None => Event::Started(pb::JobStarted {
                attempt: j.attempts,
            }),
        },
        JobState::Succeeded => Event::Finished(finished(j)),
        JobState::Failed => Event::Failed(pb::JobFailed {
            reason: j.failure_reason.clone(),
        }),
        JobState::Cancelled => Event::Cancelled(pb::JobCancelled {}),
    };
    pb::WatchJobResponse {
        job: Some(job_to_proto(j, progress)),
        event: Some(event),
    }
}

fn finished(j: &JobRecord) -> pb::JobFinished {
    let s = j.summary.unwrap_or_default();
    pb::JobFinished {
        cost: s.cost,
        vehicles: s.vehicles,
        unassigned: s.unassigned,
    }
}

fn event_message(j: &JobRecord, e: &JobEvent, position: u32) -> pb::WatchJobResponse {
    use pb::watch_job_response::Event;
    let (event, progress) = match e {
        JobEvent::Started { attempt } => {
            (Event::Started(pb::JobStarted { attempt: *attempt }), None)
        }
        JobEvent::Progress(p) => (Event::Progress(*p), Some(*p)),
        JobEvent::Finished(_) => (Event::Finished(finished(j)), None),
        JobEvent::Failed(reason) => (
            Event::Failed(pb::JobFailed {
                reason: reason.clone(),
            }),
            None,
        ),
        JobEvent::Cancelled => (Event::Cancelled(pb::JobCancelled {}), None),
        JobEvent::Requeued => (Event::Queued(pb::JobQueued { position }), None),
    };
    pb::WatchJobResponse {
        job: Some(job_to_proto(j, progress)),
        event: Some(event),
    }
}
