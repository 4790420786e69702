//! senroute roads (work in progress).
