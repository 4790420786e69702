//! senroute domain model (work in progress).
