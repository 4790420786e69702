//! Live job events for `WatchJob`: one `tokio::sync::watch` channel per
//! job that is running or being watched. Watch channels keep only the latest
//! event, so a slow client never holds back a worker and never sees a backlog.
//! The durable state is always in the store; the hub only carries what
//! happens between two stored states (progress).

use crate::pb::v1 as pb;
use crate::store::Summary;
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::watch;

/// Something that happened to a job.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// A worker started attempt `attempt` (from 1).
    Started {
        /// Attempt number.
        attempt: u32,
    },
    /// The search improved or time passed.
    Progress(pb::Progress),
    /// The job succeeded.
    Finished(Summary),
    /// The job failed.
    Failed(String),
    /// The job was cancelled.
    Cancelled,
    /// The job went back to the queue (server shutting down).
    Requeued,
}

impl JobEvent {
    /// True for events after which the job changes no more.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            JobEvent::Finished(_) | JobEvent::Failed(_) | JobEvent::Cancelled
        )
    }
}

struct Entry {
    tx: watch::Sender<Option<JobEvent>>,
    progress: Option<pb::Progress>,
}

/// The channels of all live jobs.
#[derive(Default)]
pub struct Hub {
    jobs: Mutex<HashMap<String, Entry>>,
}

impl Hub {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Subscribes to the events of `job_id` (creating its channel).
    pub fn subscribe(&self, job_id: &str) -> watch::Receiver<Option<JobEvent>> {
        self.lock()
            .entry(job_id.to_string())
            .or_insert_with(|| Entry {
                tx: watch::channel(None).0,
                progress: None,
            })
            .tx
            .subscribe()
    }

    /// Publishes an event. A terminal event closes the channel: receivers
    /// still read it as the last value.
    pub fn publish(&self, job_id: &str, event: JobEvent) {
        let mut jobs = self.lock();
        let terminal = event.is_terminal();
        let entry = jobs.entry(job_id.to_string()).or_insert_with(|| Entry {
            tx: watch::channel(None).0,
            progress: None,
        });
        match &event {
            JobEvent::Progress(p) => entry.progress = Some(*p),
            JobEvent::Started { .. } | JobEvent::Requeued => entry.progress = None,
            _ => {}
        }
        entry.tx.send_replace(Some(event));
        if terminal {
            jobs.remove(job_id);
        }
    }

    /// The latest progress of a running job.
    pub fn progress(&self, job_id: &str) -> Option<pb::Progress> {
        self.lock().get(job_id).and_then(|e| e.progress)
    }

    /// Drops the channel of a job nobody runs or watches any more.
    pub fn forget_if_unwatched(&self, job_id: &str) {
        let mut jobs = self.lock();
        if jobs.get(job_id).is_some_and(|e| e.tx.receiver_count() == 0) {
            jobs.remove(job_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_subscribers_see_the_latest_event_and_terminal_events_close() {
        let hub = Hub::default();
        let rx = hub.subscribe("a");
        hub.publish("a", JobEvent::Started { attempt: 1 });
        let p = pb::Progress {
            best_cost: 10.0,
            ..Default::default()
        };
        hub.publish("a", JobEvent::Progress(p));
        assert_eq!(hub.progress("a"), Some(p));
        assert_eq!(*rx.borrow(), Some(JobEvent::Progress(p)));
        hub.publish("a", JobEvent::Cancelled);
        assert_eq!(*rx.borrow(), Some(JobEvent::Cancelled));
        assert!(rx.has_changed().is_err(), "sender dropped");
        assert_eq!(hub.progress("a"), None);
    }
}
