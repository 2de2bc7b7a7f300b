//! Turning the RustHDL description into Verilog files.
//!
//! RustHDL's generator writes every module into one string, names the top
//! level `top`, submodules `top$a$b`, writes every integer literal as a
//! 32-bit constant (`32'h3`) and width casts as masks (`((x) & 16'hffff)`).
//! Verilator's `-Wall` rightly flags the last two as width mismatches and
//! flags a file that holds several modules (DECLFILENAME). This module
//! post-processes the text with four mechanical, meaning-preserving rules:
//!
//! 1. modules are renamed `alpc_core`, `alpc_core__a__b`, and each goes into
//!    its own file named after it (one block per file);
//! 2. a 32-bit literal becomes an unsized one (`'h3`): in Verilog both are
//!    32 bits wide and unsigned, so the value and the expression width are
//!    unchanged, but an unsized literal that fits its context is not a width
//!    warning; an `initial` value of zero, or of at most 32 bits, likewise;
//! 3. a mask cast `((e) & N'h<N ones>)` becomes the SystemVerilog size cast
//!    `(N'(e))`, which states the intended width (hence the `.sv` files); the
//!    emitter refuses a cast over an expression with `>>`, `/` or `%`, the
//!    only operators through which the two forms could differ. The outer
//!    parentheses stay: Yosys reads `~5'(e)` as a cast to size `~5`.
//!
//! 4. `localparam`s a module never uses (RustHDL copies every enum value
//!    into each register of that enum type) are dropped.
//!
//! The result is checked by `verilator --lint-only -Wall` in the tests.

use rust_hdl::core::prelude::*;

/// Name of the top-level module.
pub const TOP_MODULE: &str = "alpc_core";

/// The state machines whose `state` register the synchronous reset sets
/// (reset ▶ `Sweep`), as the tail of their register's module name: the
/// engine's and the section table's. Their initial value is only a
/// simulation convenience, so a synthesis flow may drop it and re-encode
/// them (the `--one-hot` study of the ECP5 flow in `bitstreams/`). Every top
/// level must then hold reset after configuration, as ours do.
pub const RESET_STATE_REGISTERS: [&str; 2] = ["engine__state", "engine__sections__state"];

/// One emitted source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerilogFile {
    /// File name (module name + `.sv`).
    pub name: String,
    /// Module name.
    pub module: String,
    /// Contents.
    pub text: String,
}

/// Writes emitted files into `out` (created if missing), with a file list
/// `<top>.f` for tools that take one; returns the list's path.
pub fn write_files(files: &[VerilogFile], top: &str, out: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
    std::fs::create_dir_all(out)?;
    let mut list = String::new();
    for f in files {
        std::fs::write(out.join(&f.name), &f.text)?;
        list.push_str(&f.name);
        list.push('\n');
    }
    let path = out.join(format!("{top}.f"));
    std::fs::write(&path, list)?;
    Ok(path)
}

/// Emits the default core: one file per module, the top level first.
pub fn emit_core() -> Vec<VerilogFile> {
    let mut core = crate::AlpcCore::default_config();
    core.connect_all();
    emit(&core, TOP_MODULE)
}

/// Emits the large core ([`crate::LargeCore`]: 64 contexts, 1024 ports) as
/// module `top`.
pub fn emit_large_core(top: &str) -> Vec<VerilogFile> {
    let mut core = crate::LargeCore::default();
    core.connect_all();
    emit(&core, top)
}

/// Name of the board top level without PCIe ([`crate::uart_soc::UartSoc`]).
pub const UART_SOC_MODULE: &str = "alpc_uart_soc";

/// Emits the board top level without PCIe (core, UART bridge, host memory)
/// with `DIV` clock cycles per UART bit, as module `top`.
pub fn emit_uart_soc<const DIV: usize>(top: &str) -> Vec<VerilogFile> {
    let mut soc = crate::uart_soc::UartSoc::<DIV>::default();
    soc.connect_all();
    emit(&soc, top)
}

/// Emits any block as `top` under the name `top`, post-processed as
/// described in the module documentation.
pub fn emit<U: Block>(uut: &U, top: &str) -> Vec<VerilogFile> {
    check_all(uut).unwrap_or_else(|e| panic!("RustHDL design check failed: {e:?}"));
    let mut defines = ModuleDefines::default();
    uut.accept(top, &mut defines);
    split_modules(&defines.defines(), top)
}

