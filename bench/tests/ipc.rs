//! Every channel between two real processes: the echo is checked byte for
//! byte, the figures are positive and ordered, a dead peer is an error and
//! not a hang, and bad arguments are refused before anything starts.

use alpc_bench::ipc::{measure, measure_transfer, Channel, IpcError, IpcRun, SHM_MAX_PAYLOAD};
use std::process::Command;

fn peer() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alpc-ipc-peer"))
}

#[test]
fn every_channel_round_trips_and_streams() {
    for &channel in Channel::ALL {
        for payload in [1, 8, 128] {
            let run = IpcRun { channel, payload, round_trips: 200, stream_messages: 2000 };
            let f = measure(&mut peer(), run).unwrap_or_else(|e| panic!("{}: {e}", channel.name()));
            let rt = f.round_trip;
            assert_eq!(rt.samples, 200);
            assert!(rt.min > 0.0 && rt.min <= rt.median && rt.median <= rt.p99, "{}: {rt:?}", channel.name());
            assert!(f.one_way_per_s > 0.0);
        }
    }
}

#[test]
fn a_peer_that_dies_is_an_error() {
    // `false` exits at once: the channel sees end of file (or the ring's
    // deadline) and the measurement fails instead of hanging.
    // (A datagram socket has no end of file: it fails after PEER_TIMEOUT,
    // too long for a test.)
    for channel in [Channel::UnixStream, Channel::Pipe] {
        let run = IpcRun { channel, payload: 8, round_trips: 10, stream_messages: 10 };
        let err = measure(&mut Command::new("false"), run).unwrap_err();
        assert!(matches!(err, IpcError::Io { .. } | IpcError::TimedOut), "{}: {err}", channel.name());
    }
}

#[test]
fn bad_runs_are_refused() {
    let run = IpcRun { channel: Channel::ShmFutex, payload: SHM_MAX_PAYLOAD + 1, round_trips: 1, stream_messages: 1 };
    assert!(matches!(measure(&mut peer(), run), Err(IpcError::BadArgs(_))));
    let run = IpcRun { channel: Channel::Pipe, payload: 0, round_trips: 1, stream_messages: 1 };
    assert!(matches!(measure(&mut peer(), run), Err(IpcError::BadArgs(_))));
    // The peer refuses descriptors it did not inherit.
    let out = peer().args(["--channel", "pipe", "--fds", "100,101", "--payload", "8"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("inherited"));
}

#[test]
fn transfers_of_any_size_arrive_whole() {
    for bytes in [1, 4096, 3 << 20] {
        let st = measure_transfer(&mut peer(), bytes, 3).unwrap();
        assert_eq!(st.samples, 3);
        assert!(st.min > 0.0 && st.min <= st.median);
    }
    assert!(matches!(measure_transfer(&mut peer(), 0, 1), Err(IpcError::BadArgs(_))));
}
