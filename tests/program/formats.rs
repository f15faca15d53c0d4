//! Network and data file formats: round trips, generators and error reports.

use lwl_kernel::graph::NodeKind;
use lwl_runners::formats::datafile::{LabeledData, read_labeled, read_text_file, read_unlabeled, write_labeled};
use lwl_runners::formats::netfile::{NetFormat, NetSpec};

const NET_13_8_2: &str = include_str!("data/net_13_8_2.txt");

#[test]
fn reference_net_round_trips_byte_for_byte() {
    let spec = NetSpec::parse(NET_13_8_2, "net_13_8_2.txt").expect("reference file parses");
    assert_eq!(spec.format, NetFormat::Classifier);
    assert_eq!(spec.header(), [13, 8, 2]);
    assert_eq!(spec.edges(), 120);
    assert_eq!(spec.to_text(), NET_13_8_2);
}

#[test]
fn generated_13_8_2_equals_reference() {
    let spec = NetSpec::layered(&[13, 8, 2]).expect("valid sizes");
    assert_eq!(spec.to_text(), NET_13_8_2);
    let net = spec.net().expect("kernel accepts");
    // Edge numbering of the reference README: node 13 + h owns 13h..13h+12,
    // class node 21 + c owns 104 + 8c..104 + 8c + 7.
    assert_eq!(net.in_edges(15), 26..39);
    assert_eq!(net.in_edges(22), 112..120);
    assert_eq!(net.outdeg(0), 8);
    assert_eq!(net.outdeg(13), 2);
}

#[test]
fn layered_13_26_26_2() {
    let spec = NetSpec::layered(&[13, 26, 26, 2]).expect("valid sizes");
    let text = spec.to_text();
    assert_eq!(text.lines().next(), Some("13 52 2"));
    assert_eq!(spec.edges(), 13 * 26 + 26 * 26 + 26 * 2);
    assert_eq!(spec.count(NodeKind::Input), 13);
    assert_eq!(spec.count(NodeKind::Class), 2);
    assert!(!spec.is_cyclic());
    assert_eq!(NetSpec::parse(&text, "gen").expect("own output parses"), spec);
}

#[test]
fn autoencoder_8_3_8() {
    let spec = NetSpec::autoencoder(8, &[], 3, &[]).expect("valid sizes");
    let text = spec.to_text();
    assert_eq!(text.lines().next(), Some("8 0 3 0"));
    let net = spec.net().expect("kernel accepts");
    assert_eq!(net.nodes(), 11);
    assert_eq!(net.edges(), 8 * 3 + 3 * 8);
    for i in 0..8 {
        assert_eq!(net.kind(i), NodeKind::Data);
        let sources: Vec<usize> = net.in_edges(i).map(|e| net.src(e)).collect();
        assert_eq!(sources, [8, 9, 10], "data node {i} reads the code nodes");
    }
    for c in 8..11 {
        assert_eq!(net.kind(c), NodeKind::Code);
        let sources: Vec<usize> = net.in_edges(c).map(|e| net.src(e)).collect();
        assert_eq!(sources, (0..8).collect::<Vec<_>>());
    }
    assert!(spec.is_cyclic());
    assert!(text.starts_with("8 0 3 0\n\n0 3\n8 9 10 \n"));
    assert_eq!(NetSpec::parse(&text, "gen").expect("own output parses"), spec);
}

#[test]
fn autoencoder_with_hidden_layers_round_trips() {
    let spec = NetSpec::autoencoder(6, &[5, 4], 2, &[4]).expect("valid sizes");
    assert_eq!(spec.header(), [6, 9, 2, 4]);
    let net = spec.net().expect("kernel accepts");
    // Data nodes read the decoder layer (nodes 17..21).
    assert_eq!(net.in_edges(0).map(|e| net.src(e)).collect::<Vec<_>>(), [17, 18, 19, 20]);
    let back = NetSpec::parse(&spec.to_text(), "gen").expect("own output parses");
    assert_eq!(back, spec);
}