/// Applies the renaming and literal rules and splits the text per module.
pub fn split_modules(text: &str, top: &str) -> Vec<VerilogFile> {
    let mut files: Vec<VerilogFile> = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    let mut in_initial = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("module ") {
            let name = rest
                .split('(')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            current = Some((rename_module(&name, top), Vec::new()));
        }
        let Some((_, lines)) = current.as_mut() else {
            continue;
        };
        if trimmed.starts_with("initial begin") {
            in_initial = true;
        }
        let mut out = rename_modules_in_line(line, top);
        out = fix_casts(&out);
        out = fix_literals(&out, in_initial);
        if in_initial && trimmed.starts_with("end") {
            in_initial = false;
        }
        lines.push(out);
        if trimmed.starts_with("endmodule") {
            let (module, lines) = current.take().unwrap();
            let lines = drop_unused_localparams(lines);
            let mut body = lines.join("\n");
            body.push('\n');
            let header = format!(
                "// {module}: generated from the RustHDL description in rtl/ by alpc-rtl.\n\
                 // Do not edit; change the Rust source and regenerate.\n"
            );
            files.push(VerilogFile {
                name: format!("{module}.sv"),
                module,
                text: header + &body,
            });
        }
    }
    // Top level first, the rest in name order (stable output for caching).
    files.sort_by(|a, b| (a.module != top, &a.module).cmp(&(b.module != top, &b.module)));
    files
}

/// Rule 4: RustHDL copies an enum's `localparam`s into every module that
/// has a register of that enum type; drop the ones a module never uses.
fn drop_unused_localparams(lines: Vec<String>) -> Vec<String> {
    let name_of = |l: &str| -> Option<String> {
        let rest = l.trim_start().strip_prefix("localparam ")?;
        Some(rest.split('=').next()?.trim().to_string())
    };
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let uses = |text: &str, name: &str| {
        text.match_indices(name).any(|(i, _)| {
            let before = text[..i].chars().next_back().is_none_or(|c| !is_ident(c));
            let after = text[i + name.len()..].chars().next().is_none_or(|c| !is_ident(c));
            before && after
        })
    };
    let body: String = lines
        .iter()
        .filter(|l| name_of(l).is_none())
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    lines
        .into_iter()
        .filter(|l| match name_of(l) {
            Some(name) => uses(&body, &name),
            None => true,
        })
        .collect()
}

fn rename_module(name: &str, _top: &str) -> String {
    name.replace('$', "__")
}

/// Renames module names (`top$a$b`) where they appear as a whole token.
fn rename_modules_in_line(line: &str, top: &str) -> String {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    let first = trimmed
        .split(|c: char| c == '(' || c.is_whitespace())
        .next()
        .unwrap_or("");
    let is_module_decl = trimmed.starts_with("module ");
    let is_endmodule = trimmed.starts_with("endmodule");
    if is_module_decl {
        let rest = &trimmed["module ".len()..];
        let name = rest.split('(').next().unwrap_or_default();
        return format!(
            "{indent}module {}{}",
            rename_module(name, top),
            &rest[name.len()..]
        );
    }
    if is_endmodule {
        if let Some((head, name)) = trimmed.split_once("// ") {
            return format!("{indent}{head}// {}", rename_module(name.trim(), top));
        }
        return line.to_string();
    }
    // Instantiation: `top$a$b inst(`
    if first.starts_with(&format!("{top}$")) && trimmed.ends_with('(') {
        return format!(
            "{indent}{}{}",
            rename_module(first, top),
            &trimmed[first.len()..]
        );
    }
    line.to_string()
}

