//! Admission before decoding: a `SubmitJob` call that the queue or the
//! borough's quotas would refuse is answered RESOURCE_EXHAUSTED from its
//! headers alone, before its (up to `max_request_bytes`) body is read and
//! decoded. The authoritative check is repeated atomically when the job is
//! stored; this one only keeps refused calls cheap.
//!
//! The gate sits between the authentication interceptor (which has put the
//! caller's [`Caller`] in the request extensions) and the generated
//! service.

use crate::auth::Caller;
use crate::store::{JobStore, Quotas};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tonic::server::NamedService;
use tower_service::Service;

/// Wraps the routing service with the admission check of `SubmitJob`.
#[derive(Clone)]
pub struct AdmissionGate<S> {
    inner: S,
    store: Arc<dyn JobStore>,
    quotas: Quotas,
}

impl<S> AdmissionGate<S> {
    /// Gates `inner` with the quotas of `store`.
    pub fn new(inner: S, store: Arc<dyn JobStore>, quotas: Quotas) -> Self {
        AdmissionGate {
            inner,
            store,
            quotas,
        }
    }
}

impl<S: NamedService> NamedService for AdmissionGate<S> {
    const NAME: &'static str = S::NAME;
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> Service<http::Request<B>> for AdmissionGate<S>
where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let borough = req
            .uri()
            .path()
            .ends_with("/SubmitJob")
            .then(|| req.extensions().get::<Caller>().map(|c| c.borough.clone()))
            .flatten();
        let Some(borough) = borough else {
            return Box::pin(self.inner.call(req));
        };
        // The inner service was made ready by poll_ready: take it, leave a
        // clone for the next call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let (store, quotas) = (self.store.clone(), self.quotas);
        Box::pin(async move {
            match store.admission(&borough, quotas).await {
                Ok(Some(refusal)) => {
                    Ok(tonic::Status::resource_exhausted(refusal.to_string()).into_http())
                }
                // A store failure is reported by the handler's own call.
                Ok(None) | Err(_) => inner.call(req).await,
            }
        })
    }
}
