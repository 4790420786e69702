//! senroute solver (work in progress).
