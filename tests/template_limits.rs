//! Runaway templates stop with an error that names the template, the line and the limit,
//! instead of running for ever, exhausting memory or overflowing the stack.
//!
//! Cases a function refuses before doing the work run under the production limits;
//! the others run under small limits, so that the whole file stays fast in debug
//! builds, and show that the same mechanism stops them.

use std::fmt::Write as _;

use tfnotify::template::{FuncSet, Limits, Mode, Template};

/// Limits small enough that reaching any of them takes milliseconds in a debug build.
fn small() -> Limits {
    Limits {
        output: 64 << 10,
        items: 1000,
        steps: 200_000,
        depth: 50,
        memory: 1 << 20,
    }
}

fn template(text: &str, mode: Mode, limits: Limits) -> Template {
    let mut t = Template::parse("plan", text, mode, &FuncSet::standard()).expect("parses");
    t.set_limits(limits);
    t
}

/// The error `text` stops with, as template `plan` in text mode.
#[track_caller]
fn stopped(text: &str, limits: Limits) -> String {
    stopped_in(text, Mode::Text, limits)
}

#[track_caller]
fn stopped_in(text: &str, mode: Mode, limits: Limits) -> String {
    match template(text, mode, limits).execute(&serde_json::json!({})) {
        Ok(out) => panic!("{text:?} rendered {} bytes", out.len()),
        Err(e) => e.to_string(),
    }
}

#[track_caller]
fn rendered(text: &str, limits: Limits) -> String {
    template(text, Mode::Text, limits)
        .execute(&serde_json::json!({}))
        .expect("renders")
}

/// A list of 512 references to one 1000-byte string: half a megabyte to print.
const BIG: &str =
    r#"{{ $l := list (repeat 1000 "x") }}{{ range until 9 }}{{ $l = concat $l $l }}{{ end }}"#;

const OUTPUT: &str = "output would exceed 16 MiB (the engine's limit)";
const ITEMS: &str = "a list or map would exceed 1000000 items (the engine's limit)";
const SMALL_OUTPUT: &str = "output would exceed 64 KiB (the engine's limit)";
const SMALL_ITEMS: &str = "a list or map would exceed 1000 items (the engine's limit)";
const SMALL_STEPS: &str = "execution would exceed 200000 steps (the engine's limit)";
const SMALL_MEMORY: &str = "values would hold more than 1 MiB (the engine's limit)";

