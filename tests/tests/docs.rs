//! `docs/architecture.md` shows the contract's tables; this test keeps them
//! equal to the constants in `alpc-contract` (the single source of truth).

use alpc_contract::{desc, regs, EventKind, Opcode, Status};

fn doc() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/architecture.md"
    ))
    .unwrap()
}

/// Rows `| a | b | ... |` of the table under the heading that contains `title`.
fn table(doc: &str, title: &str) -> Vec<Vec<String>> {
    let start = doc
        .find(title)
        .unwrap_or_else(|| panic!("no section `{title}` in architecture.md"));
    doc[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // header and separator
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().trim_matches('`').to_string())
                .collect()
        })
        .collect()
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s.trim_start_matches("0x").replace('_', "").as_str(), 16)
        .unwrap_or_else(|_| panic!("bad hex `{s}`"))
}

#[test]
fn register_tables_match_the_contract() {
    let d = doc();
    let mut rows = Vec::new();
    for (title, window) in [
        ("### Global registers", "global"),
        ("### Context configuration", "ctx"),
        ("### Doorbell page", "doorbell"),
    ] {
        for r in table(&d, title) {
            rows.push((window, r[0].clone(), hex(&r[1]), r[2].clone()));
        }
    }
    assert_eq!(
        rows.len(),
        regs::REGISTERS.len(),
        "every register is documented once"
    );
    for reg in regs::REGISTERS {
        let row = rows
            .iter()
            .find(|r| r.1 == reg.name)
            .unwrap_or_else(|| panic!("{} not documented", reg.name));
        assert_eq!(row.0, reg.window, "{}", reg.name);
        assert_eq!(row.2, reg.offset, "{} offset", reg.name);
        let access = match reg.access {
            regs::Access::Ro => "RO",
            regs::Access::Rw => "RW",
        };
        assert_eq!(row.3, access, "{} access", reg.name);
    }
    let windows = table(&d, "### BAR0 windows");
    let find = |n: &str| {
        hex(&windows
            .iter()
            .find(|r| r[0] == n)
            .unwrap_or_else(|| panic!("window {n}"))[1])
    };
    assert_eq!(find("global"), regs::GLOBAL_BASE);
    assert_eq!(find("context configuration"), regs::CTX_CFG_BASE);
    assert_eq!(find("doorbells"), regs::DOORBELL_BASE);
    assert!(d.contains(&format!("stride {:#x}", regs::CTX_CFG_STRIDE)));
    assert!(d.contains(&format!("stride {:#x}", regs::DOORBELL_STRIDE)));
}

/// The table under `title` lists exactly `fields`, each at its offset.
fn layout_matches(d: &str, title: &str, fields: &[(&str, usize)]) {
    let rows = table(d, title);
    assert_eq!(rows.len(), fields.len(), "{title}: one row per field");
    for &(name, off) in fields {
        let r = rows.iter().find(|r| r[1] == name).unwrap_or_else(|| panic!("{title}: no field {name}"));
        assert_eq!(hex(&r[0]), off as u64, "{title}: {name}");
    }
}

#[test]
fn record_layouts_match_the_contract() {
    let d = doc();
    let descriptor = [
        ("opcode", desc::DESC_OPCODE),
        ("flags", desc::DESC_FLAGS),
        ("reserved", desc::DESC_RESERVED),
        ("length", desc::DESC_LENGTH),
        ("user_data", desc::DESC_USER_DATA),
        ("src_addr", desc::DESC_SRC_ADDR),
        ("dst_addr", desc::DESC_DST_ADDR),
        ("extra", desc::DESC_EXTRA),
    ];
    layout_matches(&d, "### Submission descriptor", &descriptor);
    let completion = [
        ("user_data", desc::CQE_USER_DATA),
        ("port", desc::CQE_PORT),
        ("msg_id", desc::CQE_MSG_ID),
        ("identity", desc::CQE_IDENTITY),
        ("result", desc::CQE_RESULT),
        ("rq_index", desc::CQE_RQ_INDEX),
        ("sq_head", desc::CQE_SQ_HEAD),
        ("kind", desc::CQE_KIND),
        ("status", desc::CQE_STATUS),
        ("reserved", desc::CQE_RESERVED),
        ("flags", desc::CQE_FLAGS),
    ];
    layout_matches(&d, "### Completion entry", &completion);
    let port_fields = [
        ("port", desc::DESC_PORT),
        ("arg", desc::DESC_ARG),
        ("max_msg", desc::DESC_MAX_MSG),
        ("backlog", desc::DESC_BACKLOG),
        ("window", desc::DESC_WINDOW),
        ("port_context", desc::DESC_PORT_CONTEXT),
        ("request_user", desc::DESC_REQUEST_USER),
        ("view", desc::DESC_VIEW),
        ("access", desc::DESC_SECTION_ACCESS),
        ("view_offset", desc::DESC_VIEW_OFFSET),
        ("view_access", desc::DESC_VIEW_ACCESS),
    ];
    layout_matches(&d, "Port operations reuse the address fields", &port_fields);
    let record = [
        ("iova", desc::VREC_IOVA),
        ("length", desc::VREC_LENGTH),
        ("handle", desc::VREC_HANDLE),
        ("access", desc::VREC_ACCESS),
    ];
    layout_matches(&d, "### View record", &record);
    assert!(d.contains(&format!("at byte {} of the receive buffer", desc::RX_VIEW_RECORD)));
    assert!(d.contains(&format!("{}-byte descriptor", desc::DESC_SIZE)));
    assert!(d.contains(&format!("{}-byte completion", desc::CQE_SIZE)));
}

#[test]
fn opcode_and_status_tables_match_the_contract() {
    let d = doc();
    let rows = table(&d, "### Opcodes");
    assert_eq!(rows.len(), Opcode::ALL.len());
    for op in Opcode::ALL {
        let r = rows
            .iter()
            .find(|r| r[0] == op.name())
            .unwrap_or_else(|| panic!("opcode {}", op.name()));
        assert_eq!(hex(&r[1]), op as u64);
    }
    let kinds = EventKind::ALL.iter().map(|k| format!("{} `{}`", k.name(), *k as u8)).collect::<Vec<_>>();
    let prose = d.split("### Event kinds").nth(1).expect("Event kinds section").replace('\n', " ");
    for k in kinds {
        assert!(prose.contains(&k), "event kind {k} not documented");
    }
    let rows = table(&d, "### Status codes");
    assert_eq!(rows.len(), Status::ALL.len());
    for st in Status::ALL {
        let r = rows
            .iter()
            .find(|r| r[0] == st.name())
            .unwrap_or_else(|| panic!("status {}", st.name()));
        assert_eq!(hex(&r[1]), st as u64);
    }
}
