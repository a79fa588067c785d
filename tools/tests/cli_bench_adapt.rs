//! `paprika bench-adapt` end to end on committed workloads: the report's files,
//! the printed summary, and a recording that `paprika replay` reproduces.

use std::process::{Command, Output};

fn paprika(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paprika")).args(args).output().expect("running paprika")
}

/// Index of `name` in a CSV header.
fn column(header: &str, name: &str) -> usize {
    header.split(',').position(|c| c == name).unwrap_or_else(|| panic!("no column {name} in {header}"))
}

#[test]
fn a_small_grid_writes_its_report_and_recordings() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("results");
    let out = out_dir.to_str().unwrap();
    let run = paprika(&[
        "bench-adapt",
        "--traces",
        "fixed:5M,Verizon-LTE-short",
        "--workloads",
        "typing,idle",
        "--policies",
        "adaptive,spice-like,static-glz",
        "--duration",
        "3",
        "--record",
        "-o",
        out,
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("12 runs (2 traces x 2 workloads x 3 policies"), "{stdout}");
    assert!(stdout.contains("target: adaptive beats every baseline on"), "{stdout}");

    let csv = std::fs::read_to_string(out_dir.join("runs.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 13, "header and 12 runs:\n{csv}");
    assert!(rows[0].starts_with("policy,trace,workload,"));
    let errors = column(rows[0], "client_errors");
    for r in &rows[1..] {
        let cols: Vec<&str> = r.split(',').collect();
        assert_eq!(cols.len(), rows[0].split(',').count(), "{r}");
        // Every update applied; no loss, no CoDel: nothing resent.
        assert_eq!(cols[errors], "0", "{r}");
        assert_eq!(cols[column(rows[0], "retransmissions")], "0", "{r}");
        assert_eq!(cols[column(rows[0], "codel_drops")], "0", "{r}");
        let bytes: u64 = cols[4].parse().unwrap();
        assert!(bytes > 1000, "{r}");
    }
    let md = std::fs::read_to_string(out_dir.join("summary.md")).unwrap();
    assert!(md.contains("fixed-5M") && md.contains("Verizon-LTE-short") && md.contains("typing"), "{md}");
    let plots = std::fs::read_dir(out_dir.join("plots")).unwrap().count();
    assert!(plots >= 8, "{plots} plot files");
    assert_eq!(std::fs::read_dir(out_dir.join("series")).unwrap().count(), 12);

    let rec = out_dir.join("recordings/Verizon-LTE-short__typing__adaptive.pprc");
    let replay = paprika(&["replay", "--quiet", rec.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&replay.stdout);
    assert!(replay.status.success(), "{text}\n{}", String::from_utf8_lossy(&replay.stderr));
    assert!(text.contains("every poll reproduced the recording exactly"), "{text}");
}

#[test]
fn loss_and_codel_runs_report_their_resends() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("results");
    let run = paprika(&[
        "bench-adapt",
        "--traces",
        "fixed:5M",
        "--workloads",
        "slideshow",
        "--policies",
        "adaptive,static-glz",
        "--duration",
        "3",
        "--loss",
        "0.01",
        "--codel",
        "--seed",
        "7",
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    let csv = std::fs::read_to_string(out_dir.join("runs.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "header and 2 runs:\n{csv}");
    assert!(rows[0].ends_with(",client_errors,retransmissions,codel_drops"), "{}", rows[0]);
    let (resent, codel, errors) =
        (column(rows[0], "retransmissions"), column(rows[0], "codel_drops"), column(rows[0], "client_errors"));
    for r in &rows[1..] {
        let cols: Vec<&str> = r.split(',').collect();
        assert_eq!(cols.len(), rows[0].split(',').count(), "{r}");
        assert_eq!(cols[errors], "0", "{r}");
        let resent: u64 = cols[resent].parse().unwrap();
        let codel: u64 = cols[codel].parse().unwrap();
        // 1% of several hundred segments are lost; CoDel drops are resends too.
        assert!(resent >= 1 && codel <= resent, "{r}");
    }
}

#[test]
fn bad_arguments_fail_with_a_message() {
    for (args, needle) in [
        (vec!["bench-adapt", "--policies", "nonsense", "--workloads", "idle"], "unknown policy"),
        (vec!["bench-adapt", "--workloads", "no-such-workload"], "no-such-workload"),
        (vec!["bench-adapt", "--traces", "no-such-trace", "--workloads", "idle"], "no-such-trace"),
        (vec!["bench-adapt", "--workloads", "idle", "--duration", "0"], "--duration"),
        (vec!["bench-adapt", "--workloads", "idle", "--loss", "2"], "--loss"),
        (vec!["bench-adapt", "--workloads", "idle", "--loss", "0.5"], "outside [0, 0.5)"),
        (vec!["bench-adapt", "--workloads", "idle", "--loss", "some"], "not a probability"),
    ] {
        let out = paprika(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}
