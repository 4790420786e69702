#!/usr/bin/env python3
"""End-to-end check of a running senroute gRPC service from Python.

Usage:
    python tests/service_client.py --address 127.0.0.1:50051 --key srk_... \
        --borough E09000007 --stubs /tmp/stubs

`--stubs` is a directory of modules generated from proto/ with
`python -m grpc_tools.protoc` (crates/service/ci.sh does this); this script
generates nothing itself. It submits the bundled example problem
(data/example/*.csv, schools in British National Grid metres as published),
streams progress, fetches the plan and checks its shape: every pupil who
travels in the session is placed or unassigned with a reason, exactly once;
stops run in time order; rides respect their maximum; pupils of other
boroughs are redacted. It also checks CheckPlan (a plan as GetPlan gave it
is valid, the same plan with a time edited by hand answers a timing
violation, an unknown pupil is INVALID_ARGUMENT with the field path), the
error contract (UNAUTHENTICATED, INVALID_ARGUMENT with a field path,
NOT_FOUND for unknown jobs) and that server reflection describes the API to grpcio-reflection's client (v1alpha;
grpcio-reflection is optional and only needed for that check).

Prints 'service_client: N passed, N failed' and exits non-zero on failure.
"""

import argparse
import csv
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--address", required=True, help="host:port of the server")
    ap.add_argument("--key", required=True, help="borough API key")
    ap.add_argument("--borough", required=True, help="GSS code the key belongs to")
    ap.add_argument("--stubs", required=True, help="directory of generated stubs")
    ap.add_argument("--data", default=os.path.join(ROOT, "data", "example"))
    ap.add_argument("--time-limit", type=float, default=2.0, help="search seconds")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the plan")
    ap.add_argument("--tls-ca", help="PEM CA certificate: connect with TLS")
    return ap.parse_args()


ARGS = parse_args()
sys.path.insert(0, ARGS.stubs)

import grpc  # noqa: E402
from senroute.v1 import problem_pb2, routing_service_pb2, routing_service_pb2_grpc  # noqa: E402
from senroute.v1 import plan_pb2  # noqa: E402

YES = {"yes", "y", "true", "1"}