#[test]
fn printf_widths_past_a_million_are_bad_as_in_go() {
    let go = Limits::default();
    assert_eq!(
        rendered(r#"{{ printf "%*d" 999999999 1 }}"#, go),
        "%!(BADWIDTH)1"
    );
    assert_eq!(
        rendered(r#"{{ printf "%0999999999d" 1 }}"#, go),
        "%!(NOVERB)%!(EXTRA int=1)"
    );
    assert_eq!(
        stopped(r#"{{ printf "%10000000d%10000000d" 1 2 }}"#, go),
        format!(
            "template: plan:1:3: executing \"plan\" at <printf \"%10000000d%10000000d\" 1 2>: {OUTPUT}"
        )
    );
}

#[test]
fn seq_until_and_until_step_refuse_before_counting() {
    let go = Limits::default();
    for (text, at) in [
        (
            "{{ seq 1 999999999 }}",
            "1:3: executing \"plan\" at <seq 1 999999999>",
        ),
        (
            "{{ range seq 1 999999999 }}x{{ end }}",
            "1:9: executing \"plan\" at <seq 1 999999999>",
        ),
        (
            "{{ until 999999999 }}",
            "1:3: executing \"plan\" at <until 999999999>",
        ),
        (
            "{{ untilStep 0 99999999999 1 }}",
            "1:3: executing \"plan\" at <untilStep 0 99999999999 1>",
        ),
        (
            "x\n{{ range until 999999999 }}x{{ end }}",
            "2:9: executing \"plan\" at <until 999999999>",
        ),
    ] {
        assert_eq!(stopped(text, go), format!("template: plan:{at}: {ITEMS}"));
    }
}

#[test]
fn repeat_refuses_before_allocating() {
    let go = Limits::default();
    assert_eq!(
        stopped(r#"{{ repeat 999999999 "x" }}"#, go),
        format!("template: plan:1:3: executing \"plan\" at <repeat 999999999 \"x\">: {OUTPUT}")
    );
    assert_eq!(
        stopped(r#"{{ "x" | repeat 99999 | repeat 99999 }}"#, go),
        format!("template: plan:1:24: executing \"plan\" at <repeat 99999>: {OUTPUT}")
    );
}

#[test]
fn recursion_stops_at_the_depth_limit() {
    let text = r#"{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}"#;
    assert_eq!(
        stopped(text, small()),
        "template: plan:1:25: executing \"a\" at <{{template \"a\" .}}>: exceeded maximum template depth (50)"
    );
    // Control bodies recurse on the native stack too, so they count.
    let nested = r#"{{define "a"}}{{if 1}}{{with 1}}{{template "a" .}}{{end}}{{end}}{{end}}{{template "a" .}}"#;
    assert!(stopped(nested, small()).ends_with("exceeded maximum template depth (50)"));
}

#[test]
fn recursion_stops_at_the_production_depth() {
    // A debug build needs more than a test thread's stack for a thousand levels; the
    // release binary needs about 3 MiB.
    let text = r#"{{define "a"}}{{if 1}}{{range (list 1)}}{{template "a" .}}{{end}}{{end}}{{end}}{{template "a" .}}"#;
    let err = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || stopped(text, Limits::default()))
        .expect("spawns")
        .join()
        .expect("does not panic");
    assert!(
        err.starts_with("template: plan:1:")
            && err.ends_with("exceeded maximum template depth (1000)"),
        "{err}"
    );
}

#[test]
fn a_long_chain_of_templates_is_checked_no_deeper_than_it_runs() {
    // html mode checks every reachable template before running; that recursion too
    // stops at the depth limit instead of the end of the chain.
    let n = 10_000;
    let mut text = String::new();
    for i in 0..n {
        let _ = write!(
            text,
            "{{{{define \"t{i}\"}}}}{{{{template \"t{}\"}}}}{{{{end}}}}",
            i + 1
        );
    }
    let _ = write!(
        text,
        "{{{{define \"t{n}\"}}}}x{{{{end}}}}{{{{template \"t0\"}}}}"
    );
    let err = stopped_in(&text, Mode::Html, small());
    assert!(
        err.ends_with("exceeded maximum template depth (50)"),
        "{err}"
    );
}

#[test]
fn doubling_a_recursion_runs_out_of_steps() {
    // 2^30 calls, none deeper than the limit.
    let text = r#"{{define "a"}}{{if lt . 30}}{{template "a" (add1 .)}}{{template "a" (add1 .)}}{{end}}{{end}}{{template "a" 0}}"#;
    let limits = Limits {
        depth: 100,
        ..small()
    };
    let err = stopped(text, limits);
    assert!(err.starts_with("template: plan:1:"), "{err}");
    assert!(err.ends_with(SMALL_STEPS), "{err}");
}

#[test]
fn a_range_over_a_long_list_runs_out_of_steps() {
    assert_eq!(
        stopped(
            "{{ range until 1000 }}{{ range until 1000 }}{{ end }}{{ end }}",
            small()
        ),
        format!("template: plan:1:31: executing \"plan\" at <until 1000>: {SMALL_STEPS}")
    );
}

#[test]
fn output_stops_at_its_limit() {
    let limits = Limits {
        items: 100_000,
        memory: 64 << 20,
        ..small()
    };
    assert_eq!(
        stopped("{{ range until 100000 }}x{{ end }}", limits),
        format!("template: plan:1:24: executing \"plan\" at <x>: {SMALL_OUTPUT}")
    );
    assert_eq!(
        stopped(
            "{{ range until 1000 }}{{ repeat 100 \"y\" }}{{ end }}",
            small()
        ),
        format!("template: plan:1:25: executing \"plan\" at <repeat 100 \"y\">: {SMALL_OUTPUT}")
    );
}

#[test]
fn a_list_grown_in_a_loop_stops() {
    // Appending copies the list, so the loop is quadratic: steps end it.
    assert_eq!(
        stopped(
            "{{ $l := list }}{{ range until 100000 }}{{ $l = append $l . }}{{ end }}",
            Limits {
                items: 1_000_000,
                memory: 64 << 20,
                ..small()
            }
        ),
        format!("template: plan:1:48: executing \"plan\" at <append $l .>: {SMALL_STEPS}")
    );
    // Or the item limit, whichever comes first.
    let text = "{{ $l := list }}{{ range until 40 }}{{ range until 40 }}{{ $l = append $l 1 }}{{ end }}{{ end }}";
    let col = text.find("append").unwrap_or(0);
    assert_eq!(
        stopped(text, small()),
        format!("template: plan:1:{col}: executing \"plan\" at <append $l 1>: {SMALL_ITEMS}")
    );
    // And the memory it holds: a thousand distinct strings of 100 KB.
    assert_eq!(
        stopped(
            r#"{{ $l := list }}{{ range until 1000 }}{{ $l = append $l (repeat 100000 "x") }}{{ end }}"#,
            Limits {
                output: 1 << 20,
                ..small()
            }
        ),
        format!("template: plan:1:57: executing \"plan\" at <repeat 100000 \"x\">: {SMALL_MEMORY}")
    );
    // Doubling reaches the item limit in a few steps.
    assert_eq!(
        stopped(
            "{{ $l := list 1 }}{{ range until 64 }}{{ $l = concat $l $l }}{{ end }}",
            small()
        ),
        format!("template: plan:1:46: executing \"plan\" at <concat $l $l>: {SMALL_ITEMS}")
    );
}

#[test]
fn a_string_doubled_in_a_loop_stops() {
    assert_eq!(
        stopped(
            r#"{{ $x := "x" }}{{ range until 100 }}{{ $x = print $x $x }}{{ end }}"#,
            small()
        ),
        format!("template: plan:1:44: executing \"plan\" at <print $x $x>: {SMALL_OUTPUT}")
    );
    // A string rebuilt a thousand times holds only its last version.
    assert_eq!(
        rendered(
            r#"{{ $x := "" }}{{ range until 1000 }}{{ $x = print $x "y" }}{{ end }}{{ len $x }}"#,
            small()
        ),
        "1000"
    );
}

#[test]
fn trunc_and_substr_with_huge_counts_keep_the_text() {
    let text = r#"{{ $s := repeat 1000 "x" }}{{ trunc 999999999 $s | len }} {{ substr 0 999999999 $s | len }} {{ trunc -999999999 $s | len }}"#;
    assert_eq!(rendered(text, Limits::default()), "1000 1000 1000");
}

#[test]
fn indent_and_nindent_refuse_before_allocating() {
    let go = Limits::default();
    assert_eq!(
        stopped(r#"{{ indent 999999999 "a\nb" }}"#, go),
        format!("template: plan:1:3: executing \"plan\" at <indent 999999999 \"a\\nb\">: {OUTPUT}")
    );
    assert_eq!(
        stopped(r#"{{ "a" | nindent 999999999 }}"#, go),
        format!("template: plan:1:9: executing \"plan\" at <nindent 999999999>: {OUTPUT}")
    );
    assert_eq!(
        stopped(r#"{{ repeat 10000 "\n" | indent 10000 }}"#, go),
        format!("template: plan:1:23: executing \"plan\" at <indent 10000>: {OUTPUT}")
    );
}

#[test]
fn wrap_and_wrap_with_stop_at_the_output_limit() {
    assert_eq!(
        stopped(
            r#"{{ wrapWith 1 (repeat 10000 "-") (repeat 100 "a ") }}"#,
            small()
        ),
        format!(
            "template: plan:1:3: executing \"plan\" at <wrapWith 1 (repeat 10000 \"-\") (repeat 100 \"a \")>: {SMALL_OUTPUT}"
        )
    );
    assert!(
        stopped(r#"{{ repeat 40000 "a " | wrap 1 | wrap 1 }}"#, small()).ends_with(SMALL_OUTPUT)
    );
}

#[test]
fn cat_join_and_replace_stop_at_the_output_limit() {
    for (call, at) in [
        ("cat $l", "cat $l"),
        ("join \",\" $l", "join \",\" $l"),
        ("toStrings $l | join \"\"", "join \"\""),
    ] {
        let text = format!("{BIG}{{{{ {call} }}}}");
        let col = BIG.len() + 3 + call.find(at).unwrap_or(0);
        assert_eq!(
            stopped(&text, small()),
            format!("template: plan:1:{col}: executing \"plan\" at <{at}>: {SMALL_OUTPUT}")
        );
    }
    assert_eq!(
        stopped(
            r#"{{ replace "" (repeat 9999 "y") (repeat 9999 "x") }}"#,
            Limits::default()
        ),
        format!(
            "template: plan:1:3: executing \"plan\" at <replace \"\" (repeat 9999 \"y\") (repeat 9999 \"x\")>: {OUTPUT}"
        )
    );
    assert!(
        stopped(
            r#"{{ replace "x" (repeat 100 "y") (repeat 1000 "x") }}"#,
            small()
        )
        .ends_with(SMALL_OUTPUT)
    );
}

#[test]
fn json_of_a_large_value_stops_at_the_output_limit() {
    let col = BIG.len() + 3;
    for f in ["toJson", "toPrettyJson", "toRawJson", "mustToJson"] {
        assert_eq!(
            stopped(&format!("{BIG}{{{{ {f} $l }}}}"), small()),
            format!("template: plan:1:{col}: executing \"plan\" at <{f} $l>: {SMALL_OUTPUT}")
        );
    }
}

#[test]
fn printing_a_large_list_stops_at_the_output_limit() {
    let col = BIG.len() + 3;
    for action in ["$l", "printf \"%v\" $l", "print $l"] {
        assert_eq!(
            stopped(&format!("{BIG}{{{{ {action} }}}}"), small()),
            format!("template: plan:1:{col}: executing \"plan\" at <{action}>: {SMALL_OUTPUT}")
        );
    }
    let html = stopped_in(&format!("{BIG}<p>{{{{ $l }}}}</p>"), Mode::Html, small());
    assert!(html.ends_with(SMALL_OUTPUT), "{html}");
}

#[test]
fn html_work_that_prints_nothing_still_counts() {
    let text = r#"{{ $s := repeat 10000 "x" }}<!--{{ range until 100000 }}{{ $s }}{{ end }}-->"#;
    let limits = Limits {
        items: 100_000,
        memory: 64 << 20,
        ..small()
    };
    let err = stopped_in(text, Mode::Html, limits);
    assert!(err.starts_with("template: plan:1:"), "{err}");
    assert!(err.ends_with(SMALL_STEPS), "{err}");
}

#[test]
fn a_map_that_holds_itself_stops_at_the_nesting_limit() {
    let nesting = "a value would nest deeper than 200 levels (the engine's limit)";
    assert_eq!(
        stopped(
            r#"{{ $d := dict }}{{ $_ := set $d "d" $d }}{{ $d }}"#,
            small()
        ),
        format!("template: plan:1:44: executing \"plan\" at <$d>: {nesting}")
    );
    assert!(
        stopped(
            r#"{{ $d := dict }}{{ $_ := set $d "d" $d }}{{ toJson $d }}"#,
            small()
        )
        .ends_with(nesting)
    );
    assert!(
        stopped(
            r#"{{ $d := dict }}{{ $_ := set $d "d" $d }}{{ deepCopy $d }}"#,
            small()
        )
        .ends_with(nesting)
    );
    let deep = "{{ $l := list }}{{ range until 1000 }}{{ $l = list $l }}{{ end }}{{ $l }}";
    assert!(stopped(deep, small()).ends_with(nesting));
}

#[test]
fn copying_a_shared_list_stops_at_the_memory_limit() {
    let text = "{{ $l := list (until 100) }}{{ range until 9 }}{{ $l = concat $l $l }}{{ end }}{{ deepCopy (list $l $l $l $l) }}";
    let limits = Limits {
        items: 100_000,
        ..small()
    };
    assert!(stopped(text, limits).ends_with(SMALL_MEMORY));
}

#[test]
fn expensive_patterns_cost_their_size() {
    // `.{1000}` tracks thousands of states per byte of non-ASCII text.
    let text = r#"{{ $s := repeat 10000 "é" }}{{ range until 1000 }}{{ $x := regexMatch ".{1000}" $s }}{{ end }}"#;
    assert_eq!(
        stopped(text, small()),
        format!(
            "template: plan:1:60: executing \"plan\" at <regexMatch \".{{1000}}\" $s>: {SMALL_STEPS}"
        )
    );
    let replaced = r#"{{ regexReplaceAll "(.)" (repeat 1000 "x") (repeat 100 "$1") }}"#;
    assert!(stopped(replaced, small()).ends_with(SMALL_OUTPUT));
    let found = r#"{{ regexFindAll "." (repeat 2000 "x") -1 }}"#;
    assert!(stopped(found, small()).ends_with(SMALL_ITEMS));
}

#[test]
fn a_variable_declared_before_thousands_of_others_costs_their_lookup() {
    let mut text = String::new();
    for i in 0..5000 {
        let _ = write!(text, "{{{{ $v{i} := {i} }}}}");
    }
    text.push_str("{{ range until 1000 }}{{ $v0 }}{{ end }}");
    let err = stopped(&text, small());
    assert!(err.ends_with(&format!("at <$v0>: {SMALL_STEPS}")), "{err}");
}

#[test]
fn limits_leave_ordinary_templates_alone() {
    let text = r#"{{ range $i, $e := until 500 }}{{ if eq (mod $i 100) 0 }}{{ printf "%03d" $i }} {{ end }}{{ end }}"#;
    assert_eq!(rendered(text, small()), "000 100 200 300 400 ");
}

#[test]
fn random_strings_refuse_before_allocating() {
    let go = Limits::default();
    for f in [
        "randAlpha",
        "randAlphaNum",
        "randAscii",
        "randNumeric",
        "randBytes",
    ] {
        assert_eq!(
            stopped(&format!("{{{{ {f} 999999999 }}}}"), go),
            format!("template: plan:1:3: executing \"plan\" at <{f} 999999999>: {OUTPUT}")
        );
    }
    // Many small ones add up to the step limit like any other work.
    let err = stopped(
        "{{ range until 999 }}{{ range until 999 }}{{ $_ := randAlpha 1000 }}{{ end }}{{ end }}",
        small(),
    );
    assert!(err.ends_with(SMALL_STEPS), "{err}");
}

#[test]
fn bcrypt_is_charged_before_it_hashes() {
    // One hash is a tenth of the default step budget, so a loop stops after ten.
    let err = stopped(r#"{{ bcrypt "x" }}"#, small());
    assert_eq!(
        err,
        format!("template: plan:1:3: executing \"plan\" at <bcrypt \"x\">: {SMALL_STEPS}")
    );
    let err = stopped(r#"{{ htpasswd "u" "x" }}"#, small());
    assert!(err.ends_with(SMALL_STEPS), "{err}");
    let two = Limits {
        steps: 2_500_000,
        ..Limits::default()
    };
    let err = stopped(r#"{{ range until 100 }}{{ bcrypt "x" }}{{ end }}"#, two);
    assert!(
        err.ends_with("execution would exceed 2500000 steps (the engine's limit)"),
        "{err}"
    );
}