/// Parses `text` and returns the error's line and message.
fn parse_error(text: &str) -> (Option<usize>, String) {
    let e = NetSpec::parse(text, "bad.txt").expect_err("must be rejected");
    assert_eq!(e.file, "bad.txt");
    (e.line, e.msg)
}

#[test]
fn net_parse_errors_point_at_the_line() {
    let cases: &[(&str, Option<usize>, &str)] = &[
        ("", None, "empty"),
        ("2 1\n", Some(1), "header"),
        ("2 x 1\n", Some(1), "not a non-negative integer"),
        ("2 0 999999999999\n", Some(1), "limit"),
        ("2 0 0\n", Some(1), "class node"),
        ("2 0 1\n\n3 2\n0 1 \n", Some(3), "expected the record of node 2"),
        ("2 0 1\n\n1 1\n0 \n", Some(3), "data node"),
        ("2 0 1\n\n2 3\n0 1 \n", Some(3), "exceeds"),
        ("2 0 1\n\n2 0\n\n", Some(3), "indegree 0"),
        ("2 0 1\n\n2 2\n0 \n", Some(4), "lists 1 sources"),
        ("2 0 1\n\n2 2\n0 q\n", Some(4), "not a node number"),
        ("2 0 1\n\n2 2\n0 5\n", Some(4), "out of range"),
        ("2 0 1\n\n2 2\n0 2\n", Some(4), "itself"),
        ("2 0 1\n\n2 2\n1 1\n", Some(4), "twice"),
        ("2 0 2\n\n2 2\n0 1\n3 1\n2\n", Some(6), "class node 2 cannot feed"),
        ("2 0 1\n\n2 2\n0 1\n7\n", Some(5), "after the last"),
        ("2 0 1\n\n2 2 7\n0 1\n", Some(3), "found 3 fields"),
        ("2 0 2\n\n2 2\n0 1\n", None, "ends before the record of node 3"),
        ("2 0 1\n\n2 2\n", None, "source list"),
        ("2 1 1\n\n2 2\n0 1\n3 2\n0 1\n", None, "node 2 feeds no other node"),
        ("2 0 1 0\n\n0 1\n2\n1 1\n2\n2 1\n0\n", None, "node 1 feeds no other node"),
    ];
    for &(text, line, needle) in cases {
        let (got_line, msg) = parse_error(text);
        assert_eq!(got_line, line, "line for {text:?}: {msg}");
        assert!(msg.contains(needle), "message for {text:?} lacks {needle:?}: {msg}");
    }
}

#[test]
fn net_parse_accepts_loose_whitespace() {
    let loose = NET_13_8_2.replace(' ', "\t").replace('\n', "\r\n\n");
    let spec = NetSpec::parse(&loose, "loose").expect("whitespace is free");
    assert_eq!(spec.to_text(), NET_13_8_2);
}

#[test]
fn reference_data_file_reads() {
    let text = include_str!("data/maj13_first32.txt");
    let data = read_labeled(text, "maj13_first32.txt").expect("reference data parses");
    assert_eq!((data.dims, data.classes, data.len()), (13, 2, 32));
    assert_eq!(data.labels.iter().filter(|&&l| l == 1).count(), 16);
    assert_eq!(data.item(0)[..4], [0.0, 1.0, 0.0, 0.0]);
    assert_eq!(data.labels[0], 1);
    let again = read_labeled(&write_labeled(&data), "w").expect("own output parses");
    assert_eq!(again, data);
}

#[test]
fn labeled_writer_format() {
    let data = LabeledData { dims: 2, classes: 3, values: vec![0.0, 1.0, 0.1, -2.5e-7], labels: vec![2, 0] };
    assert_eq!(write_labeled(&data), "2\t3\n\n0\t1\t2\n0.1\t-0.00000025\t0\n");
}