def rows(name):
    with open(os.path.join(ARGS.data, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def window(open_, close):
    return problem_pb2.TimeWindow(open=open_, close=close)


PHASES = {
    "": problem_pb2.PHASE_UNSPECIFIED,
    "primary": problem_pb2.PHASE_PRIMARY,
    "secondary": problem_pb2.PHASE_SECONDARY,
    "all-through": problem_pb2.PHASE_ALL_THROUGH,
}
SESSIONS = {
    "am": problem_pb2.TRAVEL_SESSIONS_AM,
    "pm": problem_pb2.TRAVEL_SESSIONS_PM,
    "both": problem_pb2.TRAVEL_SESSIONS_BOTH,
    "": problem_pb2.TRAVEL_SESSIONS_BOTH,
}


def example_problem():
    """The example CSVs mapped onto senroute.v1.Problem (AM session)."""
    p = problem_pb2.Problem(session=problem_pb2.SESSION_AM)
    for r in rows("pupils.csv"):
        needs = problem_pb2.Needs(
            wheelchair=r["wheelchair"].lower() in YES,
            tail_lift=r["tail_lift"].lower() in YES,
            passenger_assistant=r["passenger_assistant"].lower() in YES,
            travel_alone=r["travel_alone"].lower() in YES,
            must_not_travel_with=[x for x in r["must_not_travel_with"].split(";") if x],
            extra_boarding_minutes=int(r["extra_boarding_minutes"] or 0),
            earliest_pickup=r["earliest_pickup"],
        )
        if r["max_ride_minutes"]:
            needs.max_ride_minutes = int(r["max_ride_minutes"])
        p.pupils.append(
            problem_pb2.Pupil(
                id=r["id"],
                home=problem_pb2.Location(lat=float(r["home_lat"]), lon=float(r["home_lon"])),
                school=r["school"],
                sessions=SESSIONS[r["sessions"].lower()],
                borough=r["borough"],
                phase=PHASES[r["phase"].lower()],
                needs=needs,
            )
        )
    for r in rows("schools.csv"):
        p.schools.append(
            problem_pb2.School(
                id=r["id"],
                name=r["name"],
                location=problem_pb2.Location(
                    easting=float(r["easting"]), northing=float(r["northing"])
                ),
                borough=r["borough"],
                phase=PHASES[r["phase"].lower()],
                am_arrival=window(r["am_arrival_open"], r["am_arrival_close"]),
                pm_departure=window(r["pm_departure_open"], r["pm_departure_close"]),
                dwell_minutes=int(r["dwell_minutes"]),
            )
        )
    for r in rows("fleet.csv"):
        p.fleet.append(
            problem_pb2.VehicleType(
                id=r["id"],
                count=int(r["count"]),
                depot=problem_pb2.Location(lat=float(r["depot_lat"]), lon=float(r["depot_lon"])),
                seats=int(r["seats"]),
                wheelchair_spaces=int(r["wheelchair_spaces"]),
                seats_per_wheelchair_space=int(r["seats_per_wheelchair_space"]),
                tail_lift=r["tail_lift"].lower() in YES,
                passenger_assistant=r["passenger_assistant"].lower() in YES,
                fixed_cost_per_day=float(r["fixed_cost_per_day"]),
                cost_per_km=float(r["cost_per_km"]),
                cost_per_hour=float(r["cost_per_hour"]),
                assistant_cost_per_day=float(r["assistant_cost_per_day"]),
                max_duty_minutes=int(r["max_duty_minutes"]),
                shift=window(r["shift_start"], r["shift_end"]),
                borough=r["borough"],
            )
        )
    p.settings.time_limit_seconds = ARGS.time_limit
    p.settings.seed = 7
    return p


RESULTS = []


def check(name, fn):
    try:
        fn()
        RESULTS.append((name, None))
        print(f"ok   {name}")
    except Exception as e:  # noqa: BLE001 - report every failure and go on
        RESULTS.append((name, e))
        print(f"FAIL {name}: {type(e).__name__}: {e}")


def main():
    if ARGS.tls_ca:
        with open(ARGS.tls_ca, "rb") as f:
            channel = grpc.secure_channel(ARGS.address, grpc.ssl_channel_credentials(f.read()))
    else:
        channel = grpc.insecure_channel(ARGS.address)
    grpc.channel_ready_future(channel).result(timeout=30)
    stub = routing_service_pb2_grpc.RoutingServiceStub(channel)
    auth = [("authorization", f"Bearer {ARGS.key}")]
    problem = example_problem()
    travelling = [p for p in problem.pupils if p.sessions != problem_pb2.TRAVEL_SESSIONS_PM]
    own = {p.id for p in travelling if (p.borough or ARGS.borough) == ARGS.borough}
    state = {}

    def submit_watch_plan():
        job = stub.SubmitJob(
            routing_service_pb2.SubmitJobRequest(problem=problem, label="python client"),
            metadata=auth,
            timeout=30,
        ).job
        assert job.job_id, "no job id"
        assert job.pupils == len(travelling), (job.pupils, len(travelling))
        assert ARGS.borough in job.participant_boroughs
        started = time.monotonic()
        kinds = []
        for ev in stub.WatchJob(
            routing_service_pb2.WatchJobRequest(job_id=job.job_id),
            metadata=auth,
            timeout=ARGS.timeout,
        ):
            kind = ev.WhichOneof("event")
            kinds.append(kind)
            if kind == "progress":
                pr = ev.progress
                print(
                    f"     progress {pr.elapsed_seconds:5.1f}s best {pr.best_cost:9.2f} "
                    f"vehicles {pr.vehicles} unassigned {pr.unassigned}"
                )
            elif kind == "failed":
                raise AssertionError(f"job failed: {ev.failed.reason}")
        assert kinds[-1] == "finished", kinds
        print(f"     finished in {time.monotonic() - started:.1f}s, events {kinds[:3]}...")
        resp = stub.GetPlan(
            routing_service_pb2.GetPlanRequest(job_id=job.job_id), metadata=auth, timeout=30
        )
        state["plan"], state["resp"], state["job"] = resp.plan, resp, job

    def plan_shape():
        plan, resp = state["plan"], state["resp"]
        seen = []
        for r in plan.rides:
            seen.append(r.pupil)
            assert 0 <= r.route < len(plan.routes), r
            assert r.ride_s <= r.max_ride_s + 1e-6, r
            assert r.pickup_s <= r.drop_s, r
        for u in plan.unassigned:
            seen.append(u.pupil)
            assert u.reason != plan_pb2.UNASSIGNED_REASON_UNSPECIFIED, u
            assert u.detail, f"{u.pupil} unassigned without a reason"
        assert len(seen) == len(set(seen)), "a pupil appears twice"
        assert len(seen) == len(travelling), (len(seen), len(travelling))
        shown = {s for s in seen if not s.startswith("x-")}
        assert shown == own, (shown, own)
        assert resp.redacted == len(travelling) - len(own), resp.redacted
        for route in plan.routes:
            stops = route.stops
            assert stops[0].kind == plan_pb2.STOP_KIND_DEPOT and stops[-1].kind == plan_pb2.STOP_KIND_DEPOT
            for a, b in zip(stops, stops[1:]):
                assert a.departure_s <= b.arrival_s + 1e-6, "stops out of time order"
            for s in stops:
                assert s.arrival_s <= s.service_start_s + 1e-6 <= s.departure_s + 2e-6
                hidden = s.location_key.WhichOneof("kind") == "home" and s.location_key.home.startswith("x-")
                assert s.HasField("location") != hidden, "redacted homes carry no coordinates"
        t = plan.totals
        assert t.vehicles == len(plan.routes) and t.assigned == len(plan.rides)
        print(
            f"     plan: {t.vehicles} vehicles, £{t.cost:.2f}, {t.assigned} placed, "
            f"{t.unassigned} unassigned, {resp.redacted} redacted"
        )

    def listed():
        jobs = stub.ListJobs(routing_service_pb2.ListJobsRequest(), metadata=auth, timeout=30).jobs
        assert state["job"].job_id in [j.job_id for j in jobs]

    def unauthenticated():
        for md in ([], [("authorization", "Bearer srk_wrong")]):
            try:
                stub.ListJobs(routing_service_pb2.ListJobsRequest(), metadata=md, timeout=30)
            except grpc.RpcError as e:
                assert e.code() == grpc.StatusCode.UNAUTHENTICATED, e.code()
            else:
                raise AssertionError("accepted without a valid key")

    def invalid_argument():
        bad = problem_pb2.Problem()
        bad.CopyFrom(problem)
        bad.pupils[2].school = "NO-SUCH-SCHOOL"
        try:
            stub.SubmitJob(
                routing_service_pb2.SubmitJobRequest(problem=bad), metadata=auth, timeout=30
            )
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, e.code()
            assert "problem.pupils[2].school" in e.details(), e.details()
            # The google.rpc.Status with the BadRequest detail travels in
            # the trailing metadata.
            keys = [k for k, _ in (e.trailing_metadata() or [])]
            assert "grpc-status-details-bin" in keys, keys
        else:
            raise AssertionError("invalid problem accepted")

    def not_found():
        try:
            stub.GetJob(
                routing_service_pb2.GetJobRequest(job_id="job_000000000000000000000000"),
                metadata=auth,
                timeout=30,
            )
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.NOT_FOUND, e.code()
        else:
            raise AssertionError("unknown job found")

    def reflection():
        # grpcio-reflection's client speaks v1alpha; buf curl (ci.sh) v1.
        from google.protobuf.descriptor_pool import DescriptorPool
        from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
            ProtoReflectionDescriptorDatabase,
        )

        db = ProtoReflectionDescriptorDatabase(channel)
        services = set(db.get_services())
        assert "senroute.v1.RoutingService" in services, services
        assert "grpc.health.v1.Health" in services, services
        svc = DescriptorPool(db).FindServiceByName("senroute.v1.RoutingService")
        methods = {m.name for m in svc.methods}
        assert {"SubmitJob", "WatchJob", "GetPlan", "CancelJob", "ListJobs", "CheckPlan"} <= methods, methods

    def check_plan():
        # The caller's own problem (every pupil of its borough, so nothing
        # is redacted), planned, then checked as GetPlan gave it and after
        # a hand edit.
        own_problem = problem_pb2.Problem()
        own_problem.CopyFrom(problem)
        for p in own_problem.pupils:
            p.borough = ARGS.borough
        job = stub.SubmitJob(
            routing_service_pb2.SubmitJobRequest(problem=own_problem, label="to check"),
            metadata=auth,
            timeout=30,
        ).job
        for ev in stub.WatchJob(
            routing_service_pb2.WatchJobRequest(job_id=job.job_id), metadata=auth, timeout=ARGS.timeout
        ):
            pass
        plan = stub.GetPlan(
            routing_service_pb2.GetPlanRequest(job_id=job.job_id), metadata=auth, timeout=30
        ).plan
        ok = stub.CheckPlan(
            routing_service_pb2.CheckPlanRequest(problem=own_problem, plan=plan),
            metadata=auth,
            timeout=120,
        )
        assert ok.valid and not ok.violations, ok
        assert ok.runs == len(plan.routes), (ok.runs, len(plan.routes))
        edited = plan_pb2.Plan()
        edited.CopyFrom(plan)
        stop = edited.routes[0].stops[1]
        stop.arrival_s -= 600
        stop.service_start_s -= 600
        stop.departure_s -= 600
        broken = stub.CheckPlan(
            routing_service_pb2.CheckPlanRequest(problem=own_problem, plan=edited),
            metadata=auth,
            timeout=120,
        )
        assert not broken.valid
        timing = [v for v in broken.violations if v.rule == routing_service_pb2.RULE_TIMING]
        assert timing and timing[0].route == 0 and timing[0].fix, broken.violations
        assert timing[0].unit == routing_service_pb2.AMOUNT_UNIT_SECONDS, timing[0]
        # Retimed from the order, the edit is harmless.
        again = stub.CheckPlan(
            routing_service_pb2.CheckPlanRequest(problem=own_problem, plan=edited, retime=True),
            metadata=auth,
            timeout=120,
        )
        assert again.valid, again.violations
        edited.routes[0].stops[1].pupils[0] = "NO-SUCH-PUPIL"
        try:
            stub.CheckPlan(
                routing_service_pb2.CheckPlanRequest(problem=own_problem, plan=edited),
                metadata=auth,
                timeout=120,
            )
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, e.code()
            assert "plan.routes[0].stops[1].pupils[0]" in e.details(), e.details()
        else:
            raise AssertionError("a plan naming an unknown pupil was accepted")
        print(f"     check: valid £{ok.cost:.2f}; edited: {len(broken.violations)} violation(s)")

    check("submit, watch and fetch the plan", submit_watch_plan)
    if "plan" in state:
        check("plan shape and redaction", plan_shape)
        check("job is listed", listed)
    check("missing or wrong key is UNAUTHENTICATED", unauthenticated)
    check("invalid problem is INVALID_ARGUMENT with a field path", invalid_argument)
    check("unknown job is NOT_FOUND", not_found)
    check("server reflection (v1alpha) describes the API", reflection)
    check("CheckPlan: valid, hand-broken, unreadable", check_plan)
    failed = sum(1 for _, e in RESULTS if e is not None)
    print(f"service_client: {len(RESULTS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