/// Rule 3: `((e) & N'hfff..)` → `(N'(e))` when the mask is exactly N ones.
fn fix_casts(line: &str) -> String {
    let mut s = line.to_string();
    loop {
        let Some(pos) = find_cast_mask(&s) else {
            return s;
        };
        let (mask_start, mask_end, bits) = pos;
        // `s[..mask_start]` ends with ")" (closing the inner expression).
        let close = mask_start - 1;
        debug_assert_eq!(&s[close..close + 1], ")");
        let mut depth = 0i32;
        let mut open = None;
        for (i, c) in s[..=close].char_indices().rev() {
            match c {
                ')' => depth += 1,
                '(' => {
                    depth -= 1;
                    if depth == 0 {
                        open = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let open = open.expect("unbalanced cast");
        assert!(
            open >= 1 && &s[open - 1..open] == "(",
            "cast shape changed in RustHDL"
        );
        let inner = s[open + 1..close].to_string();
        // `N'(e)` sizes `e` at max(N, width of e) where the mask form used
        // the surrounding context's width; they agree unless high bits can
        // flow down (right shift, division, modulo). Refuse those rather than
        // risk a change of meaning.
        assert!(
            !inner.contains(">>") && !inner.contains('/') && !inner.contains('%'),
            "emit: a width cast over `{inner}` could change meaning as a size cast; cast its operands instead"
        );
        // mask_end points just past the closing ')' of the outer paren.
        s = format!("{}({}'({})){}", &s[..open - 1], bits, inner, &s[mask_end..]);
    }
}

/// Finds `) & N'h<ones>)` and returns (index of " & ", index after the
/// final ')', N).
fn find_cast_mask(s: &str) -> Option<(usize, usize, usize)> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(rel) = s[from..].find(") & ") {
        let amp = from + rel + 1; // index of ' ' before '&'
        let after = amp + 3;
        let digits: String = s[after..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let hpos = after + digits.len();
        if !digits.is_empty() && s[hpos..].starts_with("'h") {
            let hex: String = s[hpos + 2..]
                .chars()
                .take_while(|c| c.is_ascii_hexdigit())
                .collect();
            let end = hpos + 2 + hex.len();
            let n: usize = digits.parse().ok()?;
            if end < bytes.len() && bytes[end] == b')' && is_all_ones(&hex, n) {
                return Some((amp, end + 1, n));
            }
        }
        from = amp + 1;
    }
    None
}

fn is_all_ones(hex: &str, bits: usize) -> bool {
    let full = bits / 4;
    let rem = bits % 4;
    let expect = format!(
        "{}{}",
        if rem == 0 {
            String::new()
        } else {
            format!("{:x}", (1u8 << rem) - 1)
        },
        "f".repeat(full)
    );
    hex == expect
}

/// Rule 2: `32'hX` → `'hX` everywhere; any sized literal inside `initial`.
fn fix_literals(line: &str, in_initial: bool) -> String {
    let mut out = String::with_capacity(line.len());
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let starts_token =
            i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'$');
        if starts_token && b[i].is_ascii_digit() {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j + 1 < b.len() && b[j] == b'\'' && (b[j + 1] == b'h' || b[j + 1] == b'b') {
                let width = &line[i..j];
                let digits: String = line[j + 2..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
                let zero = digits.chars().all(|c| c == '0');
                // Unsized literals are 32 bits: only drop widths that are
                // 32, or an initial value of zero (which fits any width).
                if width == "32" || (in_initial && (zero || width.parse::<u32>().is_ok_and(|w| w <= 32))) {
                    // drop the width, keep the base and digits
                    i = j;
                    continue;
                }
            }
            out.push_str(&line[i..j]);
            i = j;
            continue;
        }
        out.push(b[i] as char);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_become_size_casts() {
        assert_eq!(fix_casts("x = ((a + b) & 16'hffff);"), "x = (16'(a + b));");
        assert_eq!(fix_casts("x = ((f(a)) & 5'h1f) + 1;"), "x = (5'(f(a))) + 1;");
        assert_eq!(
            fix_casts("x = ((((a) & 8'hff)) & 9'h1ff);"),
            "x = (9'((8'(a))));"
        );
        // Under a unary operator the cast keeps its parentheses (Yosys
        // would read `~5'(a)` as a cast to size ~5).
        assert_eq!(fix_casts("x = ~((a) & 5'h1f) + 1;"), "x = ~(5'(a)) + 1;");
        // A mask that is not all ones is real logic: untouched.
        assert_eq!(fix_casts("x = ((a) & 8'hf0);"), "x = ((a) & 8'hf0);");
    }

    #[test]
    fn literals_lose_only_the_32_bit_width() {
        assert_eq!(
            fix_literals("a = 32'h0; b = 4'h3; c = x32'h1;", false),
            "a = 'h0; b = 4'h3; c = x32'h1;"
        );
        assert_eq!(fix_literals("q = 64'h0;", true), "q = 'h0;");
        assert_eq!(fix_literals("q = 64'h100000000;", true), "q = 64'h100000000;");
    }

    #[test]
    fn modules_are_renamed_and_split() {
        let text = "module top(a);\n  top$x$y inst(\n  );\nendmodule // top\n\nmodule top$x$y(b);\nendmodule // top$x$y\n";
        let files = split_modules(text, "top");
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].module, "top");
        assert!(files[0].text.contains("top__x__y inst("));
        assert_eq!(files[1].name, "top__x__y.sv");
        assert!(files[1].text.contains("module top__x__y(b);"));
    }
}