#[test]
fn labeled_reader_errors() {
    let cases: &[(&str, Option<usize>, &str)] = &[
        ("", None, "empty"),
        ("\n  \n", None, "empty"),
        ("2\n", Some(1), "header"),
        ("2 x\n", Some(1), "not a non-negative integer"),
        ("0 2\n", Some(1), "at least 1"),
        ("2 2\n", None, "no data items"),
        ("2 2\n\n1 0 1\n1 0\n", Some(4), "expected 3 fields"),
        ("2 2\n1 0 1 1\n", Some(2), "found 4"),
        ("2 2\n1 z 1\n", Some(2), "not a number"),
        ("2 2\n1 NaN 1\n", Some(2), "not finite"),
        ("2 2\n1 inf 1\n", Some(2), "not finite"),
        ("2 2\n1 0 2\n", Some(2), "not in 0..2"),
        ("2 2\n1 0 1.5\n", Some(2), "not a non-negative integer"),
        ("2 2\n1 0 -1\n", Some(2), "not a non-negative integer"),
    ];
    for &(text, line, needle) in cases {
        let e = read_labeled(text, "d.txt").expect_err("must be rejected");
        assert_eq!(e.line, line, "line for {text:?}: {e}");
        assert!(e.msg.contains(needle), "message for {text:?} lacks {needle:?}: {e}");
    }
    let e = read_labeled("2 2\n\n1 0 7\n", "d.txt").expect_err("label out of range");
    assert_eq!(e.to_string(), "d.txt:3: label 7 is not in 0..2");
}

#[test]
fn unlabeled_reader_errors() {
    assert!(read_unlabeled("3\n\n1 2 3\n", "u").is_ok());
    let e = read_unlabeled("3\n\n1 2 3\n1 2\n", "u").expect_err("short item");
    assert_eq!(e.to_string(), "u:4: expected 3 values, found 2");
    let e = read_unlabeled("3 4 5\n", "u").expect_err("three header fields");
    assert_eq!(e.line, Some(1));
    let e = read_unlabeled("3\n", "u").expect_err("no items");
    assert_eq!(e.line, None);
}

#[test]
fn unlabeled_reader_takes_the_reference_autoencoder_format() {
    // RRRauto's data files: a header `N M`, then N values and an integer
    // label per item; the labels are read and dropped
    let own = read_unlabeled("3\n0 0.5 1\n1 0 0\n", "u").unwrap();
    let reference = read_unlabeled("3 10\n\n0 0.5 1 7\n1 0 0 0\n", "r").unwrap();
    assert_eq!(own, reference);
    assert_eq!(reference.values, [0.0, 0.5, 1.0, 1.0, 0.0, 0.0]);
    let e = read_unlabeled("3 10\n0 0.5 1\n", "r").expect_err("label missing");
    assert_eq!(e.to_string(), "r:2: expected 4 fields (3 values and a label), found 3");
    let e = read_unlabeled("3 10\n0 0.5 1 0.5\n", "r").expect_err("label not an integer");
    assert!(e.to_string().starts_with("r:2: label '0.5'"), "{e}");
    let e = read_unlabeled("3 x\n0 0.5 1 0\n", "r").expect_err("bad second field");
    assert_eq!(e.line, Some(1));
}

#[test]
fn text_files_are_gunzipped_by_content() {
    use std::io::Write;
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let plain = dir.join("formats_plain.txt");
    let gz = dir.join("formats_gzipped.dat");
    std::fs::write(&plain, NET_13_8_2).expect("write temp file");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(NET_13_8_2.as_bytes()).expect("compress");
    std::fs::write(&gz, enc.finish().expect("compress")).expect("write temp file");
    assert_eq!(read_text_file(&plain).expect("plain"), NET_13_8_2);
    assert_eq!(read_text_file(&gz).expect("gzip"), NET_13_8_2);

    let bad = dir.join("formats_bad_utf8.txt");
    std::fs::write(&bad, b"13 8 2\n\n\xff\n").expect("write temp file");
    let e = read_text_file(&bad).expect_err("not UTF-8");
    assert_eq!(e.line, Some(3));
    let e = read_text_file(&dir.join("formats_missing.txt")).expect_err("missing");
    assert!(e.msg.contains("cannot open"));
}
